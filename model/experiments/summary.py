"""Numbers of an ensemble: values at the horizon, differences to the baseline, bands over time.

Differences are taken replicate by replicate (the same seeds in every
scenario), then summarised: mean, and the 5 % and 95 % quantiles, so the
interval shows how the effect varies with chance, not the spread of two
unrelated clouds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.inputs.sectors import SECTOR_KEYS
from model.simulation.firms import Origin

LOW, HIGH = 0.05, 0.95
KEY_VARIABLES: tuple[str, ...] = (
    "population",
    "population_0_5",
    "population_6_15",
    "population_16_19",
    "population_20_66",
    "population_67_79",
    "population_80_plus",
    "jobs",
    "employed_residents",
    "unemployed",
    "in_commuters",
    "out_commuters",
    "vacancies",
    "firms",
    *(f"jobs_{k}" for k in SECTOR_KEYS),
    *(f"vacancies_{k}" for k in SECTOR_KEYS),
    *(f"jobs_{o.name.lower()}" for o in Origin),
    "jobs_from_strategies",
    "jobs_deadweight",
)


def _band(values: pd.core.groupby.DataFrameGroupBy) -> pd.DataFrame:
    return values.agg(mean="mean", p5=lambda v: v.quantile(LOW), p95=lambda v: v.quantile(HIGH))


def horizon_table(ensemble, year: int) -> pd.DataFrame:
    """Per scenario, municipality and key variable at the horizon, the summary table.

    Mean, 5 % and 95 % quantiles; difference to the baseline (mean and 90 %
    interval over paired replicates); budget over the run and MNOK per net job.
    """
    store, replicates = ensemble.store, ensemble.complete_replicates()
    baseline = ensemble.scenarios[0].name
    index = ["replicate", "municipality", "variable"]
    values = {
        s.name: store.outcomes(s.name, replicates, list(KEY_VARIABLES), [year]).set_index(index)["value"]
        for s in ensemble.scenarios
    }
    budgets = {s.name: _budget(store, s.name, replicates, year) for s in ensemble.scenarios}
    rows = []
    for scenario in ensemble.scenarios:
        here = values[scenario.name]
        table = _band(here.groupby(level=["municipality", "variable"]))
        difference = _band((here - values[baseline]).groupby(level=["municipality", "variable"]))
        table = table.join(difference.add_prefix("difference_"))
        table["budget_mnok"] = (
            (budgets[scenario.name] - budgets[baseline]).reindex(table.index.get_level_values(0)).to_numpy()
        )
        jobs = table.index.get_level_values("variable") == "jobs"
        gains = jobs & (table["difference_p5"] > 0) & (table["budget_mnok"] > 0)
        table["mnok_per_net_job"] = np.where(gains, table["budget_mnok"] / table["difference_mean"], np.nan)
        table.insert(0, "year", year)
        table.insert(0, "scenario", scenario.name)
        rows.append(table.reset_index())
    result = pd.concat(rows, ignore_index=True)
    result.loc[result["scenario"] == baseline, [c for c in result.columns if c.startswith("difference_")]] = np.nan
    return result


def _budget(store, scenario: str, replicates: list[int], horizon: int) -> pd.Series:
    """Strategy spending before the horizon year, per municipality (the same in every replicate).

    Spending in the horizon year cannot act on its 1 January stocks.
    """
    spent = store.outcomes(scenario, replicates[:1], ["strategy_cost_mnok"])
    return spent[spent["year"] < horizon].groupby("municipality")["value"].sum()


def over_time(ensemble, variables: list[str]) -> pd.DataFrame:
    """Per scenario, municipality, variable and year: mean and band of the value and of the difference."""
    store, replicates = ensemble.store, ensemble.complete_replicates()
    baseline = ensemble.scenarios[0].name
    tables = {s.name: store.outcomes(s.name, replicates, variables) for s in ensemble.scenarios}
    return bands_over_time(tables, baseline)


def bands_over_time(outcomes: dict[str, pd.DataFrame], baseline: str) -> pd.DataFrame:
    """Bands over time of outcome tables by scenario, and of their paired differences to the baseline."""
    index = ["replicate", "year", "municipality", "variable"]
    levels = ["municipality", "variable", "year"]
    base = outcomes[baseline].set_index(index)["value"]
    frames = []
    for name, table in outcomes.items():
        here = table.set_index(index)["value"]
        bands = _band(here.groupby(level=levels)).join(
            _band((here - base).groupby(level=levels)).add_prefix("difference_")
        )
        frames.append(bands.reset_index().assign(scenario=name))
    return pd.concat(frames, ignore_index=True)


def commuting_at(ensemble, year: int) -> dict[str, pd.DataFrame]:
    """Mean commuting flows (residence x workplace) at a year, per scenario."""
    store, replicates = ensemble.store, ensemble.complete_replicates()
    matrices = {}
    for scenario in ensemble.scenarios:
        total = None
        for flows in store.commuting(scenario.name, replicates, year):
            matrix = flows.pivot_table(index="residence", columns="workplace", values="persons", aggfunc="sum")
            total = matrix if total is None else total.add(matrix, fill_value=0)
        matrices[scenario.name] = total / len(replicates)
    return matrices
