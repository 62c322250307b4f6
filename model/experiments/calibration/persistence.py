"""How much of a municipality's own pull outlasts the years it was seen in: persistence across Norway.

A settlement pull (settlement.py) is fitted to where newcomers went in the
calibration window. Across Norway's municipalities, net migration rates that
stood out in one period stand out about half as much in the next (they regress
to the mean: a housing estate fills, a plant's hiring ends, refugees are
settled elsewhere). The rule, from the stocks before the last known year L
only:

    the window's years (the `window` years before L, from the first year with persons)
    are split in two halves; for every municipality the mean yearly net migration
    per resident in each half, less the mean over the municipalities; the later
    half's deviation regressed on the earlier's (no intercept), each municipality
    weighted by its residents at the window's start:

    persistence = slope,  spread = the residuals' standard deviation (per 1 000 residents a year)

Weighting by residents keeps the chance noise of the smallest municipalities'
rates (a few dozen movers) from flattening the slope: unweighted it is 0.1-0.5,
weighted 0.4-0.8 over the windows before 2011-2026.

The slope becomes `settlement_pull_persistence` (the share of the log pull that
holds after L); the spread, over a municipality's own in-migration rate, the
range a backtest's `--uncertainty` draws each municipality's pull from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.inputs.context import SETTLEMENT_PULL_BOUNDS
from model.inputs.municipal.dataset import MunicipalData
from model.inputs.national import MAX_AGE, SEXES, NationalData
from model.simulation.demography import cohort_residual, survival


@dataclass(frozen=True)
class Persistence:
    """The regression of a later half's net migration on an earlier half's, across Norway's municipalities.

    Attributes:
        slope: the persistence (later deviation over earlier, no intercept).
        spread_per_1000: standard deviation (weighted by residents) of the later deviation the earlier
            does not explain (net migrants per 1 000 residents a year).
        earlier, later: the flow years of each half (net migration during those years).
        municipalities: how many municipalities the regression spans.
    """

    slope: float
    spread_per_1000: float
    earlier: range
    later: range
    municipalities: int


def stocks_by_year(data: MunicipalData, years: range) -> dict[int, np.ndarray]:
    """Persons by municipality (codes in sorted order), sex and age on 1 January of each year."""
    table = data.population[data.population["year"].isin(list(years))]
    codes = sorted(set(table["code"]))
    rows = table["code"].map({c: i for i, c in enumerate(codes)}).to_numpy()
    sexes = table["sex"].map(SEXES.index).to_numpy()
    ages = np.minimum(table["age"].to_numpy(dtype=int), MAX_AGE)
    counts = table["persons"].to_numpy(dtype=np.int64)
    stocks = {}
    for year in years:
        mine = table["year"].to_numpy() == year
        grid = np.zeros((len(codes), len(SEXES), MAX_AGE + 1), dtype=np.int64)
        np.add.at(grid, (rows[mine], sexes[mine], ages[mine]), counts[mine])
        stocks[year] = grid
    return stocks


def migration_persistence(data: MunicipalData, national: NationalData, last_year: int, window: int = 8) -> Persistence:
    """The persistence of municipal net migration over the `window` years before `last_year` (see the module)."""
    first = max(min(data.population_years), last_year - window)
    middle = first + (last_year - first) // 2
    if middle - first < 1 or last_year - middle < 1:
        raise ValueError(f"persistence needs at least two years of flows before {last_year} (from {first})")
    stocks = stocks_by_year(data, range(first, last_year + 1))
    rates = np.array(
        [
            cohort_residual(stocks[y], stocks[y + 1], survival(national, y)) / stocks[y].sum(axis=(1, 2))
            for y in range(first, last_year)
        ]
    )
    weight = stocks[first].sum(axis=(1, 2)) / stocks[first].sum()
    earlier = rates[: middle - first].mean(axis=0)
    later = rates[middle - first :].mean(axis=0)
    x, y = earlier - weight @ earlier, later - weight @ later
    slope = float((weight * x) @ y / ((weight * x) @ x))
    residual = y - slope * x
    return Persistence(
        slope=slope,
        spread_per_1000=1000 * float(np.sqrt(weight @ residual**2)),
        earlier=range(first, middle),
        later=range(middle, last_year),
        municipalities=len(x),
    )


def pull_ranges(
    pull: dict[str, float], in_rates: dict[str, float], persistence: Persistence
) -> dict[str, tuple[float, float]]:
    """Each municipality's range for its fitted pull under `--uncertainty`: what its past does not tell.

    A change d of a log pull moves a municipality's net migration by about d times its in-migration
    rate r (in-migrants per resident a year), so the unexplained spread s of the rate is a spread
    s / r of the log pull after fading, s / (r b) of the fitted one (b the persistence). A uniform
    draw of that standard deviation spans +- sqrt(3) of it; the ends are kept inside the pull's bounds.
    """
    low_bound, high_bound = SETTLEMENT_PULL_BOUNDS
    slope = max(persistence.slope, 0.1)
    ranges = {}
    for name, value in pull.items():
        rate = in_rates.get(name, 0.0)
        if rate <= 0:
            continue
        half = np.sqrt(3) * persistence.spread_per_1000 / 1000 / (rate * slope)
        low, high = max(value * np.exp(-half), low_bound), min(value * np.exp(half), high_bound)
        if high > low:
            ranges[name] = (round(float(low), 4), round(float(high), 4))
    return ranges
