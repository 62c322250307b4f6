"""The base year reproduces the observed region: persons, jobs, employed residents, commuting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from model.simulation.region_model import RegionModel
from tests.conftest import ROOT

REGION = ROOT / "scenarios" / "regions" / "gjovikregionen"


@pytest.fixture(scope="module")
def model(baseline) -> RegionModel:
    """The baseline at its base year, before any step."""
    return RegionModel(baseline, replicate=0)


@pytest.fixture(scope="module")
def observed_employment() -> pd.DataFrame:
    """SSB 11618 as shipped with the region, by municipality name."""
    table = pd.read_csv(REGION / "employment_2017.csv", comment="#", dtype={"knr": str})
    return table.set_index("municipality")


def observed_commuting(model: RegionModel) -> np.ndarray:
    """The 2017 commuting table aggregated to nodes here, independently of the model's loader."""
    spec = yaml.safe_load((REGION / "region.yaml").read_text(encoding="utf-8"))
    code_to_node = {m["number"]: i for i, m in enumerate(spec["municipalities"])}
    rest = None
    for j, node in enumerate(spec["outside_nodes"], start=len(spec["municipalities"])):
        if node["members"] == "rest":
            rest = j
        else:
            code_to_node.update({code: j for code in node["members"]})
    table = pd.read_csv(REGION / "commuting_od_2017.csv", comment="#", dtype=str)
    n = len(model.region.nodes)
    matrix = np.zeros((n, n))
    for row in table.itertuples():
        matrix[code_to_node.get(row.residence_knr, rest), code_to_node.get(row.workplace_knr, rest)] += int(
            row.employed_persons
        )
    return matrix


def test_persons_by_municipality_sex_and_age_exactly(model):
    """Every resident of the 2017 population table is one person in the arrays."""
    table = pd.read_csv(REGION / "population_age_sex_2005_2017.csv", comment="#")
    table = table[table["year"] == 2017]
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
    """The 2005 jobs come from the 2017 structure by a rule: figures show only observed jobs."""
    from model.report.run_figures import observed_jobs

    region = model.region
    assert region.snapshot(2005).derived and not region.snapshot(2017).derived
    seen = observed_jobs(region)
    assert 2005 not in set(seen["year"])
    vestre = seen[seen["municipality"] == "Vestre Toten"].set_index("year")["value"]
    assert vestre[2017] == 6716 and 2012 in vestre.index  # the snapshot and the observed series stay
