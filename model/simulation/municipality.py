"""Municipalities: Mesa agents holding housing, business land and amenity."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from model.simulation.region_model import RegionModel


class Municipality(mesa.Agent):
    """A municipality of the region.

    Attributes:
        index: position in the region's municipality list (and in every array).
        name: the municipality's name.
        number: its municipality code.
        dwellings: dwellings on 1 January.
        dwellings_built_per_year: new dwellings completed each year in the ordinary way.
        strategy_dwellings: dwellings built so far by housing strategies (part of `dwellings`).
        business_land_ha: regulated, unbuilt business land.
        amenity: residential amenity index (1 = base-year level).
        stats: the latest yearly aggregates (population, jobs, ...), set by the model.
    """

    def __init__(self, model: RegionModel, index: int):
        super().__init__(model)
        region = model.region
        self.index = index
        self.name = region.municipalities[index]
        self.number = region.numbers[index]
        self.dwellings = float(region.dwellings[index])
        self.dwellings_built_per_year = float(region.dwellings_built_per_year[index])
        self.strategy_dwellings = 0.0
        self.business_land_ha = float(region.business_land_ha[index])
        self.amenity = float(region.amenity[index])
        self.stats: dict[str, float] = {}

    def build_dwellings(self, extra: float = 0.0) -> None:
        """Complete this year's new dwellings: ordinary construction plus `extra` from strategies."""
        self.dwellings += self.dwellings_built_per_year + extra
        self.strategy_dwellings += extra

    def housing_pressure(self, population: float, base_population: float) -> float:
        """Residents per dwelling against the base year, ordinary construction taken as keeping pace.

        Ordinary construction follows shrinking households and replaces old
        dwellings, so it leaves the pressure where it was; more residents than
        at the base year raise it, dwellings built by strategies relieve it.
        """
        ordinary = self.dwellings - self.strategy_dwellings
        return population / base_population * ordinary / self.dwellings
