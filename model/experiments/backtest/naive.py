"""Naive benchmark forecasts, from the observed series up to an origin only.

Small-area projections are hard to beat by simple extrapolation (Rayer 2004;
Smith, Tayman and Swanson 2013), so every projection is scored beside these:

- ``no_change``: the value at the origin, held;
- ``linear``: the mean yearly change over the LINEAR_YEARS years before the
  origin, continued (the endpoints of the base period, as in Smith's LIN);
- ``geometric``: the mean yearly growth rate over the GEOMETRIC_YEARS years
  before the origin (or since the first observed year if fewer: the base
  period used is recorded), continued;
- ``mean_no_change_linear``: the mean of the two;
- ``national_share`` (jobs): the value's share of the national total at the
  origin, held, times the observed national total. It uses the national
  outcome after the origin, so its scores are *conditional*.

A forecast never reads an observation after the origin (except the national
total of ``national_share``, as said).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

LINEAR_YEARS = 5
GEOMETRIC_YEARS = 12
METHODS = ("no_change", "linear", "geometric", "mean_no_change_linear")


def _known(series: pd.Series, origin: int) -> pd.Series:
    known = series[series.index <= origin].dropna().sort_index()
    if origin not in known.index:
        raise ValueError(f"no observation at the origin {origin}")
    return known


def base_period(series: pd.Series, origin: int, years: int) -> int:
    """The first year of a base period of `years` before the origin, or the first observed year if fewer."""
    known = _known(series, origin)
    return int(max(origin - years, known.index.min()))


def naive_forecasts(series: pd.Series, origin: int, targets: Iterable[int]) -> pd.DataFrame:
    """Forecasts of one observed series (year -> value) for the target years, by every naive method.

    Returns columns method, year, value, base_from (the first year of the base period used).
    """
    known = _known(series, origin)
    at_origin = float(known[origin])
    rows = []
    linear_from = base_period(series, origin, LINEAR_YEARS)
    geometric_from = base_period(series, origin, GEOMETRIC_YEARS)
    slope = (at_origin - float(known[linear_from])) / (origin - linear_from) if origin > linear_from else 0.0
    start = float(known[geometric_from])
    span = origin - geometric_from
    growth = (at_origin / start) ** (1 / span) - 1 if span > 0 and start > 0 and at_origin > 0 else None
    for year in targets:
        step = year - origin
        if step <= 0:
            raise ValueError(f"target year {year} is not after the origin {origin}")
        linear = at_origin + slope * step
        rows += [
            ("no_change", year, at_origin, origin),
            ("linear", year, linear, linear_from),
            ("mean_no_change_linear", year, (at_origin + linear) / 2, linear_from),
        ]
        if growth is not None:  # a growth rate needs positive values (not so a net flow)
            rows.append(("geometric", year, at_origin * (1 + growth) ** step, geometric_from))
    return pd.DataFrame(rows, columns=["method", "year", "value", "base_from"])


def national_share(series: pd.Series, national: pd.Series, origin: int, targets: Iterable[int]) -> pd.DataFrame:
    """The series' share of the national total at the origin, held, times the observed national total."""
    share = float(_known(series, origin)[origin]) / float(_known(national, origin)[origin])
    rows = [("national_share", year, share * float(national[year]), origin) for year in targets]
    return pd.DataFrame(rows, columns=["method", "year", "value", "base_from"])
