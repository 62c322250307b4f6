"""Shared fixtures: the baseline scenario, short horizons and cached runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.inputs.scenario import Scenario, Years
from model.simulation.region_model import RegionModel

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="session")
def baseline() -> Scenario:
    """The baseline scenario as shipped."""
    return Scenario.from_yaml(BASELINE)


def with_horizon(scenario: Scenario, end: int) -> Scenario:
    """The scenario with a shorter horizon (reporting window from the base year)."""
    return scenario.model_copy(update={"years": Years(start=min(scenario.years.start, end), end=end)})


@pytest.fixture(scope="session")
def baseline_model(baseline: Scenario) -> RegionModel:
    """One full baseline replicate, run to the horizon (shared; do not mutate)."""
    model = RegionModel(baseline, replicate=0)
    model.run()
    return model


@pytest.fixture(autouse=True, scope="module")
def _release_models():
    """Forget Mesa's per-model id counters after each test module, so finished models can be freed."""
    yield
    import mesa

    mesa.Agent._ids.clear()
