"""What the region's agents sense on 1 January: people, jobs within reach, housing, pull.

A mixin of RegionModel: small read-only helpers the phases use to decide.
"""

from __future__ import annotations

import numpy as np

from model.inputs.sectors import BASIC_SECTORS
from model.simulation import labour_supply, migration
from model.simulation.demand import AGE_BANDS, Drivers
from model.simulation.persons import Status
from model.simulation.signals import response, smooth

MAX_SUITABILITY = 0.95  # even the tightest market turns some applications down


class RegionSensing:
    """Signals and aggregates of the region model (mixed into RegionModel)."""

    def population_now(self) -> np.ndarray:
        """Residents per municipality at this moment."""
        return np.bincount(self.persons.home, minlength=self.n_municipalities)

    def labour_within_reach(self) -> np.ndarray:
        """Labour force living within commuting reach of each municipality, weighted by exp(-b t)."""
        persons = self.persons
        active = np.isin(persons.status, (Status.EMPLOYED, Status.UNEMPLOYED))
        labour = np.bincount(persons.home[active], minlength=self.n_municipalities)
        minutes = self.minutes[: self.n_municipalities, : self.n_municipalities]
        reach = np.nan_to_num(np.exp(-self.p.commute_time_decay_per_min * minutes))  # no daily trip: out of reach
        return labour @ reach

    def _drivers(self) -> Drivers:
        persons, m = self.persons, self.n_municipalities
        bands = np.stack(
            [
                np.bincount(persons.home[(persons.age >= lo) & (persons.age <= hi)], minlength=m)
                for _, lo, hi in AGE_BANDS
            ],
            axis=1,
        )
        employed = np.bincount(persons.home[persons.employed], minlength=m)
        in_basic = np.isin(self.firms.sector, BASIC_SECTORS) & self.firms.alive
        basic_jobs = float(self.firms.employees(persons)[in_basic].sum())
        visitors = (1 + self.context.visitor_growth_per_year) ** (self.year - self.base_year)
        return Drivers(bands, employed, basic_jobs, visitors)

    def _take_stock(self) -> None:
        """What agents react to this year, as it stands on 1 January.

        Demand drivers, positions per pool, employed residents and unfilled
        positions are read before any phase moves them, so that nobody reacts to
        the half-finished churn of the year.
        """
        self.drivers = self._drivers()
        alive = self.firms.alive
        self.pool_positions = np.bincount(
            self.firms.pool()[alive], weights=self.firms.positions[alive], minlength=self.layout.n_firm_pools
        )
        self.unfilled = self.firms.vacancies(self.persons)
        persons = self.persons
        self.employed_residents = np.bincount(persons.home[persons.employed], minlength=self.n_municipalities)
        positions = self.firms.positions[self.firms.alive].sum()
        rate, access = float(self.unfilled.sum() / max(positions, 1)), self._job_access()
        if self.vacancy_signal is None:  # the base year: no earlier signal to remember
            self.vacancy_signal, self.job_access = rate, access
        memory = self.p.vacancy_signal_memory
        self.vacancy_signal = smooth(self.vacancy_signal, rate, memory)
        self.job_access = smooth(self.job_access, access, memory)
        if self.base_vacancy_rate is not None:
            encouraged = response(self.vacancy_signal, self.base_vacancy_rate, self.p.participation_elasticity)
            self.participation = np.minimum(self.base_participation * encouraged, labour_supply.MAX_PARTICIPATION)

    def _open_by_pool(self) -> np.ndarray:
        """Unfilled positions by pool at the start of the year."""
        firm_pools = np.bincount(self.firms.pool(), weights=self.unfilled, minlength=self.layout.n_firm_pools)
        return np.concatenate([firm_pools, self._outside_jobs()])

    def _job_access(self) -> np.ndarray:
        """Open positions within reach of each municipality's residents."""
        affinity = self.layout.affinity(self.minutes, self.p.commute_time_decay_per_min)
        return (affinity @ self._open_by_pool())[: self.n_municipalities]

    def _attraction(self) -> np.ndarray:
        """Destination weight of each municipality for movers, by settlement band."""
        p = self.p
        housing = self._housing_and_amenity()
        access = response(self.job_access, self.base_job_access, p.vacancy_pull_elasticity)
        jobs = self.pool_positions.reshape(self.n_municipalities, -1).sum(axis=1)
        residents = np.maximum(self.population_now(), 1)
        centrality = (jobs / residents / (jobs.sum() / residents.sum())) ** p.centrality_weight
        people = migration.population_by_band(self.persons, self.n_municipalities)
        return people * (housing * access * centrality * self.settlement_pull)[:, None]

    def _immigration(self) -> tuple[float, np.ndarray]:
        """Immigrants a year: those who choose where to settle, and those placed per municipality.

        The given numbers hold in the base year and grow (or shrink) by the context's
        immigration growth each year after it; on the `national` path they also move
        with Norway's immigration (model/simulation/immigration.py).
        """
        given = self.context.immigration_per_year
        trend = (1 + self.context.immigration_growth_per_year) ** (self.year - self.base_year)
        if self.national_immigration is not None:
            reference = self.context.immigration_reference_year or self.base_year
            trend *= self.national_immigration.factor(self.year, reference)
        settled = np.zeros(self.n_municipalities)
        if not isinstance(given, dict):
            return float(given) * trend, settled
        for name, count in given.items():
            if name != "regional":
                settled[self.region.municipality(name)] += count * trend
        return float(given.get("regional", 0.0)) * trend, settled

    def _housing_and_amenity(self) -> np.ndarray:
        """How housing pressure and amenity make each municipality attractive to movers (1 at the base)."""
        population, years_on = self.population_now(), self.year - self.base_year
        trend = self.p.household_size_trend
        pressure = np.array(
            [mu.housing_pressure(population[i], years_on, trend) for i, mu in enumerate(self.municipalities)]
        )
        amenity = np.array([mu.amenity for mu in self.municipalities])
        return np.exp(-self.p.housing_pull * (pressure - 1)) * amenity

    def _outside_jobs(self) -> np.ndarray:
        """Unfilled jobs for residents at the outside nodes (the outside pools)."""
        return self.outside.open_jobs(
            self.persons,
            self.employed_residents,
            self.minutes,
            self.year - self.base_year,
            self.context.outside_job_growth,
            self.p.commute_time_decay_per_min,
        )

    def _suitability(self) -> float:
        """Chance an application is acceptable: employers short of workers accept more."""
        p = self.p
        scale = response(self.vacancy_signal, self.base_vacancy_rate, p.hiring_standards_elasticity)
        return float(min(p.application_success_probability * scale, MAX_SUITABILITY))
