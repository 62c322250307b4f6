"""Accounting identities every year and municipality, counted from the agents themselves.

Stocks are counted here from the person arrays and the Firm agents, not read
from the counters that produce the flows, so a phase that loses or invents a
person or a job fails these tests.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.inputs.sectors import SECTOR_KEYS
from model.simulation.firms import Firm, Origin
from model.simulation.outcomes import STOCKS
from model.simulation.region_model import RegionModel
from tests.conftest import with_horizon

ADDITIVE = [v for v in STOCKS if v not in ("in_commuters", "out_commuters")] + [
    "births",
    "deaths",
    "startups",
    "firm_exits",
]


@pytest.fixture(scope="module")
def yearly(baseline):
    """Counts taken from the agents at every 1 January of a 2026-2035 run, and the model."""
    model = RegionModel(with_horizon(baseline, 2035), replicate=3)
    counts = [agent_counts(model)]
    while model.running:
        model.step()
        counts.append(agent_counts(model))
    return model, counts


def agent_counts(model: RegionModel) -> dict[str, np.ndarray]:
    """Population, jobs and employed residents per municipality, straight from the agents."""
    m = model.n_municipalities
    persons = model.persons
    jobs = np.zeros(m)
    for firm in model.agents_by_type[Firm]:
        jobs[model.region.municipalities.index(firm.municipality)] += firm.employees
    employed = persons.workplace >= 0
    return {
        "population": np.bincount(persons.home, minlength=m),
        "jobs": jobs,
        "employed_residents": np.bincount(persons.home[employed], minlength=m),
        "firms": np.bincount(
            [model.region.municipalities.index(f.municipality) for f in model.agents_by_type[Firm]], minlength=m
        ),
    }


def test_population_balance_every_year_and_municipality(yearly):
    """population(y+1) = population(y) + births - deaths + in_migrants - out_migrants."""
    model, counts = yearly
    rows = model.recorder.rows
    for y in range(len(rows) - 1):
        flows = rows[y]
        change = flows["births"] - flows["deaths"] + flows["in_migrants"] - flows["out_migrants"]
        assert np.array_equal(counts[y + 1]["population"], counts[y]["population"] + change[:-1]), y
        region_change = counts[y + 1]["population"].sum() - counts[y]["population"].sum()
        assert region_change == change[-1], y


def test_recorded_stocks_equal_agent_counts(yearly):
    """Population, jobs (filled positions of firms there) and employed residents as counted."""
    model, counts = yearly
    for row, count in zip(model.recorder.rows, counts, strict=False):
        for variable in ("population", "jobs", "employed_residents", "firms"):
            assert np.array_equal(row[variable][:-1], count[variable]), variable


def test_employed_residents_are_commuting_row_sums(yearly):
    """Employed residents of each municipality = its row of the commuting matrix."""
    model, _ = yearly
    m = model.n_municipalities
    for row, matrix in zip(model.recorder.rows, model.recorder.commuting, strict=True):
        assert np.array_equal(matrix[:m].sum(axis=1), row["employed_residents"][:m])
        assert np.array_equal(matrix[:, :m].sum(axis=0), row["jobs"][:m])


def test_commuters_are_off_diagonal_sums(yearly):
    """In-commuters = column sum less those living there; out-commuters likewise by row."""
    model, _ = yearly
    m = model.n_municipalities
    for row, matrix in zip(model.recorder.rows, model.recorder.commuting, strict=True):
        diagonal = np.diag(matrix)[:m]
        assert np.array_equal(row["in_commuters"][:m], matrix[:, :m].sum(axis=0) - diagonal)
        assert np.array_equal(row["out_commuters"][:m], matrix[:m].sum(axis=1) - diagonal)
        assert row["in_commuters"][-1] == matrix[m:, :m].sum()
        assert row["out_commuters"][-1] == matrix[:m, m:].sum()


def test_region_is_sum_of_municipalities(yearly):
    """Additive variables of the region row are sums; boundary flows are at most the sums."""
    model, _ = yearly
    for row in model.recorder.rows:
        for variable in ADDITIVE:
            if variable in row:
                assert row[variable][-1] == pytest.approx(row[variable][:-1].sum()), variable
        for variable in ("in_commuters", "out_commuters", "in_migrants", "out_migrants"):
            if variable in row:
                assert row[variable][-1] <= row[variable][:-1].sum(), variable


def test_jobs_by_sector_and_origin_add_up(yearly):
    """Jobs and vacancies by sector, and jobs by firm origin, sum to the totals."""
    model, _ = yearly
    for row in model.recorder.rows:
        assert np.allclose(sum(row[f"jobs_{key}"] for key in SECTOR_KEYS), row["jobs"])
        assert np.allclose(sum(row[f"vacancies_{key}"] for key in SECTOR_KEYS), row["vacancies"])
        assert np.allclose(sum(row[f"jobs_{origin.name.lower()}"] for origin in Origin), row["jobs"])


def test_firm_agents_mirror_the_firm_table(yearly):
    """Every open firm is a Mesa agent and every agent is an open firm; nobody works for a closed one."""
    model, _ = yearly
    rows = sorted(agent.row for agent in model.agents_by_type[Firm])
    assert rows == list(np.flatnonzero(model.firms.alive))
    employer = model.persons.employer
    assert model.firms.alive[employer[employer >= 0]].all()
    assert (model.firms.external[~model.firms.alive] == 0).all()
    assert (model.persons.age >= 15)[model.persons.workplace >= 0].all()
    assert (model.persons.age <= 74)[model.persons.workplace >= 0].all()
