"""A scenario against its counterfactual: net effects, their split, and cost per job.

Both runs use the same seeds (common random numbers), so replicate i of the
scenario and replicate i of the counterfactual differ only by the scenario's
strategies; the spread of the differences over replicates is the uncertainty
of the effect.

Net jobs split into *direct* (jobs in the firms the strategies brought:
attracted firms, spin-offs, and start-ups where a growth-culture strategy
acts), *displaced* (the change in all other basic-sector jobs: negative when
newcomers take workers or land from existing export firms, positive where a
strategy strengthens them) and *indirect* (visitor, regional and local
industries: the local multiplier). MNOK per net job is the total budget over
the run divided by the mean net jobs at the horizon, given only where the 90 %
interval of net jobs lies above zero (a cost per job lost means nothing);
MNOK per net job-year divides by the net jobs summed over the years of the run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.scenario import Scenario
from model.sectors import BASIC_SECTORS, SECTOR_KEYS

BAND = (5, 95)  # percentiles of the reported interval (90 %)
BASIC_JOBS = tuple(f"jobs_{SECTOR_KEYS[i]}" for i in BASIC_SECTORS)


def _wide(outcomes: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    """replicate, year, municipality -> columns of variables."""
    subset = outcomes[outcomes["variable"].isin(variables)]
    return subset.pivot_table(index=["replicate", "year", "municipality"], columns="variable", values="value")


def versus_counterfactual(scenario: Scenario, with_strategies: pd.DataFrame, without: pd.DataFrame) -> pd.DataFrame:
    """Per place at the horizon: net jobs and population with 90 % intervals, split, cost per job."""
    growth_culture = any(s.type == "growth_culture" for s in scenario.levers.strategies)
    direct_jobs = ["jobs_attracted", "jobs_spinoff", *(["jobs_startup"] if growth_culture else [])]
    variables = ["jobs", "population", "strategy_cost_mnok", *BASIC_JOBS, *direct_jobs]
    difference = (_wide(with_strategies, variables) - _wide(without, variables)).reset_index()
    difference["direct"] = difference[direct_jobs].sum(axis=1)
    difference["displaced"] = difference[list(BASIC_JOBS)].sum(axis=1) - difference["direct"]
    difference["indirect"] = difference["jobs"] - difference["direct"] - difference["displaced"]
    budget = _wide(with_strategies, ["strategy_cost_mnok"]).reset_index()
    horizon = int(difference["year"].max())

    rows = []
    for place, here in difference.groupby("municipality", sort=False):
        final = here[here["year"] == horizon]
        jobs, population = final["jobs"].to_numpy(), final["population"].to_numpy()
        spent = budget[budget["municipality"] == place].groupby("replicate")["strategy_cost_mnok"].sum().mean()
        job_years = here.groupby("year")["jobs"].mean().sum()
        low, high = np.percentile(jobs, BAND)
        gains = low > 0  # the interval excludes zero, on the side of more jobs
        rows.append(
            {
                "scenario": scenario.name,
                "municipality": place,
                "year": horizon,
                "net_jobs": jobs.mean(),
                "net_jobs_p5": low,
                "net_jobs_p95": high,
                "net_population": population.mean(),
                "net_population_p5": np.percentile(population, BAND[0]),
                "net_population_p95": np.percentile(population, BAND[1]),
                "direct_jobs": final["direct"].mean(),
                "displaced_jobs": final["displaced"].mean(),
                "indirect_jobs": final["indirect"].mean(),
                "budget_mnok": spent,
                "mnok_per_net_job": spent / jobs.mean() if gains and spent > 0 else np.nan,
                "mnok_per_net_job_year": spent / job_years if gains and spent > 0 and job_years > 0 else np.nan,
                "replicates": len(jobs),
            }
        )
    return pd.DataFrame(rows)
