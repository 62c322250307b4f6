"""Local demand: how visitor, regional and local industries follow what they serve.

Basic industries sell outside the region and grow with national trends. The
others serve residents, firms and visitors: their desired jobs in a
municipality move with a demand index relative to the base year. Causation
runs from basic jobs and residents to these industries, never back to the
basic ones, so the local multiplier is counted once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.inputs.parameters import Parameters
from model.inputs.sectors import SECTOR_INDEX

AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0_5", 0, 5),
    ("6_15", 6, 15),
    ("16_19", 16, 19),
    ("20_66", 20, 66),
    ("67_79", 67, 79),
    ("80_plus", 80, 200),
)


@dataclass(frozen=True)
class Drivers:
    """What local demand follows, per municipality at 1 January.

    Attributes:
        population_by_band: persons by municipality and AGE_BANDS, shape (M, 6).
        employed_residents: employed residents per municipality (income), shape (M,).
        basic_jobs: jobs in basic sectors in the whole region.
        visitors: visitor demand index (1 at the base year).
    """

    population_by_band: np.ndarray
    employed_residents: np.ndarray
    basic_jobs: float
    visitors: float

    @property
    def population(self) -> np.ndarray:
        """Persons per municipality."""
        return self.population_by_band.sum(axis=1)


def care_weights(p: Parameters) -> np.ndarray:
    """Care need per person of each age band (AGE_BANDS order), relative to an adult of 20-66."""
    return np.array(
        [p.care_weight_0_19, p.care_weight_0_19, p.care_weight_0_19, 1.0, p.care_weight_67_79, p.care_weight_80_plus]
    )


def demand_ratio(now: Drivers, base: Drivers, parameters: Parameters) -> np.ndarray:
    """Demand relative to the base year, by municipality and sector, shape (M, sectors).

    Basic sectors get 1: their demand is outside the region.
    """
    p = parameters
    own = p.local_market_own_share

    def mixed(current: np.ndarray, initial: np.ndarray) -> np.ndarray:
        """Own municipality's ratio blended with the region's (cross-border demand)."""
        return own * current / initial + (1 - own) * current.sum() / initial.sum()

    def regional(current: np.ndarray, initial: np.ndarray) -> float:
        return float(current.sum() / initial.sum())

    bands_now, bands_base = now.population_by_band, base.population_by_band
    population = mixed(now.population, base.population)
    income = mixed(now.employed_residents, base.employed_residents)
    basic = now.basic_jobs / base.basic_jobs
    region_population = regional(now.population, base.population)
    children = mixed(bands_now[:, 0:2].sum(1), bands_base[:, 0:2].sum(1))
    youth = mixed(bands_now[:, 2], bands_base[:, 2])
    care = care_weights(p)
    care_need = mixed(bands_now @ care, bands_base @ care)

    ratio = np.ones((len(now.population), len(SECTOR_INDEX)))
    ratio[:, SECTOR_INDEX["retail_hospitality"]] = (1 - p.retail_visitor_share) * (
        (1 - p.retail_income_share) * population + p.retail_income_share * income
    ) + p.retail_visitor_share * now.visitors / base.visitors
    ratio[:, SECTOR_INDEX["construction"]] = (
        1 - p.construction_basic_share
    ) * region_population + p.construction_basic_share * basic
    ratio[:, SECTOR_INDEX["business_services"]] = (
        1 - p.business_services_basic_share
    ) * region_population + p.business_services_basic_share * basic
    other = 1 - p.public_children_share - p.public_youth_share
    ratio[:, SECTOR_INDEX["public_services"]] = (
        p.public_children_share * children + p.public_youth_share * youth + other * population
    )
    ratio[:, SECTOR_INDEX["health_care"]] = care_need
    return ratio
