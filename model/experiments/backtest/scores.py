"""Error measures of projections against observations, by horizon.

For each cell (origin, place, variable, target year) the percentage error is
100 (F - O) / O: MALPE(h) is its mean at horizon h = year - origin (signed,
+ = too high), MAPE(h) the mean of its absolute value; the shares of cells
within 2 % and 5 % say how often a planner would have been close.
"""

from __future__ import annotations

import pandas as pd

KEYS = ["origin", "place", "variable", "year"]


def cell_errors(forecasts: pd.DataFrame, observed: pd.DataFrame) -> pd.DataFrame:
    """Forecasts (KEYS, method, value) beside observations (KEYS without origin, value): percentage errors.

    Cells without an observation are dropped; an observation of zero cannot be scored and is refused.
    """
    merged = forecasts.merge(observed.rename(columns={"value": "observed"}), on=["place", "variable", "year"])
    if (merged["observed"] == 0).any():
        raise ValueError("an observed value of zero cannot give a percentage error")
    merged["horizon"] = merged["year"] - merged["origin"]
    merged["error_pct"] = 100 * (merged["value"] - merged["observed"]) / merged["observed"]
    return merged


def by_horizon(errors: pd.DataFrame, group: list[str] | None = None) -> pd.DataFrame:
    """MAPE, MALPE and the shares within 2 % and 5 % by method, variable and horizon (and `group`)."""
    keys = ["method", "variable", "horizon", *(group or [])]
    absolute = errors["error_pct"].abs()
    table = errors.assign(absolute=absolute, within_2=absolute <= 2, within_5=absolute <= 5)
    result = table.groupby(keys).agg(
        mape=("absolute", "mean"),
        malpe=("error_pct", "mean"),
        within_2_pct=("within_2", "mean"),
        within_5_pct=("within_5", "mean"),
        cells=("error_pct", "size"),
    )
    result[["within_2_pct", "within_5_pct"]] *= 100
    return result.reset_index()
