"""Stylised facts across Norway's 346 municipalities, 1 January 2018 to 2023, one replicate.

Net migration rises with job growth across municipalities: Telemarksforsking
measured a slope of 0.29 (percent of residents a year on percent of jobs a
year) in 2010-12, and the data set gives 0.29 for 2018-2023
(benchmarks/stylised_facts.py). Health and care jobs follow the care need,
which the elderly drive. Norway is built as known on 1 January 2018 and run
five years with no in-migration from a rest of the country; the measures are
computed here from the run's tidy table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.experiments.runner import run
from model.inputs.municipal.create import create_region
from model.inputs.parameters import Parameters
from model.inputs.region import cached_region
from model.inputs.scenario import Scenario
from model.simulation.demand import AGE_BANDS, care_weights

START, END = 2018, 2023


@pytest.fixture(scope="module")
def norway(tmp_path_factory) -> pd.DataFrame:
    """The tidy table of Norway run from 2018 to 2023, municipalities only."""
    folder = tmp_path_factory.mktemp("norway")
    created = create_region("norge", folder, everything=True, last_year=START)
    overlay = folder / "check.yaml"
    overlay.write_text(
        f"extends: {created.scenario.name}\nname: check\nbase_year: {START}\nyears: {{start: {START}, end: {END}}}\n"
        "parameters: {in_migration_rate: 0.0}\n",
        encoding="utf-8",
    )
    scenario = Scenario.from_yaml(overlay)
    table = run(scenario)
    return table[table["municipality"].isin(cached_region(Path(scenario.region_folder)).municipalities)]


def _wide(table: pd.DataFrame, variable: str) -> pd.DataFrame:
    return table[table["variable"] == variable].pivot_table(index="municipality", columns="year", values="value")


def _growth(table: pd.DataFrame, variable: str) -> pd.Series:
    wide = _wide(table, variable)
    return (wide[END] / wide[START] - 1) * 100 / (END - START)


def test_net_migration_rises_with_job_growth_as_observed(norway):
    """Slope of net migration (% of residents a year) on job growth (% a year): 0.1-0.6 around the observed 0.29."""
    population = _wide(norway, "population")
    net = (_wide(norway, "in_migrants") - _wide(norway, "out_migrants")).loc[:, START : END - 1].sum(axis=1)
    migration = net / population[START] * 100 / (END - START)
    growth = _growth(norway, "jobs")
    assert len(growth) > 300
    slope = np.polyfit(growth, migration.reindex(growth.index), 1)[0]
    assert 0.1 < slope < 0.6
    assert np.corrcoef(growth, migration.reindex(growth.index))[0, 1] > 0.25


def test_health_and_care_jobs_follow_the_care_need(norway):
    """Across municipalities, care jobs grow with the care need (the elderly weigh most): slope 0.5-1.5."""
    weights = care_weights(Parameters())
    need = sum(
        weight * _wide(norway, f"population_{band}") for (band, _, _), weight in zip(AGE_BANDS, weights, strict=True)
    )
    need_growth = (need[END] / need[START] - 1) * 100 / (END - START)
    care = _growth(norway, "jobs_health_care")
    slope = np.polyfit(need_growth, care.reindex(need_growth.index), 1)[0]
    assert 0.5 < slope < 1.5
