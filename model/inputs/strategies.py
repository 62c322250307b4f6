"""The seven strategy types of the region's strategy document, as scenario fields.

Each class holds the fields a planner writes under ``levers.strategies``;
what they do to the model is in :mod:`model.simulation.strategy_effects`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from model.inputs.errors import did_you_mean
from model.inputs.sectors import BASIC_SECTORS, SECTOR_KEYS
from model.inputs.strategy_base import MAX_BUDGET_MNOK, StrategyBase

BASIC_KEYS = tuple(SECTOR_KEYS[i] for i in BASIC_SECTORS)
DWELLINGS_PER_1000 = (0.0, 10.0)  # plausible extra dwellings a year per 1 000 residents of the target
DWELLINGS_PER_1000_NOTE = """Norway builds about 5 dwellings a year per 1 000 residents in all (SSB's
building statistics: 25 000-35 000 a year), so 10 more would triple a place's building."""


def check_sector(value: str, allowed: tuple[str, ...] = SECTOR_KEYS) -> str:
    """The sector key if known, else an error with a hint."""
    if value in SECTOR_KEYS and value not in allowed:
        raise ValueError(f"{value} is not a basic sector; this strategy acts on {', '.join(allowed)}")
    if value not in allowed:
        hint = did_you_mean(value, allowed) or "sectors: " + ", ".join(allowed)
        raise ValueError(f"unknown sector {value!r} ({hint})")
    return value


class AttractBusinesses(StrategyBase):
    """Firms arrive from outside the region (promotion, reception, sites)."""

    type: Literal["attract_businesses"]
    sector: str
    """Sector of the firms courted (a sector key, usually a basic one)."""
    firms_per_year: float = Field(ge=0, le=1000, json_schema_extra={"plausible": [0, 20]})
    """Prospective firms the region works on each year (arrivals if every one succeeds). In a basic
    sector some may be establishments that come this year anyway: the programme cannot tell them
    apart, and those that take its offer are its deadweight (no such firms in the other sectors)."""
    mean_jobs_per_firm: float = Field(gt=0, le=5000, json_schema_extra={"plausible": [2, 200]})
    """Mean positions of an arriving firm (jobs)."""

    @field_validator("sector")
    @classmethod
    def _known_sector(cls, value: str) -> str:
        return check_sector(value)


class CommercialiseRnd(StrategyBase):
    """Spin-offs from the campus or industrial research, after a lag."""

    type: Literal["commercialise_rnd"]
    source: Literal["campus", "industrial_research"]
    """Where the research is: the university campus (ICT and technical services in Gjøvik) or
    industrial research (manufacturing at Raufoss); locations come from the region's data."""
    spinoffs_per_year: float = Field(ge=0, le=1000, json_schema_extra={"plausible": [0, 10]})
    """Spin-off firms the programme supports per year once the lag has passed. Some may be the
    source's own spin-offs that come anyway (deadweight); the programme gives them its survival
    boost too."""
    survival_boost: float = Field(0.3, ge=0, le=1, json_schema_extra={"plausible": [0, 0.5]})
    """Share by which a spin-off's exit hazard is lower than an ordinary firm's (0-1)."""
    lag_years: int = Field(2, ge=0, le=30, json_schema_extra={"plausible": [0, 5]})
    """Years from the start of the programme to the first spin-offs."""


class BusinessServices(StrategyBase):
    """A business-friendly municipality: lower exit hazard, faster hiring."""

    type: Literal["business_services"]
    exit_reduction: float = Field(ge=0, le=1, json_schema_extra={"plausible": [0, 0.2]})
    """Share by which firms' exit hazard falls in the target (0-1)."""
    hiring_speedup: float = Field(ge=0, le=5, json_schema_extra={"plausible": [0, 0.5]})
    """Relative rise of the chance that an open vacancy is filled in a round (0.2 = 20 % faster)."""


class RestructureIndustry(StrategyBase):
    """Existing firms of a sector become more productive and competitive."""

    type: Literal["restructure_industry"]
    sector: str
    """Sector whose firms restructure (a basic sector)."""
    productivity_gain: float = Field(gt=0, le=0.9, json_schema_extra={"plausible": [0.02, 0.3]})
    """Output per worker rises by this share: positions fall to 1/(1 + gain) at once, competitiveness rises."""

    @field_validator("sector")
    @classmethod
    def _basic_sector(cls, value: str) -> str:
        return check_sector(value, BASIC_KEYS)


class GrowthCulture(StrategyBase):
    """More entrepreneurship, and tolerance of failure, in the market sectors."""

    type: Literal["growth_culture"]
    startup_rate_multiplier: float = Field(ge=1, le=10, json_schema_extra={"plausible": [1, 1.5]})
    """Start-ups per year in the market sectors relative to the ordinary rate (1.3 = 30 % more; at least 1)."""
    early_exit_multiplier: float = Field(1.3, ge=1, le=5, json_schema_extra={"plausible": [1, 2]})
    """Excess exit hazard of young firms founded under the programme, relative to ordinary ones."""


class Housing(StrategyBase):
    """More dwellings and residential amenity in the target."""

    type: Literal["housing"]
    dwellings_per_year: float = Field(ge=0, le=100_000)  # plausible: per resident, DWELLINGS_PER_1000
    """Dwellings built each active year on top of the ordinary construction."""
    amenity_gain: float = Field(0.0, ge=0, le=1, json_schema_extra={"plausible": [0, 0.15]})
    """Rise of the residential amenity index over the programme (0.05 = 5 % more attractive), kept after."""


class Infrastructure(StrategyBase):
    """A faster road or train between two nodes."""

    type: Literal["infrastructure"]
    from_node: str
    """A municipality or daily outside node (e.g. Gjøvik)."""
    to_node: str
    """Another municipality or daily outside node (e.g. Oslo)."""
    minutes_saved: float = Field(gt=0, le=300, json_schema_extra={"plausible": [1, 30]})
    """Commuting minutes saved between the two nodes from the first year on (kept after)."""
    state_funding_mnok_per_year: float = Field(0.0, ge=0, le=MAX_BUDGET_MNOK)
    """Money from the state (or others) for the link in each active year, in MNOK: with the region's
    budget it pays for the minutes saved (docs/ODD.md: minute_saved_mnok), but it is not the region's
    cost and is left out of its cost per job."""


STRATEGY_CLASSES = (
    AttractBusinesses,
    CommercialiseRnd,
    BusinessServices,
    RestructureIndustry,
    GrowthCulture,
    Housing,
    Infrastructure,
)
STRATEGY_TYPES: tuple[str, ...] = tuple(cls.model_fields["type"].annotation.__args__[0] for cls in STRATEGY_CLASSES)
