"""Running scenarios: one function per replicate that returns plain data.

``simulate`` runs one replicate and returns its tables; samplers, optimisers
and process pools can call it unchanged. Replicate i of a scenario derives all
its randomness from (seed, i).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from model.inputs.scenario import Scenario
from model.simulation.region_model import RegionModel

YearCallback = Callable[[int], None]


@dataclass
class RunResult:
    """The tables of one replicate.

    Attributes:
        scenario: the scenario's name.
        outcomes: scenario, replicate, year, municipality, variable, value.
        commuting: scenario, replicate, year, residence, workplace, persons.
        replicate: the replicate number.
        seed: the seed used.
        seconds: simulation wall time, set-up included.
        participation_factor: the factor that scaled national participation (see ODD).
    """

    scenario: str
    outcomes: pd.DataFrame
    commuting: pd.DataFrame
    replicate: int
    seed: int
    seconds: float
    participation_factor: float


def as_scenario(scenario: Scenario | str | Path) -> Scenario:
    """A validated scenario from an object or a file path."""
    return scenario if isinstance(scenario, Scenario) else Scenario.from_yaml(scenario)


def simulate(
    scenario: Scenario | str | Path, replicate: int = 0, seed: int | None = None, on_year: YearCallback | None = None
) -> RunResult:
    """Run one replicate from the base year through the horizon."""
    scenario = as_scenario(scenario)
    started = time.perf_counter()
    model = RegionModel(scenario, replicate=replicate, seed=seed)
    while model.running:
        model.step()
        if on_year is not None:
            on_year(model.year - 1)
    nodes = [node.name for node in model.region.nodes]
    result = RunResult(
        scenario=scenario.name,
        outcomes=model.recorder.table(scenario.name, replicate),
        commuting=model.recorder.commuting_table(scenario.name, replicate, nodes),
        replicate=replicate,
        seed=model.seed_value,
        seconds=time.perf_counter() - started,
        participation_factor=model.participation_factor,
    )
    model.release()
    return result


def run(scenario: Scenario | str | Path, seed: int | None = None, replicate: int = 0) -> pd.DataFrame:
    """The outcome table of one replicate as a pandas DataFrame."""
    return simulate(scenario, replicate=replicate, seed=seed).outcomes


def run_replicates(
    scenario: Scenario | str | Path,
    replicates: int | None = None,
    seed: int | None = None,
    on_year: YearCallback | None = None,
) -> list[RunResult]:
    """Replicates 0..n-1 of a scenario, one after the other."""
    scenario = as_scenario(scenario)
    count = scenario.replicates if replicates is None else replicates
    return [simulate(scenario, replicate=i, seed=seed, on_year=on_year) for i in range(count)]
