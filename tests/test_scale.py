"""A large region whose municipalities lie out of each other's daily reach.

Nordland county (41 municipalities, 243 000 persons, 800 km from south to
north) built from the national data by `region create`: commuting times listed
only within reach, commuting neighbourhoods, long-distance nodes. It loads,
runs, keeps its accounts, and nobody keeps a daily job out of daily reach
after moving unless the base year had such a commute.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.inputs.municipal.create import create_region
from model.inputs.municipal.dataset import load_municipal_data
from model.inputs.scenario import Scenario
from model.simulation.region_model import RegionModel

NORDLAND = "18"  # county code


@pytest.fixture(scope="module")
def spread_region(tmp_path_factory) -> Scenario:
    """Nordland county as one region, written as a region folder by `region create`."""
    table = load_municipal_data().municipalities
    codes = list(table.index[table["county_code"] == NORDLAND])
    created = create_region("nordland", tmp_path_factory.mktemp("spread"), municipalities=codes)
    assert created.built.within_reach_only
    return Scenario.from_yaml(created.scenario)


def test_large_region_uses_int16_nodes_and_sparse_reach(spread_region):
    """Times exist only within reach; each origin reaches only its commuting neighbourhood."""
    model = RegionModel(spread_region)
    minutes = model.minutes[: model.n_municipalities, : model.n_municipalities]
    assert np.isnan(minutes).any() and np.isfinite(np.diag(minutes)).all()
    affinity = model.layout.base_affinity
    assert affinity.nnz < 0.5 * affinity.shape[0] * affinity.shape[1]  # neighbourhoods, not everyone
    assert model.persons.home.dtype == np.int16


def test_large_region_keeps_its_accounts_and_daily_jobs_within_reach(spread_region):
    """Population balance holds every year; nobody commutes daily out of reach unless the base year did."""
    model = RegionModel(spread_region, replicate=1)
    m = model.n_municipalities
    population = np.bincount(model.persons.home, minlength=m)
    for _ in range(3):
        model.step()
        flows = model.recorder.rows[-2]
        change = flows["births"] - flows["deaths"] + flows["in_migrants"] - flows["out_migrants"]
        now = np.bincount(model.persons.home, minlength=m)
        assert np.array_equal(now, population + change[:-1])
        population = now
        persons = model.persons
        daily = (persons.workplace >= 0) & (persons.workplace < m)
        minutes = model.minutes[persons.home[daily], persons.workplace[daily]]
        base = model.recorder.commuting[0][persons.home[daily], persons.workplace[daily]]
        # a daily job out of reach only where the base year had such long-distance commuting
        assert np.all(np.isfinite(minutes) | (base > 0))
