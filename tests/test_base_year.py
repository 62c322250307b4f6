"""A base year reproduces the observed region: persons, jobs, employed residents, commuting.

The last observed snapshot is 1 January 2023 (the 4th quarter of 2022): the
model started there is compared with SSB's tables as shipped, read here
independently of the model's loader. The baseline's own start, 2026, scales
that snapshot by a rule (tests/test_regions.py checks its persons).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from model.inputs.scenario import Years
from model.simulation.region_model import RegionModel
from tests.conftest import ROOT

BASE = 2023  # persons of 1 January 2023; jobs and commuting of the 4th quarter of 2022
QUARTER = BASE - 1

REGION = ROOT / "scenarios" / "regions" / "gjovikregionen"


@pytest.fixture(scope="module")
def model(baseline) -> RegionModel:
    """The baseline started from the last observed snapshot, before any step."""
    scenario = baseline.model_copy(update={"base_year": BASE, "years": Years(start=BASE, end=BASE + 1)})
    return RegionModel(scenario, replicate=0)


@pytest.fixture(scope="module")
def observed_employment() -> pd.DataFrame:
    """SSB 11618 of the 4th quarter of 2022 as shipped with the region, by municipality name."""
    table = pd.read_csv(REGION / "employment.csv", comment="#", dtype={"knr": str})
    return table[table["year"] == QUARTER].set_index("municipality")


def observed_commuting(model: RegionModel) -> np.ndarray:
    """The commuting table of the 4th quarter of 2022 aggregated to nodes here, independently of the model's loader."""
    spec = yaml.safe_load((REGION / "region.yaml").read_text(encoding="utf-8"))
    code_to_node = {m["number"]: i for i, m in enumerate(spec["municipalities"])}
    rest = None
    for j, node in enumerate(spec["outside_nodes"], start=len(spec["municipalities"])):
        if node["members"] == "rest":
            rest = j
        else:
            code_to_node.update({code: j for code in node["members"]})
    table = pd.read_csv(REGION / "commuting_od.csv", comment="#", dtype=str)
    table = table[table["year"] == str(QUARTER)]
    n = len(model.region.nodes)
    matrix = np.zeros((n, n))
    for row in table.itertuples():
        matrix[code_to_node.get(row.residence_knr, rest), code_to_node.get(row.workplace_knr, rest)] += int(
            row.employed_persons
        )
    return matrix


def test_persons_by_municipality_sex_and_age_exactly(model):
    """Every resident of the population table on 1 January 2023 is one person in the arrays."""
    table = pd.read_csv(REGION / "population_age_sex.csv", comment="#")
    table = table[table["year"] == BASE]
    persons = model.persons
    sex = np.where(table["sex"] == "female", 0, 1)
    for i, name in enumerate(model.region.municipalities):
        mine = table["municipality"] == name
        expected = np.zeros((2, 106), dtype=int)
        np.add.at(expected, (sex[mine], table["age"][mine].to_numpy()), table["persons"][mine].to_numpy())
        here = persons.home == i
        counted = np.zeros((2, 106), dtype=int)
        np.add.at(counted, (persons.sex[here], persons.age[here]), 1)
        assert (counted == expected).all(), name


def test_jobs_by_workplace_within_one_percent(model, observed_employment):
    """Jobs (filled positions of firms) per municipality match SSB 11618 within 1 %."""
    jobs = model.recorder.rows[0]["jobs"]
    for i, name in enumerate(model.region.municipalities):
        observed = observed_employment.loc[name, "jobs_by_workplace_15_74"]
        assert abs(jobs[i] - observed) <= 0.01 * observed, name


def test_employed_residents_within_two_percent(model, observed_employment):
    """Employed residents per municipality match SSB 11618 within 2 %."""
    employed = model.recorder.rows[0]["employed_residents"]
    for i, name in enumerate(model.region.municipalities):
        observed = observed_employment.loc[name, "employed_residents_15_74"]
        assert abs(employed[i] - observed) <= 0.02 * observed, name


def test_commuting_flows_within_ten_percent_and_total_within_two(model):
    """Each flow over 100 persons within 10 %; the total within 2 % (SSB 03321)."""
    observed = observed_commuting(model)
    simulated = model.recorder.commuting[0]
    big = observed > 100
    assert big.sum() >= 30
    assert np.all(np.abs(simulated[big] - observed[big]) <= 0.10 * observed[big])
    assert abs(simulated.sum() - observed.sum()) <= 0.02 * observed.sum()


def test_firms_are_a_minority_of_registered_units(model):
    """Establishments with employees: thousands, fewer than the 7 584 registered units."""
    firms = model.recorder.rows[0]["firms"][-1]
    assert 1_500 < firms < 7_584


def test_jobs_derived_by_a_rule_are_never_shown_as_observed(model):
    """The 2005 and 2026 jobs come from observed structures by a rule: figures show only observed jobs."""
    from model.report.run_figures import observed_jobs

    region = model.region
    assert region.snapshot(2005).derived and region.snapshot(2026).derived and not region.snapshot(2018).derived
    seen = observed_jobs(region)
    assert not {2005, 2017, 2024, 2025, 2026} & set(seen["year"])
    vestre = seen[seen["municipality"] == "Vestre Toten"].set_index("year")["value"]
    # The 4th quarter of 2017 is shown on 1 January 2018; the municipality's own series of
    # 2010-2016 (4th quarters) on 1 January 2011-2017.
    assert vestre[2018] == 6716 and vestre[2013] == 6258 and 2011 in vestre.index


def test_the_2026_start_scales_the_last_observed_flows_by_its_rule(model):
    """Every flow of 1 January 2026 is the 2023 flow times the snapshot's jobs scale (rounded)."""
    region = model.region
    spec = yaml.safe_load((REGION / "region.yaml").read_text(encoding="utf-8"))
    rule = spec["snapshots"][2026]["derived_from"]
    assert rule["snapshot"] == BASE and 0.95 < rule["jobs_scale"] < 1.05
    expected = np.rint(region.snapshot(BASE).commuting * rule["jobs_scale"])
    assert np.array_equal(region.snapshot(2026).commuting, expected)
