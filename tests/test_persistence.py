"""How much of a municipality's own pull outlasts the years it was fitted on.

The persistence and its spread are recomputed here from the SSB population
table by pandas (the death probabilities by the documented rule, as the
backtest test recomputes them); the default parameter is the estimate over
2018-2026; a model run keeps the fitted pull over the known years and fades
it after them, and the fading moves settlement the way it should against a
run that keeps the pull (common random numbers).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.experiments.calibration.persistence import migration_persistence, pull_ranges
from model.experiments.calibration.settlement import with_pull
from model.inputs.errors import InputError
from model.inputs.municipal.dataset import load_municipal_data
from model.inputs.parameters import Parameters
from model.inputs.region import cached_region
from model.inputs.scenario import Scenario, Years
from model.inputs.uncertain import set_values
from model.simulation.region_model import RegionModel
from tests.test_backtest import DATA, _death_probability

ROOT = Path(__file__).resolve().parent.parent
GJOVIK = ROOT / "scenarios" / "regions" / "gjovikregionen"


def _rates(first: int, last: int) -> tuple[pd.DataFrame, pd.Series]:
    """Net migration per resident a year (municipality x year, flows first..last-1), residents in `first`."""
    table = pd.read_parquet(DATA / "population_age_sex.parquet").assign(age=lambda t: t["age"].clip(upper=105))
    grid = (
        table[table["year"].between(first, last)]
        .groupby(["municipality_code", "year", "sex", "age"])["population"]
        .sum()
    )
    rates = {}
    for year in range(first, last):
        q = _death_probability(year)
        start = grid.xs(year, level="year").unstack(["sex", "age"], fill_value=0)
        end = grid.xs(year + 1, level="year").unstack(["sex", "age"], fill_value=0)
        net = 0.0
        for sex in ("female", "male"):
            s = start[sex].reindex(columns=range(106), fill_value=0).to_numpy(dtype=float)
            e = end[sex].reindex(columns=range(106), fill_value=0).reindex(start.index).to_numpy(dtype=float)
            survivors = s * (1 - q[sex].to_numpy())
            expected = np.hstack([np.zeros((len(s), 1)), survivors[:, :-1]])
            expected[:, 105] += survivors[:, 105]
            net = net + (e[:, 1:] - expected[:, 1:]).sum(axis=1)
        rates[year] = pd.Series(net, index=start.index) / start.sum(axis=1)
    residents = grid.xs(first, level="year").groupby("municipality_code").sum()
    return pd.DataFrame(rates), residents


@pytest.mark.parametrize("last_year", [2014, 2026])
def test_persistence_is_recomputed_from_the_tables(last_year):
    """Halves of the eight years before the last year, weighted by residents: slope and spread."""
    first, middle = last_year - 8, last_year - 4
    rates, residents = _rates(first, last_year)
    weight = residents / residents.sum()
    earlier = rates[list(range(first, middle))].mean(axis=1)
    later = rates[list(range(middle, last_year))].mean(axis=1)
    x = earlier - (weight * earlier).sum()
    y = later - (weight * later).sum()
    slope = (weight * x * y).sum() / (weight * x * x).sum()
    spread = 1000 * math.sqrt((weight * (y - slope * x) ** 2).sum())
    national = cached_region(GJOVIK).national
    found = migration_persistence(load_municipal_data(), national, last_year)
    assert found.slope == pytest.approx(slope, rel=1e-6)
    assert found.spread_per_1000 == pytest.approx(spread, rel=1e-6)
    assert found.municipalities == len(rates)
    assert (found.earlier, found.later) == (range(first, middle), range(middle, last_year))


def test_the_default_persistence_is_the_estimate_over_2018_2026():
    """The shipped default is what the rule measures before 1 January 2026."""
    national = cached_region(GJOVIK).national
    estimate = migration_persistence(load_municipal_data(), national, 2026).slope
    assert Parameters().settlement_pull_persistence == pytest.approx(estimate, abs=0.005)


def _projection(persistence: float, pull: float, base: int = 2026, end: int = 2030) -> Scenario:
    scenario = Scenario.from_yaml(ROOT / "scenarios" / "baseline.yaml")
    scenario = scenario.model_copy(update={"base_year": base, "years": Years(start=base, end=end)})
    region = cached_region(Path(scenario.region_folder))
    pulls = np.ones(region.n_municipalities)
    pulls[region.municipality("Østre Toten")] = pull
    return with_pull(scenario, region, pulls).with_overrides(settlement_pull_persistence=persistence)


def test_the_pull_holds_over_the_known_years_and_fades_after_them():
    """Gjovikregionen knows its persons to 2026: a run from 2024 keeps the pull in 2024-2025 only."""
    model = RegionModel(_projection(0.4, 2.0, base=2024, end=2027))
    toten = model.region.municipality("Østre Toten")
    seen = {}
    while model.running:
        seen[model.year] = float(model.settlement_pull[toten])
        model.step()
    assert seen == pytest.approx({2024: 2.0, 2025: 2.0, 2026: 2.0**0.4, 2027: 2.0**0.4})


def _in_migrants(scenario: Scenario, municipality: str) -> float:
    total = 0.0
    for replicate in range(2):
        model = RegionModel(scenario, replicate=replicate)
        model.run()
        table = model.recorder.table("test", replicate)
        rows = table[(table["variable"] == "in_migrants") & (table["municipality"] == municipality)]
        total += float(rows["value"].sum())
    return total


def test_a_faded_pull_draws_fewer_movers_than_the_fitted_one_and_more_than_none():
    """Østre Toten at pull 2: in-migrants 2026-2030 with the pull kept > faded to 0.4 > no pull at all."""
    kept = _in_migrants(_projection(1.0, 2.0), "Østre Toten")
    faded = _in_migrants(_projection(0.4, 2.0), "Østre Toten")
    none = _in_migrants(_projection(0.4, 1.0), "Østre Toten")
    assert kept > faded > none
    assert (faded - none) / (kept - none) == pytest.approx((2**0.4 - 1) / (2 - 1), abs=0.25)


def test_each_pull_range_is_the_spread_its_past_does_not_tell():
    """Centred on the fitted pull, half-width sqrt(3) spread / (in-migration rate x persistence), inside its bounds."""
    persistence = migration_persistence(load_municipal_data(), cached_region(GJOVIK).national, 2018)
    ranges = pull_ranges({"A": 1.2, "B": 3.9, "C": 1.0}, {"A": 0.05, "B": 0.05}, persistence)
    half = math.sqrt(3) * persistence.spread_per_1000 / 1000 / (0.05 * persistence.slope)
    assert ranges["A"] == pytest.approx((1.2 * (1 - half), 1.2 * (1 + half)), abs=1e-4)
    assert ranges["B"] == pytest.approx((3.8, 4.0))  # both ends pulled in: the centre stays 3.9
    assert "C" not in ranges  # no in-migration rate known: no range
    with pytest.raises(ValueError, match="2027"):
        migration_persistence(load_municipal_data(), cached_region(GJOVIK).national, 2027)


def test_a_pull_can_be_drawn_by_municipality_and_a_wrong_one_is_refused(tmp_path):
    """`context.settlement_pull.NAME` sets one municipality's pull; a name outside the region is an error."""
    scenario = _projection(0.4, 1.5)
    drawn = set_values(scenario, {"context.settlement_pull.Gjøvik": 1.7})
    assert drawn.context.settlement_pull["Gjøvik"] == 1.7
    assert drawn.context.settlement_pull["Østre Toten"] == 1.5
    path = tmp_path / "bad.yaml"
    path.write_text(
        "extends: " + str(ROOT / "scenarios" / "baseline.yaml") + "\nname: bad\n"
        "uncertainty:\n  context.settlement_pull.Oslo: [0.8, 1.2]\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="Oslo"):
        Scenario.from_yaml(path)


def test_only_a_scenario_draws_one_municipality_s_pull():
    """Sensitivity and calibration configs vary region-wide names; a scenario's uncertainty may name a pull."""
    from model.inputs.uncertain import range_faults

    ranges = {"context.settlement_pull.Gjøvik": [0.8, 1.2]}
    assert range_faults(ranges, municipal=True) == []
    (fault,) = range_faults(ranges)
    assert "drawn only by a scenario's uncertainty" in fault
