"""What a strategy's budget buys: the intensity that acts is what the money pays for.

Each strategy writes an intensity (prospects, spin-offs, a service level, a
productivity gain, more start-ups, dwellings, amenity, minutes saved) and a
budget. At the prices of :mod:`model.inputs.parameters` (one named parameter
per strategy, documented in docs/ODD.md) the written intensity costs so much a
year; a budget below that buys its share, and the run uses that share of the
intensity. So the budget, not a typed number, sets the scale: 20 MNOK a year
work on about four prospects, whether five or 500 are written.

Prices scale with what the strategy works on, read from the base year's
snapshot: jobs in the target (business services), the sector's jobs in the
target (restructuring), residents of the target (growth culture, amenity).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from model.inputs.parameters import Parameters
from model.inputs.sectors import SECTOR_INDEX
from model.inputs.strategies import (
    AttractBusinesses,
    BusinessServices,
    CommercialiseRnd,
    GrowthCulture,
    Housing,
    Infrastructure,
    RestructureIndustry,
)

FULL_EXIT_REDUCTION = 0.1  # the full business-service level: exit hazard 10 % lower ...
FULL_HIRING_SPEEDUP = 0.2  # ... and vacancies filled 20 % faster
GAIN_UNIT = 0.1  # restructuring and growth-culture prices are per 10 %
AMENITY_UNIT = 0.01  # amenity's price is per 0.01 of the index a year


@dataclass(frozen=True)
class TargetSize:
    """What a strategy works on, at the base year: the target's residents and jobs by sector."""

    residents: float
    jobs_by_sector: np.ndarray

    @classmethod
    def of(cls, persons: np.ndarray, jobs_by_sector: np.ndarray, target: np.ndarray) -> TargetSize:
        """From a snapshot's persons (municipality, sex, age) and jobs (municipality, sector)."""
        return cls(float(persons[target].sum()), jobs_by_sector[target].sum(axis=0).astype(float))


@dataclass(frozen=True)
class Funding:
    """A strategy's yearly cost as written, the share its budget pays, and the strategy that acts."""

    cost_mnok_per_year: float
    share: float
    acting: Any

    @property
    def short(self) -> bool:
        """Whether the budget buys less than the written intensity."""
        return self.share < 1 - 1e-9


def funding(strategy: Any, size: TargetSize, p: Parameters, active_years: int) -> Funding:
    """The written intensity's cost a year, the share the budget pays, and the intensity that acts."""
    cost = yearly_cost(strategy, size, p, active_years)
    budget = strategy.budget_mnok_per_year + getattr(strategy, "state_funding_mnok_per_year", 0.0)
    share = 1.0 if cost <= 0 else min(1.0, budget / cost)
    return Funding(cost, share, scaled(strategy, share))


def target_indices(region: Any, target: str) -> np.ndarray:
    """The municipalities a strategy's `target` names: all for `regional`, else the one named."""
    return np.arange(region.n_municipalities) if target == "regional" else np.array([region.municipality(target)])


def funded_strategies(
    levers: Any, targets: list[np.ndarray], snapshot: Any, p: Parameters, window: tuple[int, int]
) -> list[Funding]:
    """Each strategy's funding, sized on the base year's snapshot; `window` is (first reporting year, horizon)."""
    start, horizon = window
    jobs = base_jobs(snapshot)
    return [
        funding(
            strategy,
            TargetSize.of(snapshot.persons, jobs, target),
            p,
            max(strategy.last_year(horizon) - strategy.first_year(start) + 1, 1),
        )
        for strategy, target in zip(levers.strategies, targets, strict=True)
    ]


def base_jobs(snapshot: Any) -> np.ndarray:
    """Jobs by municipality and sector as the run starts: the sector split scaled to the commuting table's totals.

    The same rule as the initial state's (a derived snapshot keeps an earlier year's split).
    """
    split = snapshot.jobs_by_sector.astype(float)
    totals = snapshot.commuting[:, : len(split)].sum(axis=0)
    return split / np.maximum(split.sum(axis=1, keepdims=True), 1) * totals[:, None]


def yearly_cost(strategy: Any, size: TargetSize, p: Parameters, active_years: int) -> float:
    """MNOK a year the written intensity costs at the documented prices."""
    match strategy:
        case AttractBusinesses():
            # Each prospect worked on needs its handling and the standard offer (a 63 % chance).
            return strategy.firms_per_year * (p.prospect_handling_mnok + p.attraction_cost_mnok)
        case CommercialiseRnd():
            return strategy.spinoffs_per_year * p.spinoff_support_mnok
        case BusinessServices():
            level = max(strategy.exit_reduction / FULL_EXIT_REDUCTION, strategy.hiring_speedup / FULL_HIRING_SPEEDUP)
            return level * size.jobs_by_sector.sum() / 1000 * p.business_services_mnok_per_1000_jobs
        case RestructureIndustry():
            jobs = size.jobs_by_sector[SECTOR_INDEX[strategy.sector]]
            return strategy.productivity_gain / GAIN_UNIT * jobs / 1000 * p.restructuring_mnok_per_1000_jobs
        case GrowthCulture():
            extra = (strategy.startup_rate_multiplier - 1) / GAIN_UNIT
            return extra * size.residents / 10_000 * p.growth_culture_mnok_per_10000_residents
        case Housing():
            amenity = strategy.amenity_gain / active_years / AMENITY_UNIT * size.residents / 1000
            return (
                strategy.dwellings_per_year * p.dwelling_public_cost_mnok + amenity * p.amenity_mnok_per_1000_residents
            )
        case Infrastructure():
            return strategy.minutes_saved * p.minute_saved_mnok / active_years
    raise TypeError(f"no price for {type(strategy).__name__}")


INTENSITIES = {
    AttractBusinesses: ("firms_per_year",),
    CommercialiseRnd: ("spinoffs_per_year",),
    BusinessServices: ("exit_reduction", "hiring_speedup"),
    RestructureIndustry: ("productivity_gain",),
    GrowthCulture: ("startup_rate_multiplier", "early_exit_multiplier"),
    Housing: ("dwellings_per_year", "amenity_gain"),
    Infrastructure: ("minutes_saved",),
}
"""The fields a budget scales, per strategy type."""
MULTIPLIERS = ("startup_rate_multiplier", "early_exit_multiplier")
"""Intensities written as multipliers: a share of the money buys that share of their excess over 1."""


def scaled(strategy: Any, share: float) -> Any:
    """The strategy with its intensity cut to the share its budget pays (itself if fully paid)."""
    if share >= 1:
        return strategy
    fields = INTENSITIES.get(type(strategy))
    if fields is None:
        raise TypeError(f"no intensity for {type(strategy).__name__}")
    update = {}
    for name in fields:
        value = getattr(strategy, name)
        update[name] = 1 + (value - 1) * share if name in MULTIPLIERS else value * share
    return strategy.model_copy(update=update)


def shortfall_note(funded: Funding, strategy: Any) -> str:
    """What the budget buys of a strategy that costs more than it, in a planner's words."""
    fields = ", ".join(
        f"{name} {number(getattr(strategy, name))} -> {number(getattr(funded.acting, name))}"
        for name in INTENSITIES[type(strategy)]
    )
    what = "buys nothing" if funded.share == 0 else f"buys {number(100 * funded.share)} % of it"
    money = f"its budget of {number(strategy.budget_mnok_per_year)}"
    fix = "budget_mnok_per_year"
    if isinstance(strategy, Infrastructure):
        money += f" and {number(strategy.state_funding_mnok_per_year)} from the state"
        fix += " + state_funding_mnok_per_year"
    return (
        f"it costs {number(funded.cost_mnok_per_year)} MNOK a year at the prices of docs/ODD.md and {money} {what}; "
        f"the run uses {fields}. To fix: raise {fix} to {number(funded.cost_mnok_per_year)}, or write less"
    )


def number(value: float) -> str:
    """A number as a message shows it: three significant digits, never an exponent."""
    if value == 0 or abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 0.001:
        return f"{value:.3g}"
    return f"{value:.6f}".rstrip("0")
