"""The forecasts scored at one origin: the model's (replicate mean and 5-95 % band) and the naive ones.

Rows are (origin, place, variable, year, method, value, low, high, base_from,
conditional). Stocks are on 1 January of `year`; net migration is the flow
during `year`, so its horizon is `year` - origin + 1 and its naive forecasts
extrapolate the flows up to the year before the origin (no geometric trend:
a net flow can change sign).
"""

from __future__ import annotations

import pandas as pd

from model.experiments.backtest.naive import naive_forecasts, national_share
from model.experiments.backtest.observed import FLOWS, LABOUR, STOCKS

MODEL = "model"
LOW, HIGH = 0.05, 0.95


def model_forecasts(outcomes: pd.DataFrame, origin: int) -> pd.DataFrame:
    """The model's forecasts after the origin: the mean over replicates and its 5-95 % band."""
    wide = outcomes.pivot_table(index=["replicate", "municipality", "year"], columns="variable", values="value")
    wide["net_migration"] = wide["in_migrants"] - wide["out_migrants"]
    keep = [v for v in (*STOCKS, *LABOUR, *FLOWS) if v in wide.columns]
    long = wide[keep].stack().rename("value").reset_index().rename(columns={"municipality": "place"})
    flows = long["variable"].isin(FLOWS)
    long = long[(flows & (long["year"] >= origin)) | (~flows & (long["year"] > origin))]
    grouped = long.groupby(["place", "variable", "year"])["value"]
    table = pd.DataFrame(
        {"value": grouped.mean(), "low": grouped.quantile(LOW), "high": grouped.quantile(HIGH)}
    ).reset_index()
    return table.assign(origin=origin, method=MODEL, base_from=origin, conditional=False)


def naive_table(observed: pd.DataFrame, national: dict[str, pd.Series], origin: int) -> pd.DataFrame:
    """The naive forecasts of every observed series at the origin, for the years observed after it."""
    parts = []
    for (place, variable), rows in observed.groupby(["place", "variable"]):
        series = rows.set_index("year")["value"].sort_index()
        flow = variable in FLOWS
        if flow:
            series.index = series.index + 1  # a flow is known once its year has ended
        if origin not in series.index:
            continue
        targets = [int(y) for y in series.index if y > origin]
        if not targets:
            continue
        if variable in LABOUR:
            table = naive_forecasts(series, origin, targets)
            table = table[table["method"] == "no_change"]
            table = pd.concat([table, national_share(series, national[variable], origin, targets)])
            table["conditional"] = table["method"] == "national_share"
        else:
            table = naive_forecasts(series, origin, targets).assign(conditional=False)
        if flow:  # a growth rate of a net flow that can change sign means nothing
            table = table[table["method"] != "geometric"]
            table[["year", "base_from"]] -= 1
        parts.append(table.assign(origin=origin, place=place, variable=variable))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
