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
from model.inputs.national import SEXES, NationalData, persons_grid
from model.simulation.demography import cohort_residual, survival

SLOPE_FLOOR = 0.1
"""Least persistence a pull's range is scaled by (a slope near zero would make the range unbounded)."""
MAX_HALF_WIDTH = 0.9
"""Largest half-width of a pull's range, relative to the pull (the lower end stays above zero)."""


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
    ages = table["age"].to_numpy(dtype=int)
    counts = table["persons"].to_numpy(dtype=np.int64)
    stocks = {}
    for year in years:
        mine = table["year"].to_numpy() == year
        stocks[year] = persons_grid(rows[mine], sexes[mine], ages[mine], counts[mine], len(codes))
    return stocks


def migration_persistence(data: MunicipalData, national: NationalData, last_year: int, window: int = 8) -> Persistence:
    """The persistence of municipal net migration over the `window` years before `last_year` (see the module)."""
    first = max(min(data.population_years), last_year - window)
    middle = first + (last_year - first) // 2
    if last_year > max(data.population_years):
        raise ValueError(f"persistence before {last_year} needs persons on 1 January {last_year}")
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

    A relative change d of a pull moves a municipality's net migration by about d times its in-migration
    rate r (in-migrants per resident a year), so the unexplained spread s of the rate is a relative
    spread s / r of the pull after fading, s / (r b) of the fitted one (b the persistence, taken as at
    least SLOPE_FLOOR). The draw is uniform (a Latin hypercube) and centred on the fitted pull: half-width
    sqrt(3) s / (r b) of it, at most MAX_HALF_WIDTH, both ends pulled in alike where one would leave the
    pull's bounds, so the band's centre stays the fitted pull.
    """
    low_bound, high_bound = SETTLEMENT_PULL_BOUNDS
    slope = max(persistence.slope, SLOPE_FLOOR)
    ranges = {}
    for name, value in pull.items():
        rate = in_rates.get(name, 0.0)
        if rate <= 0:
            continue
        relative = min(np.sqrt(3) * persistence.spread_per_1000 / 1000 / (rate * slope), MAX_HALF_WIDTH)
        half = min(value * relative, value - low_bound, high_bound - value)
        if half > 0:
            ranges[name] = (round(float(value - half), 4), round(float(value + half), 4))
    return ranges


def projected_persistence(persistence: Persistence) -> float:
    """The persistence a projection carries: the measured slope inside the parameter's bounds 0-1.5."""
    return round(min(max(persistence.slope, 0.0), 1.5), 3)
