"""Ten BA regions of every size, built from the national data and run for two years; the shipped regions run.

The sample holds the largest BA region (Oslo/Bærum) and the smallest
(Utsira) and eight between them at even steps of the population ranking.
Each is built by `region create`, run from 1 January 2026 for two years, and
its population balance is checked from the recorded stocks and flows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.inputs.municipal.create import create_region, list_regions
from model.inputs.scenario import Scenario, Years
from model.simulation.region_model import RegionModel

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_BASELINES = ["baseline.yaml", "lillehammer_baseline.yaml", "hamar_baseline.yaml", "bodo_baseline.yaml"]


def sample_codes(size: int = 10) -> list[str]:
    """Sample codes."""
    ranked = list_regions().sort_values("population", kind="stable")["baregion_code"].tolist()
    picks = np.linspace(0, len(ranked) - 1, size).round().astype(int)
    return [ranked[i] for i in picks]


def balance_holds(model: RegionModel) -> None:
    """Balance holds."""
    table = model.recorder.table("test", 0)
    region = table[table["municipality"] == model.region.name].pivot_table(
        index="year", columns="variable", values="value"
    )
    years = region.index.tolist()
    for year, following in zip(years, years[1:], strict=False):
        row = region.loc[year]
        expected = row["population"] + row["births"] - row["deaths"] + row["in_migrants"] - row["out_migrants"]
        assert region.loc[following, "population"] == pytest.approx(expected, abs=0.5), (model.region.name, year)


def test_the_sample_spans_the_largest_and_the_smallest():
    """The sample spans the largest and the smallest."""
    codes = sample_codes()
    assert "005" in codes and "054" in codes and len(set(codes)) == 10


@pytest.mark.parametrize("code", sample_codes())
def test_a_ba_region_builds_and_runs_two_years_with_its_population_balance(tmp_path, code):
    """A ba region builds and runs two years with its population balance."""
    created = create_region(f"ba{code}", tmp_path, ba_regions=[code])
    scenario = Scenario.from_yaml(created.scenario)
    model = RegionModel(scenario.model_copy(update={"years": Years(start=2026, end=2028)}), replicate=0)
    start = int(created.built.persons.loc[created.built.persons["year"] == 2026, "persons"].sum())
    assert model.persons.home.size == start
    model.run()
    balance_holds(model)


@pytest.mark.parametrize("name", SHIPPED_BASELINES)
def test_every_shipped_baseline_runs_from_2026(name):
    """Every shipped baseline runs from 2026."""
    scenario = Scenario.from_yaml(ROOT / "scenarios" / name)
    assert scenario.base_year == 2026
    model = RegionModel(scenario.model_copy(update={"years": Years(start=2026, end=2027)}), replicate=0)
    model.run()
    balance_holds(model)
