"""A scenario against its counterfactual: net effects, their split, and cost per job.

Both runs use the same seeds (common random numbers), so replicate i of the
scenario and replicate i of the counterfactual differ only by the scenario's
strategies; the spread of the differences over replicates is the uncertainty
of the effect.

Net jobs split as the HCA Additionality Guide (4th edition 2014) counts them:
*gross direct* jobs (in the firms the strategies brought or assisted: attracted
firms, spin-offs, programme start-ups, and the ordinary arrivals they courted
or supported), less *deadweight* (the jobs of those ordinary arrivals, which
would have come anyway), plus *indirect* (the multiplier: the change of the
jobs that local demand calls for in the visitor, regional and local
industries, whoever fills them), plus *displaced* (the rest: jobs other firms
lose to the strategies' firms, in basic sectors through workers and land, in
the demand-following sectors also through the same demand; and posts left
unfilled; positive where a strategy strengthens firms, as restructuring or
business services do). Gross direct - deadweight + indirect + displaced = net
jobs, exactly; `displaced_basic_jobs` is the part in basic-sector firms. Of the
net jobs, the change in in-commuters is the *leakage*: jobs outsiders hold,
which add no residents (its share is given where net jobs are clearly above
zero). Substitution is not modelled: a firm does not swap one activity for another to
get support. The budget counts the years
before the horizon (spending in the horizon year cannot act on its
1 January stocks). MNOK per net job is that budget divided by the mean net
jobs at the horizon, given only where the 90 % interval of net jobs lies
above zero and at least five replicates make an interval; MNOK per net
job-year divides by the net jobs summed over the years of the run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.inputs.scenario import Scenario

BAND = (5, 95)  # percentiles of the reported interval (90 %)
MIN_REPLICATES = 5  # fewer give no meaningful interval, and no cost per net job


def _wide(outcomes: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    """replicate, year, municipality -> columns of variables."""
    subset = outcomes[outcomes["variable"].isin(variables)]
    return subset.pivot_table(index=["replicate", "year", "municipality"], columns="variable", values="value")


def versus_counterfactual(scenario: Scenario, with_strategies: pd.DataFrame, without: pd.DataFrame) -> pd.DataFrame:
    """Per place at the horizon: net jobs, residents and employed residents with 90 % intervals, split, cost."""
    variables = [
        "jobs",
        "population",
        "employed_residents",
        "in_commuters",
        "jobs_from_strategies",
        "jobs_deadweight",
        "jobs_basic_other",
        "jobs_local_demand",
    ]
    difference = (_wide(with_strategies, variables) - _wide(without, variables)).reset_index()
    budget = _wide(with_strategies, ["strategy_cost_mnok"]).reset_index()
    horizon = int(difference["year"].max())
    replicates = difference["replicate"].nunique()

    def band(values: np.ndarray) -> tuple[float, float]:
        return tuple(np.percentile(values, BAND)) if replicates >= MIN_REPLICATES else (np.nan, np.nan)

    rows = []
    for place, here in difference.groupby("municipality", sort=False):
        final = here[here["year"] == horizon]
        jobs = final["jobs"].to_numpy()
        # Spending in the horizon year cannot act on its 1 January stocks.
        paid = budget[(budget["municipality"] == place) & (budget["year"] < horizon)]
        spent = paid.groupby("replicate")["strategy_cost_mnok"].sum().mean()
        job_years = here[here["year"] > here["year"].min()].groupby("year")["jobs"].mean().sum()
        low, high = band(jobs)
        gains = low > 0  # the interval lies above zero (and there is an interval)
        row = {"scenario": scenario.name, "municipality": place, "year": horizon}
        for name, variable in (
            ("jobs", "jobs"),
            ("population", "population"),
            ("employed_residents", "employed_residents"),
        ):
            values = final[variable].to_numpy()
            row[f"net_{name}"] = values.mean()
            row[f"net_{name}_p5"], row[f"net_{name}_p95"] = band(values)
        gross, deadweight = final["jobs_from_strategies"].mean(), final["jobs_deadweight"].mean()
        indirect = final["jobs_local_demand"].mean()
        displaced_basic = final["jobs_basic_other"].mean()  # ordinary basic firms, assisted or not
        row["net_in_commuters"] = final["in_commuters"].mean()
        row["in_commuter_share_of_net_jobs"] = row["net_in_commuters"] / jobs.mean() if gains else np.nan
        row |= {
            "gross_direct_jobs": gross,
            "deadweight_jobs": deadweight,
            "indirect_jobs": indirect,
            "displaced_jobs": jobs.mean() - gross + deadweight - indirect,
            "displaced_basic_jobs": displaced_basic,
            "budget_mnok": spent,
            "mnok_per_net_job": spent / jobs.mean() if gains and spent > 0 else np.nan,
            "mnok_per_net_job_year": spent / job_years if gains and spent > 0 and job_years > 0 else np.nan,
            "replicates": replicates,
        }
        rows.append(row)
    return pd.DataFrame(rows)
