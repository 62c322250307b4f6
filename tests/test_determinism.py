"""Same scenario and seed give identical tables; other seeds or replicates differ."""

from __future__ import annotations

import pandas as pd

from model.experiments.runner import simulate
from tests.conftest import with_horizon


def test_same_seed_gives_identical_tables(baseline):
    """Two runs with one seed are equal cell for cell, outcomes and commuting."""
    short = with_horizon(baseline, 2030)
    first, second = simulate(short, seed=7), simulate(short, seed=7)
    pd.testing.assert_frame_equal(first.outcomes, second.outcomes)
    pd.testing.assert_frame_equal(first.commuting, second.commuting)


def test_different_seeds_and_replicates_differ(baseline):
    """Another seed, or another replicate of the same seed, gives another history."""
    short = with_horizon(baseline, 2030)
    base = simulate(short, seed=7).outcomes["value"]
    assert not base.equals(simulate(short, seed=8).outcomes["value"])
    assert not base.equals(simulate(short, seed=7, replicate=1).outcomes["value"])


def test_seed_argument_overrides_the_scenario(baseline):
    """run(seed=...) uses that seed, not the scenario's."""
    short = with_horizon(baseline, 2028)
    explicit = simulate(short, seed=short.seed).outcomes
    pd.testing.assert_frame_equal(simulate(short).outcomes, explicit)
    assert simulate(short, seed=short.seed + 1).seed == short.seed + 1


def test_finished_runs_are_freed(baseline):
    """A process that runs replicate after replicate keeps no finished model alive."""
    import gc

    from model.simulation.region_model import RegionModel

    short = with_horizon(baseline, 2027)
    for replicate in range(3):
        simulate(short, replicate=replicate)
    gc.collect()
    finished = [m for m in gc.get_objects() if isinstance(m, RegionModel) and m.scenario.years.end == 2027]
    assert finished == []
