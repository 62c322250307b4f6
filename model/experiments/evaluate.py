"""The model as a function: parameters in, plain numbers out.

``evaluate(parameters, scenario, seed)`` runs one replicate with the given
parameters (and ``context.<key>`` values) and returns the outcomes at the
horizon as a dict of floats, so SALib, scipy optimisers and exploratory
modelling tools can drive the model without knowing Mesa. A scenario with
strategies is also run without them (the same seed), and net effects are
added.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.experiments.runner import as_scenario, simulate
from model.inputs.scenario import Scenario
from model.inputs.uncertain import set_values

OUTCOMES = ("population", "jobs", "employed_residents", "unemployed")


def horizon_values(outcomes: pd.DataFrame, prefix: str = "") -> dict[str, float]:
    """`<prefix><variable>_<place>` at the horizon (the last year of the table)."""
    last = outcomes[(outcomes["year"] == outcomes["year"].max()) & outcomes["variable"].isin(OUTCOMES)]
    return {f"{prefix}{row.variable}_{row.municipality}": float(row.value) for row in last.itertuples()}


def evaluate(
    parameters: dict[str, float], scenario: Scenario | str | Path, seed: int | None = None, replicate: int = 0
) -> dict[str, float]:
    """Outcomes at the horizon of one replicate, with parameters set by name.

    Returns:
        ``population_<place>``, ``jobs_<place>``, ``employed_residents_<place>`` and
        ``unemployed_<place>`` for every municipality and the region; with strategies also
        ``net_jobs_<place>`` and ``net_population_<place>`` against the same scenario without them.
    """
    chosen = set_values(as_scenario(scenario), parameters)
    values = horizon_values(simulate(chosen, replicate=replicate, seed=seed).outcomes)
    if chosen.levers.strategies:
        without = horizon_values(simulate(chosen.without_strategies(), replicate=replicate, seed=seed).outcomes)
        for key in list(values):
            variable = key.split("_", 1)[0]
            if variable in ("jobs", "population"):
                values[f"net_{key}"] = values[key] - without[key]
    return values
