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
        dwellings_built_per_year: the most dwellings ordinary construction completes in a year.
        strategy_dwellings: dwellings built so far by housing strategies (part of `dwellings`).
        base_persons_per_dwelling: residents per dwelling on the base year's 1 January.
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
        self.base_persons_per_dwelling = float("nan")  # set by settle_base_year
        self.business_land_ha = float(region.business_land_ha[index])
        self.amenity = float(region.amenity[index])
        self.stats: dict[str, float] = {}

    def settle_base_year(self, population: float) -> None:
        """Residents per dwelling on the base year's 1 January: the occupancy the housing market starts from."""
        self.base_persons_per_dwelling = population / self.dwellings

    def persons_per_dwelling(self, years_on: int, trend: float) -> float:
        """Residents a dwelling houses `years_on` years after the base year: households shrink by `trend` a year."""
        return self.base_persons_per_dwelling * (1 + trend) ** years_on

    def build_dwellings(self, population: float, years_on: int, trend: float, extra: float = 0.0) -> float:
        """Complete this year's dwellings; returns the ordinary completions.

        Ordinary construction builds what the residents will need next
        1 January at that year's household size, never more than the
        municipality's ordinary capacity (`dwellings_built_per_year`) and
        never less than none; dwellings that strategies add (`extra`) are
        built on top and leave ordinary builders less to do the year after.
        """
        needed = population / self.persons_per_dwelling(years_on + 1, trend) - self.dwellings
        ordinary = min(max(needed, 0.0), self.dwellings_built_per_year)
        self.dwellings += ordinary + extra
        self.strategy_dwellings += extra
        return ordinary

    def housing_pressure(self, population: float, years_on: int, trend: float) -> float:
        """Residents against what the stock houses at this year's household size (1 at the base year).

        Above 1 the stock is short (crowding, prices) and movers look
        elsewhere; below 1 dwellings stand empty and cheap.
        """
        return population / (self.dwellings * self.persons_per_dwelling(years_on, trend))
