"""What a budget buys: the written intensity acts only as far as the money pays for it.

The prices are named parameters (docs/ODD.md); here each strategy's cost is
recomputed from them and the base year's snapshot, and runs show that the
budget, not a typed number, sets the scale.
"""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from model.cli import app
from model.inputs.levers import Levers
from model.inputs.parameters import Parameters
from model.inputs.scenario import Scenario, Years
from model.inputs.sectors import SECTOR_INDEX
from model.inputs.strategies import AttractBusinesses, GrowthCulture, Housing, Infrastructure, RestructureIndustry
from model.inputs.strategy_funding import TargetSize, funding
from model.simulation.region_model import RegionModel
from tests.conftest import ROOT

P = Parameters()


def _attract(firms: float, budget: float) -> AttractBusinesses:
    return AttractBusinesses(
        type="attract_businesses",
        sector="manufacturing",
        firms_per_year=firms,
        mean_jobs_per_firm=25,
        budget_mnok_per_year=budget,
        **{"from": 2027},
    )


def test_prospects_beyond_what_the_budget_works_on_buy_nothing():
    """20 MNOK a year works on 20 / (handling + standard offer) prospects, whether 5 or 500 are written."""
    size = TargetSize(72_000, np.zeros(8))
    works_on = 20 / (P.prospect_handling_mnok + P.attraction_cost_mnok)
    for written in (5, 500):
        funded = funding(_attract(written, 20), size, P, 10)
        assert funded.cost_mnok_per_year == pytest.approx(written * 4.5)
        assert funded.acting.firms_per_year == pytest.approx(works_on)
    modest = funding(_attract(2, 20), size, P, 10)
    assert not modest.short and modest.acting.firms_per_year == 2  # fully paid: as written


def test_each_price_is_recomputed_from_the_target():
    """Prices per sector job (restructuring), resident (growth culture), dwelling and amenity, minute saved."""
    jobs = np.zeros(8)
    jobs[SECTOR_INDEX["manufacturing"]] = 2_500
    size = TargetSize(30_000, jobs)
    restructure = RestructureIndustry(
        type="restructure_industry", sector="manufacturing", productivity_gain=0.2, budget_mnok_per_year=2.5
    )
    funded = funding(restructure, size, P, 5)
    assert funded.cost_mnok_per_year == pytest.approx(2 * 2.5 * P.restructuring_mnok_per_1000_jobs)
    assert funded.acting.productivity_gain == pytest.approx(0.2 * 2.5 / funded.cost_mnok_per_year)
    culture = GrowthCulture(type="growth_culture", startup_rate_multiplier=1.2, budget_mnok_per_year=1.5)
    funded = funding(culture, size, P, 5)
    assert funded.cost_mnok_per_year == pytest.approx(2 * 3 * P.growth_culture_mnok_per_10000_residents)
    share = 1.5 / funded.cost_mnok_per_year
    assert funded.acting.startup_rate_multiplier == pytest.approx(1 + 0.2 * share)
    assert funded.acting.early_exit_multiplier == pytest.approx(1 + 0.3 * share)
    housing = Housing(type="housing", dwellings_per_year=200, amenity_gain=0.1, budget_mnok_per_year=1000)
    expected = 200 * P.dwelling_public_cost_mnok + (0.1 / 5 / 0.01) * 30 * P.amenity_mnok_per_1000_residents
    assert funding(housing, size, P, 5).cost_mnok_per_year == pytest.approx(expected)
    assert not funding(housing, size, P, 5).short
    link = Infrastructure(
        type="infrastructure",
        from_node="Gjøvik",
        to_node="Oslo",
        minutes_saved=10,
        budget_mnok_per_year=40,
        state_funding_mnok_per_year=160,
    )
    funded = funding(link, size, P, 4)
    assert funded.cost_mnok_per_year == pytest.approx(10 * P.minute_saved_mnok / 4)
    assert funded.acting.minutes_saved == pytest.approx(10 * 200 / funded.cost_mnok_per_year)


def _housing(baseline: Scenario, budget: float) -> RegionModel:
    strategy = Housing(
        type="housing", dwellings_per_year=300, target="Gjøvik", budget_mnok_per_year=budget, **{"from": 2027}
    )
    scenario = baseline.model_copy(
        update={"years": Years(start=2026, end=2028), "levers": Levers(strategies=[strategy])}
    )
    return RegionModel(scenario, replicate=0)


def test_a_smaller_budget_builds_fewer_dwellings_and_spends_less(baseline):
    """Half the money, half the dwellings (below the written 300); the cost recorded is the budget."""
    full, half = _housing(baseline, 15.0), _housing(baseline, 7.5)
    population = full.population_now()
    built = [m.strategies.extra_dwellings(2027, population).sum() for m in (full, half)]
    assert built[0] == pytest.approx(300) and built[1] == pytest.approx(7.5 / P.dwelling_public_cost_mnok)
    assert [m.strategies.cost(2027, population)[-1] for m in (full, half)] == [15.0, 7.5]


def test_five_or_five_hundred_prospects_on_one_budget_give_the_same_run(baseline):
    """Beyond what 20 MNOK works on, more prospects change nothing: the two runs are identical."""
    runs = []
    for written in (5, 500):
        scenario = baseline.model_copy(
            update={
                "years": Years(start=2026, end=2030),
                "levers": Levers(cooperation="joint", strategies=[_attract(written, 20)]),
            }
        )
        model = RegionModel(scenario, replicate=3)
        model.run()
        runs.append(model.firms.positions[model.firms.alive].sum())
    assert runs[0] == runs[1]


def test_check_names_the_strategy_its_cost_and_what_the_run_uses(tmp_path):
    """An underfunded strategy gets a located warning with the fix; a funded one none."""
    scenario = tmp_path / "thin.yaml"
    scenario.write_text(
        f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\nname: thin\nlevers:\n  strategies:\n"
        "    - {type: business_services, exit_reduction: 0.1, hiring_speedup: 0.2, budget_mnok_per_year: 2}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["check", str(scenario)])
    assert result.exit_code == 0
    jobs = 34_102  # Gjøvikregionen as the 2026 run starts: the commuting table's workplace totals
    cost = jobs / 1000 * P.business_services_mnok_per_1000_jobs
    share = 2 / cost
    assert f"{scenario}:5: levers.strategies[0] (business_services): it costs {cost:.3g} MNOK a year" in result.stderr
    assert f"exit_reduction 0.1 -> {0.1 * share:.3g}" in result.stderr
    assert f"raise budget_mnok_per_year to {cost:.3g}" in result.stderr
    scenario.write_text(
        scenario.read_text(encoding="utf-8").replace("budget_mnok_per_year: 2", "budget_mnok_per_year: 9")
    )
    assert "it costs" not in CliRunner().invoke(app, ["check", str(scenario)]).stderr


def test_check_says_when_money_buys_nothing_or_nothing_more(tmp_path):
    """No intensity, a budget far above its cost, spin-offs after the horizon, a settlement pull out of range."""
    scenario = tmp_path / "waste.yaml"
    scenario.write_text(
        f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\nname: waste\nyears: {{start: 2026, end: 2028}}\n"
        "context:\n  settlement_pull: {Gjøvik: 3}\nlevers:\n  strategies:\n"
        "    - {type: commercialise_rnd, source: campus, spinoffs_per_year: 2, lag_years: 3, budget_mnok_per_year: 3}\n"
        "    - {type: attract_businesses, sector: manufacturing, firms_per_year: 0, mean_jobs_per_firm: 10, "
        "budget_mnok_per_year: 20}\n"
        "    - {type: business_services, exit_reduction: 0.05, hiring_speedup: 0.1, budget_mnok_per_year: 100}\n",
        encoding="utf-8",
    )
    notes = "\n".join(Scenario.from_yaml(scenario).warnings)
    assert f"{scenario}:5: context.settlement_pull.Gjøvik = 3 lies outside the plausible range 0.5 to 2" in notes
    assert "its first spin-offs come in 2029, after the horizon 2028" in notes
    assert "levers.strategies[1] (attract_businesses): writes no intensity, so its 20 MNOK a year buy nothing" in notes
    cost = 0.5 * 34_102 / 1000 * P.business_services_mnok_per_1000_jobs
    assert f"is {100 / cost:.3g} times what its intensity costs ({cost:.3g}); the rest buys nothing more" in notes
    assert "commercialise_rnd): its budget" not in notes  # 3 MNOK for two spin-offs: as costed
