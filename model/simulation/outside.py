"""Outside nodes: jobs there for the region's residents, and in-commuters from there.

Out-commuters are residents employed by external demand per node and home
municipality: at a daily node the jobs open to a municipality's residents
follow its base-year flow there, the context's outside job growth and the
commuting time of that trip (a faster road brings more jobs within reach);
at a long-distance node (weekly commuting) they are a fixed share of the
municipality's employed residents on 1 January.
In-commuters are not persons but an external labour supply per node: its
potential follows the node's own working-age population (its member
municipalities' persons aged 20-66, observed to the region's last known year
and aged on after it) and, for daily nodes, the unfilled vacancy signal with a
stated elasticity; enough outsiders apply to close the gap to that potential,
given last year's chance of being hired. The region's own positions do not
call outsiders forth: more jobs draw in-commuters only through the vacancies
they leave open.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.inputs.context import Context
from model.inputs.national import NationalData
from model.inputs.parameters import Parameters
from model.inputs.region import RegionData
from model.simulation.demography import survival, survivors_a_year_on
from model.simulation.firms import FirmTable
from model.simulation.persons import Persons
from model.simulation.signals import response, time_response

WORKING_AGES = (20, 66)  # the ages whose numbers bound a node's in-commuting (the outcome band 20_66)


@dataclass(frozen=True)
class OutsideNodes:
    """Base-year commuting to and from the outside nodes, and how it moves.

    Attributes:
        n_municipalities: municipalities of the region (the first nodes).
        n_nodes: all nodes.
        daily: node indices of outside nodes within daily reach.
        long_distance: node indices of long-distance nodes.
        base_out_flows: base-year commuters from each municipality to each daily node.
        base_minutes: base-year minutes from each municipality to each daily node.
        long_distance_share: share of each municipality's employed residents working at
            each long-distance node.
        base_in_commuters: base-year in-commuters from each outside node.
        base_employed_residents: base-year employed residents per municipality.
        vacancy_rate: normal share of unfilled positions (positions = jobs / (1 - rate)).
    """

    n_municipalities: int
    n_nodes: int
    daily: np.ndarray
    long_distance: np.ndarray
    base_out_flows: np.ndarray
    base_minutes: np.ndarray
    long_distance_share: np.ndarray
    base_in_commuters: np.ndarray
    base_employed_residents: np.ndarray
    vacancy_rate: float

    @classmethod
    def from_base_year(cls, region: RegionData, flows: np.ndarray, vacancy_rate: float) -> OutsideNodes:
        """Read the base-year commuting matrix (residence node x workplace node)."""
        m = region.n_municipalities
        kinds = np.array([node.kind for node in region.nodes])
        daily, long_distance = np.flatnonzero(kinds == "daily"), np.flatnonzero(kinds == "long_distance")
        return cls(
            n_municipalities=m,
            n_nodes=len(region.nodes),
            daily=daily,
            long_distance=long_distance,
            base_out_flows=flows[:m][:, daily].astype(float),
            base_minutes=region.minutes[:m][:, daily],
            long_distance_share=flows[:m][:, long_distance] / flows[:m].sum(axis=1, keepdims=True),
            base_in_commuters=flows[m:, :m].sum(axis=1).astype(float),
            base_employed_residents=flows[:m].sum(axis=1).astype(float),
            vacancy_rate=vacancy_rate,
        )

    @property
    def base_positions(self) -> np.ndarray:
        """Base-year positions per (home municipality, outside node): the base flows, filled and open."""
        positions = np.zeros((self.n_municipalities, self.n_nodes - self.n_municipalities))
        positions[:, self.daily - self.n_municipalities] = self.base_out_flows / (1 - self.vacancy_rate)
        weekly = self.long_distance_share * self.base_employed_residents[:, None] / (1 - self.vacancy_rate)
        positions[:, self.long_distance - self.n_municipalities] = weekly
        return positions

    def open_jobs(
        self,
        persons: Persons,
        employed_residents: np.ndarray,
        minutes: np.ndarray,
        years: int,
        outside_job_growth: float,
        decay: float,
    ) -> np.ndarray:
        """Unfilled jobs for each municipality's residents at each outside node, in pool order.

        A daily node offers a municipality's residents its base-year jobs there,
        grown with outside job growth and scaled by the commuting-time response
        of that trip only (a faster train from Gjøvik brings Oslo's jobs within
        reach of Gjøvik's residents, not of Nordre Land's).
        """
        m = self.n_municipalities
        demand = np.zeros((m, self.n_nodes - m))
        response_now = time_response(minutes[:m][:, self.daily], self.base_minutes, decay)
        demand[:, self.daily - m] = self.base_out_flows * (1 + outside_job_growth) ** years * response_now
        demand[:, self.daily - m] /= 1 - self.vacancy_rate
        weekly = self.long_distance_share * employed_residents[:, None] / (1 - self.vacancy_rate)
        demand[:, self.long_distance - m] = weekly
        working = persons.employed
        cell = persons.home[working].astype(np.int64) * self.n_nodes + persons.workplace[working]
        by_home = np.bincount(cell, minlength=m * self.n_nodes).reshape(m, self.n_nodes)
        return np.maximum(demand - by_home[:, m:], 0).round().astype(np.int64).ravel()

    def seekers(
        self,
        firms: FirmTable,
        supply_ratio: np.ndarray,
        signal: float,
        base_signal: float,
        hire_rate: float,
        p: Parameters,
    ) -> np.ndarray:
        """In-commuting job seekers per outside node: the gap to each node's potential.

        `supply_ratio` is each node's working-age population over the base year's (see `working_age_ratio`).
        """
        is_daily = np.isin(np.arange(self.n_municipalities, self.n_nodes), self.daily)
        elasticity = np.where(is_daily, p.in_commuter_elasticity, 0.0)
        potential = self.base_in_commuters * supply_ratio * response(signal, base_signal, elasticity)
        current = firms.external[firms.alive].sum(axis=0)
        return np.maximum(np.round((potential - current) / max(hire_rate, 0.1)), 0).astype(np.int64)


def working_age_ratio(
    region: RegionData, national: NationalData, base_year: int, end_year: int, context: Context | None = None
) -> np.ndarray:
    """Each outside node's persons aged 20-66 in every year base..end over the base year's: (years, nodes).

    Observed to the last year the outside persons hold (the region's last known year); after it the
    node's persons age as a closed population (the model's survival under the scenario's context,
    births held at that year's infants): a node's own ageing, not its migration. Nodes without persons
    (long-distance places, the rest of Norway) keep 1.
    """
    persons = region.outside_persons()
    years = range(base_year, end_year + 1)
    ratio = np.ones((len(years), len(region.nodes) - region.n_municipalities))
    if not persons or base_year < min(persons):
        return ratio
    last = max(persons)
    low, high = WORKING_AGES

    stocks = {year: persons[year].astype(float) for year in persons if year <= end_year}
    for year in range(last, end_year):
        stocks[year + 1] = survivors_a_year_on(stocks[year], survival(national, year, context))
        stocks[year + 1][:, :, 0] = persons[last][:, :, 0]
    base = stocks[base_year][:, :, low : high + 1].sum(axis=(1, 2))
    has = base > 0
    for i, year in enumerate(years):
        ratio[i, has] = stocks[year][has, :, low : high + 1].sum(axis=(1, 2)) / base[has]
    return ratio
