"""Error measures of projections against observations, by horizon.

For each cell (origin, place, variable, target year) the percentage error is
100 (F - O) / S, S being the observed value O itself for a stock and the
population at the start of the year for net migration (model/experiments/
backtest/observed.py): MALPE(h) is its mean at horizon h (signed, + = too
high), MAPE(h) the mean of its absolute value; the shares of cells within 2 %
and 5 % say how often a planner would have been close. The horizon of a
stock on 1 January Y is Y - origin; that of a flow during Y is Y - origin + 1.
Coverage is the share of cells whose observation lies in the model's 5-95 %
band over replicates.
"""

from __future__ import annotations

import pandas as pd

KEYS = ["origin", "place", "variable", "year"]


def cell_errors(forecasts: pd.DataFrame, observed: pd.DataFrame, flows: tuple[str, ...] = ()) -> pd.DataFrame:
    """Forecasts (KEYS, method, value) beside observations (KEYS without origin, value, scale): errors.

    Cells without an observation are dropped; a scale of zero cannot give a percentage error and is refused.
    `observed` without a `scale` column scales by the observed value.
    """
    observed = observed.rename(columns={"value": "observed"})
    if "scale" not in observed:
        observed = observed.assign(scale=observed["observed"])
    merged = forecasts.merge(observed, on=["place", "variable", "year"])
    if (merged["scale"] == 0).any():
        raise ValueError("an observed value of zero cannot give a percentage error")
    merged["horizon"] = merged["year"] - merged["origin"] + merged["variable"].isin(flows).astype(int)
    merged["error"] = merged["value"] - merged["observed"]
    merged["error_pct"] = 100 * merged["error"] / merged["scale"]
    if {"low", "high"} <= set(merged.columns):
        banded = merged["low"].notna()
        merged["covered"] = ((merged["low"] <= merged["observed"]) & (merged["observed"] <= merged["high"])).where(
            banded
        )
    return merged


def by_horizon(errors: pd.DataFrame, group: list[str] | None = None) -> pd.DataFrame:
    """MAPE, MALPE and the shares within 2 % and 5 % by method, variable and horizon (and `group`)."""
    keys = ["method", "variable", "horizon", *(group or [])]
    absolute = errors["error_pct"].abs()
    table = errors.assign(absolute=absolute, within_2=absolute <= 2, within_5=absolute <= 5)
    if "covered" not in table:
        table["covered"] = float("nan")
    table["covered"] = table["covered"].astype(float)
    result = table.groupby(keys).agg(
        mape=("absolute", "mean"),
        malpe=("error_pct", "mean"),
        within_2_pct=("within_2", "mean"),
        within_5_pct=("within_5", "mean"),
        coverage_pct=("covered", "mean"),
        cells=("error_pct", "size"),
    )
    result[["within_2_pct", "within_5_pct", "coverage_pct"]] *= 100
    return result.reset_index()
