"""The context of a scenario: national trends and demographic conditions, uncertain and not chosen.

Kept apart from the scenario so that the uncertain names (``context.<key>``)
can be resolved against it without importing the whole scenario language.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from model.inputs.errors import did_you_mean
from model.inputs.sectors import BASIC_SECTORS, SECTOR_KEYS
from model.inputs.validation import Strict

Persons = Annotated[float, Field(ge=0, le=1_000_000)]


def _default_growth() -> dict[str, float]:
    return {"agriculture_food": -0.01, "manufacturing": -0.005, "ict_technical": 0.02}


NATIONAL_GROWTH_PLAUSIBLE = {
    "agriculture_food": (-0.025, 0.005),
    "manufacturing": (-0.03, 0.01),
    "ict_technical": (0.0, 0.04),
}
NATIONAL_GROWTH_NOTE = """A judgement around the long-run trends, wide enough to hold the 2015-16
change of Norway's employment in the shared data (NAV table: manufacturing -2.6 %, ICT and
technical services +1.9 %; agriculture has a break in the series)."""


SETTLEMENT_PULL_BOUNDS = (0.25, 4.0)
"""Bounds of a municipality's settlement pull (times the model's own attraction)."""
SETTLEMENT_PULL_PLAUSIBLE = (0.5, 2.0)
"""Plausible settlement pulls: outside this `check` warns."""


class Context(Strict):
    """Exogenous context: national trends and demographic conditions (uncertain, not chosen)."""

    national_job_growth: dict[str, float] = Field(default_factory=_default_growth)
    """Yearly national job growth by basic sector (share/year, -0.5..1). Defaults: long-run
    trends 2008-2017, agriculture and food -1 %, manufacturing -0.5 %, ICT and technical
    services +2 % a year. Other sectors follow local demand and ignore this."""
    job_growth_path: Literal["trend", "national"] = "national"
    """`national`: in the years whose growth Norway's jobs record (SSB 11618, 4th quarters
    2017-2022, as known to the region) the basic sectors' trends are moved by Norway's growth of
    the year over its mean growth in those years (the business cycle, with 2018-2022 known:
    +0.7 % in 2018, -2.1 % in 2020); after them the trends hold. `trend`: the trends in every year."""
    fertility_scaling: float = Field(1.0, ge=0, le=3, json_schema_extra={"plausible": [0.75, 1.1]})
    """Multiplies Norway's age-specific fertility of the year (the nearest data year outside
    2008-2017; TFR 1.62 in 2017). Plausible: SSB's low and high fertility alternatives lie about
    12 % around the main one, and inland regions' fertility has run below Norway's."""
    mortality_scaling: float = Field(1.0, ge=0, le=3, json_schema_extra={"plausible": [0.85, 1.15]})
    """Multiplies Norway's death rates. Plausible: county death rates differ from Norway's by up to
    about 15 %."""
    mortality_improvement_per_year: float = Field(0.01, ge=0, le=0.1, json_schema_extra={"plausible": [0.0, 0.02]})
    """Yearly fall in death rates after the last data year (share/year); about 1 % keeps
    life expectancy rising by 1-1.5 years a decade, as in SSB's main projections (its low and
    high alternatives span roughly 0-2 %)."""
    immigration_per_year: Persons | dict[str, Persons] = Field(350.0, json_schema_extra={"plausible": [300, 1100]})
    """Persons settling in the region from abroad per year, refugees included (2005-06: 310-344):
    one number for the region (settling where people of their age live), or a mapping of
    municipality names to numbers, with `regional` for the rest. Plausible for the region as a
    whole: from about the 2005-06 level to the effective level the calibrated hindcast needed in
    2013-2017 (about 1 000, which also stands in for domestic moves the model misses). A value
    set by calibration, uncertainty or sensitivity is the region's total: a mapping is scaled to it.
    `check` warns, in any region, outside 1-20 a year per 1 000 residents (Norway: 8-17 in 2005-2025)."""
    immigration_growth_per_year: float = Field(0.0, ge=-0.5, le=1, json_schema_extra={"plausible": [-0.05, 0.15]})
    """Yearly growth of immigration after the base year (share/year): immigration in year t is
    `immigration_per_year` x (1 + this)^(t - base year). Plausible: Norway's immigration roughly
    doubled from 2005 to 2011 (about +12 %/year) and fell by a quarter from 2012 to 2017; the
    calibrated hindcast needs +11.8 %/year for 2005-2017."""
    immigration_path: Literal["constant", "national"] = "constant"
    """`constant`: the region's immigration is `immigration_per_year` every year (times its growth).
    `national`: it also moves with Norway's gross immigration of the year (the cohort residual of
    Norway's stocks plus emigration; see model/simulation/immigration.py), relative to the year
    `immigration_reference_year`; after the last known year Norway's rate is the mean of the last
    `immigration_assumption_years` known years."""
    immigration_reference_year: int | None = Field(None, ge=1986, le=2100)
    """The year whose national rate `immigration_per_year` belongs to under the `national` path
    (default: the base year). A projection from a calibration names the calibration's first year."""
    national_emigration_per_1000: float = Field(5.5, ge=0, le=20, json_schema_extra={"plausible": [4.5, 7.0]})
    """Estimate: Norway's emigration per 1 000 residents a year, the rule from net to gross
    immigration (gross = net + emigration). Norway's emigration has been about 22 000-37 000 a year
    since 2008 (SSB migration statistics), 4.5-7 per 1 000 residents; it varies far less than
    immigration, so one steady rate carries the rule."""
    immigration_assumption_scaling: float = Field(1.0, ge=0, le=5, json_schema_extra={"plausible": [0.7, 1.45]})
    """Multiplies Norway's assumed immigration rate after the last known year (the `national` path).
    Plausible: the lowest and highest of the ten years before 2026 over their mean, 0.73-1.44; a
    backtest's `--uncertainty` draws it from the same ratio of the ten years before each origin."""
    immigration_assumption_years: int = Field(10, ge=1, le=30)
    """Known years whose mean gives Norway's immigration rate after the last known year (years).
    Ten years span a whole swing of Norway's immigration (the high years 2007-2013, the low
    2016-2021), so the assumption is a long-run level, not the last boom or lull; its uncertainty
    range is the lowest and highest of those years."""
    settlement_pull: dict[str, float] = {}
    """Estimate: how strongly each named municipality draws newcomers and movers, times the model's
    own attraction (housing, amenity, reachable vacancies, centrality); 1 where not named. Derived by
    a region calibration (`settlement_pull: true`) from the municipalities' net migration, the
    cohort residual of their stocks, over the calibration window, so that the model's settlement
    matches where people went in those years (model/experiments/calibration/settlement.py). After
    the region's last known year it fades to pull ** `settlement_pull_persistence`.
    Plausible: 0.5-2; bounded to 0.25-4."""
    outside_job_growth: float = Field(0.0, ge=-0.5, le=1, json_schema_extra={"plausible": [-0.01, 0.02]})
    """Yearly growth of jobs open to the region's residents at outside nodes (share/year).
    Plausible: jobs in Oslo and the neighbouring regions grew 0-2 % a year 2008-2017."""
    national_path: Literal["as_known", "observed"] = "as_known"
    """Norway's fertility and age structure after the region's last known year: `as_known` holds
    the latest known level (the documented assumption of a projection); `observed` reads every
    year of the national data (a backtest's `--ex-post`: conditional on the national outcome)."""
    visitor_growth_per_year: float = Field(0.0, ge=-0.5, le=1, json_schema_extra={"plausible": [-0.01, 0.02]})
    """Yearly growth of visitor demand for retail and hospitality (share/year). Plausible:
    about as uncertain as outside job growth."""

    @field_validator("settlement_pull")
    @classmethod
    def _pull_bounds(cls, pull: dict[str, float]) -> dict[str, float]:
        low, high = SETTLEMENT_PULL_BOUNDS
        faults = [
            f"{name}: {value} is outside {low:g}-{high:g}" for name, value in pull.items() if not low <= value <= high
        ]
        if faults:
            raise ValueError("; ".join(faults) + " (a municipality's pull times the model's own attraction)")
        return pull

    @field_validator("national_job_growth")
    @classmethod
    def _basic_sectors(cls, growth: dict[str, float]) -> dict[str, float]:
        basic = [SECTOR_KEYS[i] for i in BASIC_SECTORS]
        faults = []
        for key, value in growth.items():
            if key in SECTOR_KEYS and key not in basic:
                faults.append(f"{key} follows local demand, not a national trend")
            elif key not in SECTOR_KEYS:
                hint = did_you_mean(key, basic)
                faults.append(f"unknown sector {key!r}" + (f" ({hint})" if hint else ""))
            elif not -0.5 <= value <= 1.0:
                faults.append(f"growth of {key} must lie between -0.5 and 1.0 per year")
        if faults:
            raise ValueError("; ".join(faults) + "; the basic sectors are " + ", ".join(basic))
        return growth
