"""Where newcomers settle, matched to where they went: each municipality's settlement pull.

The optimiser fits region-wide values only (no free value belongs to one
municipality). What they cannot place shows in each municipality's net
migration: a small municipality that took far more or fewer newcomers than
its people, housing, jobs and centrality explain. The pull (context
``settlement_pull``) multiplies a municipality's attraction for newcomers and
internal movers; it is derived, not searched, from the fit years, after the
optimiser has chosen the region-wide values:

    I*_i = max(N_i + O_i, FLOOR * I_i)          pull_i <- pull_i * (I*_i / I_i) / mean

with N_i the observed net migration of municipality i summed over the fit
years (the cohort residual of its stocks, ages 1 and over), O_i and I_i the
model's out- and in-migrants over the same years (mean of the report
replicates), and the mean weighted by I_i, so that the region's total stays
with the region-wide values. Attraction is shared out, so a change of one
pull moves the others: the rule is applied `ROUNDS` times, each on a fresh
run, each step bounded to STEP, the pull itself to the context's 0.25-4.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from model.experiments.executors import Outcome, Task
from model.inputs.context import SETTLEMENT_PULL_BOUNDS
from model.inputs.errors import InputError, Problem
from model.inputs.region import RegionData
from model.inputs.scenario import Scenario
from model.simulation.demography import cohort_residual, survival

ROUNDS = 3
"""Fresh runs, each moving the pull towards the observed net migration (the third changes it by < 2 %)."""
FLOOR = 0.25
"""In-migrants asked of a municipality: at least this share of what the model brings (a residual far
below its out-migration would otherwise ask for none)."""
STEP = (0.5, 2.0)
"""Bounds of one round's change of a pull."""
BOUNDS = SETTLEMENT_PULL_BOUNDS
"""Bounds of a pull (the context's)."""

Run = Callable[[list[Task]], Iterable[Outcome]]


def observed_net_migration(region: RegionData, years: range) -> np.ndarray:
    """Net migration of each municipality summed over `years`: the cohort residual of the observed stocks."""
    stocks = region.observed_population()
    total = np.zeros(region.n_municipalities)
    for year in years:
        total += cohort_residual(stocks[year], stocks[year + 1], survival(region.national, year))
    return total


def modelled_flows(outcomes: pd.DataFrame, region: RegionData, years: range) -> tuple[np.ndarray, np.ndarray]:
    """The model's in- and out-migrants of each municipality summed over `years` (mean of the replicates)."""
    rows = outcomes[outcomes["year"].isin(list(years)) & outcomes["variable"].isin(("in_migrants", "out_migrants"))]
    sums = rows.groupby(["variable", "municipality", "replicate"])["value"].sum().groupby(level=[0, 1]).mean()
    order = list(region.municipalities)
    return sums["in_migrants"].reindex(order).to_numpy(), sums["out_migrants"].reindex(order).to_numpy()


def in_migration_rates(outcomes: pd.DataFrame, region: RegionData, years: range) -> dict[str, float]:
    """In-migrants per resident a year of each municipality over `years` (mean of the replicates)."""
    rows = outcomes[outcomes["year"].isin(list(years))]
    by = rows.groupby(["variable", "municipality"])["value"].mean()
    return {
        name: float(by.get(("in_migrants", name), 0.0) / by[("population", name)])
        for name in region.municipalities
        if by.get(("population", name), 0) > 0
    }


def next_pull(pull: np.ndarray, observed_net: np.ndarray, modelled_in: np.ndarray, modelled_out: np.ndarray):
    """One round of the rule: the pull that would have brought the observed net migration."""
    wanted = np.maximum(observed_net + modelled_out, FLOOR * modelled_in)
    step = np.clip(wanted / np.maximum(modelled_in, 1.0), *STEP)
    step /= np.average(step, weights=modelled_in)
    return np.clip(pull * step, *BOUNDS)


def pull_of(scenario: Scenario, region: RegionData) -> np.ndarray:
    """Each municipality's pull in the scenario's context, 1 where not named."""
    return np.array([scenario.context.settlement_pull.get(name, 1.0) for name in region.municipalities])


def with_pull(scenario: Scenario, region: RegionData, pull: np.ndarray) -> Scenario:
    """The scenario with each municipality's pull in its context (three decimals)."""
    named = {name: round(float(v), 3) for name, v in zip(region.municipalities, pull, strict=True)}
    return scenario.model_copy(update={"context": scenario.context.model_copy(update={"settlement_pull": named})})


def derive_pull(
    run: Run,
    scenario: Scenario,
    region: RegionData,
    years: range,
    replicates: int,
    seed: int,
    observed: np.ndarray | None = None,
) -> tuple[Scenario, pd.DataFrame]:
    """The scenario with its settlement pull fitted to `years`, and the outcome table of its last run.

    `observed` replaces the observed net migration of each municipality over `years` (e.g. by the
    model's own under a known pull, to check that the rule recovers it).
    """
    observed = observed_net_migration(region, years) if observed is None else observed
    pull = pull_of(scenario, region)
    table = outcomes(run, scenario, replicates, seed)
    for _ in range(ROUNDS):
        pull = next_pull(pull, observed, *modelled_flows(table, region, years))
        scenario = with_pull(scenario, region, pull)
        table = outcomes(run, scenario, replicates, seed)
    return scenario, table


def outcomes(run: Run, scenario: Scenario, replicates: int, seed: int) -> pd.DataFrame:
    """The outcome tables of the scenario's replicates 0 .. `replicates` - 1, together."""
    tables = []
    for outcome in run([Task(scenario, r, seed) for r in range(replicates)]):
        if outcome.error:
            raise InputError(Problem(scenario.source or "scenario", f"a run failed: {outcome.error}"))
        tables.append(outcome.result.outcomes)
    return pd.concat(tables)
