"""Behaviour measured against the baseline with common random numbers.

Every comparison runs the same replicates (seed, replicate) with and without
the change; draws are tied to persons and firms, so the difference measures
the change, not reshuffled luck.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from model.inputs.context import Context
from model.inputs.scenario import Scenario, Years
from model.simulation import migration
from model.simulation.persons import Status
from model.simulation.region_model import RegionModel
from tests.conftest import with_horizon

REGION = -1  # the region row in recorded stocks
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def paired_runs(scenario, years: int, replicates: int, change) -> np.ndarray:
    """Stocks after `years` years, baseline and changed, for each replicate: shape (2, replicates)."""
    results = []
    for replicate in range(replicates):
        pair = []
        for changed in (False, True):
            model = RegionModel(scenario if not changed else change.get("scenario", scenario), replicate=replicate)
            if changed and "employer" in change:
                model.add_fixed_employer(*change["employer"])
            for _ in range(years):
                model.step()
            pair.append(model.recorder.rows[-1])
        results.append(pair)
    return results


def _multiplier(baseline, base_year: int) -> float:
    scenario = baseline.model_copy(update={"base_year": base_year, "years": Years(start=base_year, end=base_year + 10)})
    runs = paired_runs(scenario, 5, 24, {"employer": ("Vestre Toten", "manufacturing", 100)})
    return float(np.mean([changed["jobs"][REGION] - base["jobs"][REGION] for base, changed in runs]))


@pytest.mark.xfail(
    strict=True,
    reason="1.03 from the region of 2018 (24 paired replicates; 1.00 before ordinary entry brought inward "
    "establishments, 0.94 before the binding housing stock, 0.97 before "
    "basic sectors stopped drifting up): a fixed employer of 100 draws workers the ageing region has to find first; "
    "the +1 000 block of tests/test_job_shock.py reaches the literature's range at ten years; a labour market that "
    "clears belongs to the strategy-effects work",
)
def test_local_multiplier_of_100_basic_jobs_is_between_1_1_and_1_6(baseline):
    """A permanent +100 manufacturing jobs gives 110-160 more jobs in the region after five years.

    Started from the region of 1 January 2018 (the 4th quarter of 2017).
    """
    extra = _multiplier(baseline, 2018)
    assert 110 <= extra <= 160, extra


@pytest.mark.xfail(
    strict=True,
    reason="from the region of 2026 the multiplier after five years is 0.88 (24 paired replicates; 0.85 before "
    "ordinary entry brought inward establishments, 0.89 before the "
    "binding housing stock, 1.05 before the stationary basic sectors and the outside labour markets): below the "
    "literature's 1.1-1.6 at five years; left to the strategy-effects work (a labour market that clears)",
)
def test_local_multiplier_from_the_2026_start_is_between_1_1_and_1_6(baseline):
    """The same +100 manufacturing jobs, from the baseline's own start."""
    extra = _multiplier(baseline, 2026)
    assert 110 <= extra <= 160, extra


def test_no_runaway_growth_in_the_baseline(baseline_model):
    """Without levers jobs and population stay within 15 % of the base year through the horizon."""
    rows = baseline_model.recorder.rows
    for variable in ("jobs", "population"):
        values = np.array([row[variable][REGION] for row in rows])
        assert np.all(np.abs(values / values[0] - 1) < 0.15), variable


def test_gross_migration_stays_near_observed_levels(baseline_model):
    """Gross in- and out-migration of every municipality near the observed 2005-06 levels.

    Observed (SSB 2005-06): in 2.8-5.2 %, out 3.3-5.0 % of the population a
    year. Each year must lie within 2.5-6.5 % (in-migration rises towards 6 %
    in the 2030s as retirements outpace young entrants and unfilled vacancies
    pull), and the average over the run within 3.5-5.5 %.
    """
    rows = [row for row in baseline_model.recorder.rows if "in_migrants" in row]
    for variable in ("in_migrants", "out_migrants"):
        rates = np.array([row[variable][:REGION] / row["population"][:REGION] for row in rows])
        assert np.all((rates > 0.025) & (rates < 0.065)), (variable, rates.min(), rates.max())
        assert np.all((rates.mean(axis=0) > 0.035) & (rates.mean(axis=0) < 0.055)), variable


@pytest.mark.parametrize("replicate", range(4))
def test_stronger_national_manufacturing_growth_gives_more_jobs_in_vestre_toten(baseline, replicate):
    """+2 %/year national manufacturing growth instead of -0.5 % raises Vestre Toten's jobs by 2031."""
    short = with_horizon(baseline, 2031)
    growth = dict(short.context.national_job_growth, manufacturing=0.02)
    strong = short.model_copy(
        update={"context": Context(**{**short.context.model_dump(), "national_job_growth": growth})}
    )
    results = []
    for scenario in (short, strong):
        model = RegionModel(scenario, replicate=replicate)
        model.run()
        results.append(model.recorder.rows[-2])
    vestre_toten = 2
    assert results[1]["jobs_manufacturing"][vestre_toten] > results[0]["jobs_manufacturing"][vestre_toten]
    assert results[1]["jobs"][vestre_toten] > results[0]["jobs"][vestre_toten]


def _housing_runs(scenario, replicates: int, capacity_factor: float = 1.0) -> list[list[dict]]:
    """Yearly rows of runs whose ordinary construction capacity is scaled by `capacity_factor`."""
    runs = []
    for replicate in range(replicates):
        model = RegionModel(scenario, replicate=replicate)
        for municipality in model.municipalities:
            municipality.dwellings_built_per_year *= capacity_factor
        model.run()
        runs.append(model.recorder.rows)
    return runs


def test_dwellings_stock_adds_up_and_ordinary_construction_stays_within_capacity(baseline):
    """Dwellings(y+1) = dwellings(y) + ordinary completions + strategies' dwellings, every year and municipality."""
    scenario = Scenario.from_yaml(SCENARIOS / "housing.yaml")
    capacity = RegionModel(scenario, replicate=0).region.dwellings_built_per_year
    (rows,) = _housing_runs(with_horizon(scenario, 2031), 1)
    for before, after in itertools.pairwise(rows):
        built = before["dwellings_built"] + before["dwellings_from_strategies"]
        np.testing.assert_allclose(after["dwellings"], before["dwellings"] + built)
        assert np.all(before["dwellings_built"][:REGION] <= capacity + 1e-9)
        assert np.all(before["dwellings_built"] >= 0)
    gjovik = 0
    # Five years of what the budget buys (to 2031 the amenity gain costs more a year: fewer dwellings).
    acting = RegionModel(with_horizon(scenario, 2031), replicate=0).strategies.levers.strategies[0]
    assert 0 < acting.dwellings_per_year < 100
    assert sum(row["dwellings_from_strategies"][gjovik] for row in rows[:-1]) == pytest.approx(
        acting.dwellings_per_year * 5
    )


def test_more_construction_capacity_houses_more_residents(baseline):
    """Five times the ordinary construction capacity: more residents by 2031 where the stock was short.

    Ordinary construction builds what residents need at the year's household size, up to the
    municipality's capacity; where the capacity binds (all five municipalities of the base year
    build at 0.45-0.67 % of their stock a year, their residents need more), a larger one lowers the
    housing pressure and draws movers. Common random numbers, 4 replicates.
    """
    scenario = with_horizon(baseline, 2031)
    narrow, wide = (_housing_runs(scenario, 4, factor) for factor in (1.0, 5.0))
    pairs = zip(narrow, wide, strict=True)
    gained = np.mean([w[-1]["population"][REGION] - n[-1]["population"][REGION] for n, w in pairs])
    built = np.mean([sum(r["dwellings_built"][REGION] for r in w[:-1]) for w in wide]) - np.mean(
        [sum(r["dwellings_built"][REGION] for r in n[:-1]) for n in narrow]
    )
    assert built > 100, built
    assert gained > 50, gained


def test_housing_strategy_displaces_ordinary_construction_only_where_the_capacity_does_not_bind(tmp_path):
    """100 strategy dwellings a year leave ordinary builders less to build where they could meet the need.

    In Østre Toten ordinary construction keeps up with its residents' need, so the strategy's
    dwellings replace some of it (displacement); in Gjøvik the residents need more than the
    capacity builds, so ordinary construction stays near its capacity and the strategy's dwellings
    are nearly all additional.
    """
    ordinary = {}
    for target in ("Gjøvik", "Østre Toten"):
        overlay = tmp_path / f"{target}.yaml"
        overlay.write_text(
            f"name: housing_{len(ordinary)}\nextends: {SCENARIOS / 'housing.yaml'}\nlevers:\n  strategies:\n"
            f"    - {{type: housing, dwellings_per_year: 100, amenity_gain: 0.0, target: {target}, from: 2027, "
            "budget_mnok_per_year: 5}\n",
            encoding="utf-8",
        )
        strategy = with_horizon(Scenario.from_yaml(overlay), 2036)
        index = RegionModel(strategy, replicate=0).region.municipality(target)
        built = [
            np.mean([sum(r["dwellings_built"][index] for r in run[:-1]) for run in _housing_runs(s, 2)])
            for s in (strategy.without_strategies(), strategy)
        ]
        ordinary[target] = built
    gjovik, ostre_toten = ordinary["Gjøvik"], ordinary["Østre Toten"]
    strategy_dwellings = 100 * 9  # 2027-2035
    assert gjovik[0] - gjovik[1] < 0.1 * strategy_dwellings, ordinary
    assert ostre_toten[0] - ostre_toten[1] > max(0.2 * strategy_dwellings, 3 * (gjovik[0] - gjovik[1])), ordinary


def test_only_the_unemployed_of_1_january_move_as_the_unemployed(baseline, monkeypatch):
    """Workers separated during the year search before they count as unemployed movers.

    At the migration phase the persons moving with `move_factor_unemployed` are those unemployed on
    1 January and still without a job: never more than the region's unemployed of that 1 January,
    while the persons without a job then (the separated included) are several times as many.
    """
    seen = []
    migrate = migration.migrate

    def spy(persons, *args, unemployed=None, **kwargs):
        seen.append((int(unemployed.sum()), int((persons.status == Status.UNEMPLOYED).sum())))
        return migrate(persons, *args, unemployed=unemployed, **kwargs)

    monkeypatch.setattr(migration, "migrate", spy)
    model = RegionModel(with_horizon(baseline, 2029), replicate=1)
    model.run()
    counted = [row["unemployed"][REGION] for row in model.recorder.rows[:-1]]
    for (movers, searching), on_1_january in zip(seen, counted, strict=True):
        assert 0.5 * on_1_january <= movers <= on_1_january
        assert searching > 2 * movers
