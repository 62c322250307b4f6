"""RegionModel: the region as a ``mesa.Model`` with an annual step.

Municipalities and firms are Mesa agents; persons are a vectorised
population (see model.simulation.persons). ``step()`` lists the year's phases; the logic
of each lives in its own module. Every phase of every year draws from its own
random stream derived from (seed, replicate), so runs are reproducible and
scenario comparisons share common random numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np

from model.inputs.national import observed_national
from model.inputs.region import cached_region
from model.inputs.scenario import Scenario
from model.inputs.sectors import SECTOR_KEYS
from model.inputs.uncertain import set_values
from model.simulation import demography, firm_dynamics, labour_supply, migration
from model.simulation.firm_lifecycle import FirmLifecycle
from model.simulation.firms import Firm
from model.simulation.immigration import NationalImmigration, immigrant_age_sex
from model.simulation.initial_state import build_initial_state
from model.simulation.labour_market import build_layout, match
from model.simulation.municipality import Municipality
from model.simulation.newcomer_ages import NewcomerAges
from model.simulation.outcomes import REGION_REPORTERS, Recorder, by_pool, commuting_matrix, count_stocks
from model.simulation.outside import OutsideNodes, working_age_ratio
from model.simulation.persons import Status
from model.simulation.randomness import Draws
from model.simulation.sensing import RegionSensing
from model.simulation.signals import response, smooth
from model.simulation.strategy_effects import StrategyEffects

DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"


class RegionModel(FirmLifecycle, RegionSensing, mesa.Model):
    """Jobs and population of a city region, year by year.

    Args:
        scenario: a Scenario, a path to a scenario file, or None for the baseline.
        replicate: replicate number; with the seed it fixes every random draw.
        seed: overrides the scenario's seed.
        **parameters: behavioural parameters (and ``context.<key>`` values) to set by
            name, flat scalars, so that ``mesa.batch_run`` can drive the model.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        replicate: int = 0,
        seed: int | None = None,
        **parameters: Any,
    ):
        scenario = _as_scenario(scenario)
        if parameters:
            scenario = set_values(scenario, parameters)
        self.scenario = scenario
        self.seed_value = scenario.seed if seed is None else int(seed)
        self.replicate = replicate
        self.region = cached_region(Path(scenario.region_folder))
        self.base_year = scenario.base_year or self.region.latest_snapshot
        self.end_year = scenario.years.end
        self.year = self.base_year
        init = self.stream("init")
        super().__init__(rng=init.rng)
        self.p = scenario.parameters
        self.context = scenario.context
        self.fertility_levels = self.region.fertility_levels(self.p.fertility_level_years)
        self.national = (
            observed_national(self.region.national.folder)
            if self.context.national_path == "observed"
            else self.region.national
        )
        self.national_immigration = (
            NationalImmigration(self.national, self.context) if self.context.immigration_path == "national" else None
        )
        # From Norway as known at the region's cut: a backtest never sees who arrived after its origin.
        self.immigrant_age_sex = immigrant_age_sex(self.region.national, self.context)
        regional, settled = self._immigration()
        self.newcomer_ages = NewcomerAges.estimate(
            self.region.observed_population(),
            self.region.national,
            self.region.last_known_year,
            self.p,
            (regional + settled.sum()) * self.immigrant_age_sex,
        )
        fitted = np.ones(self.region.n_municipalities)
        for name, pull in self.context.settlement_pull.items():
            fitted[self.region.municipality(name)] = pull
        self.fitted_pull, self.projected_pull = fitted, fitted**self.p.settlement_pull_persistence
        self.last_known_year = self.region.last_known_year or self.base_year

        snapshot = self.region.snapshot(self.base_year)
        state = build_initial_state(self.region, snapshot, self.base_year, self.p, init)
        self.persons, self.firms = state.persons, state.firms
        self.base_participation, self.participation_factor = state.participation, state.participation_factor
        self.participation = self.base_participation
        labour_supply.classify(self.persons, self.participation)
        self.municipalities = [Municipality(self, i) for i in range(self.region.n_municipalities)]
        self.firm_agents: dict[int, Firm] = {}
        self._register(np.arange(len(self.firms)))
        self._set_up_labour_market(snapshot.commuting)
        self.strategies = StrategyEffects(scenario.levers, self)
        self.vacancy_signal: float | None = None
        self.base_vacancy_rate: float | None = None
        self._record_base_year()

    @property
    def settlement_pull(self) -> np.ndarray:
        """Each municipality's pull on movers: as fitted over the known years, faded after them."""
        return self.fitted_pull if self.year < self.last_known_year else self.projected_pull

    def outside_supply_now(self) -> np.ndarray:
        """Each outside node's working-age persons this year over the base year's (the in-commuting potential)."""
        return self.outside_supply[min(self.year - self.base_year, len(self.outside_supply) - 1)]

    # --- the year -------------------------------------------------------------
    def step(self) -> None:
        """One year: demography, labour supply, firms, migration, matching, housing."""
        self.flows: dict[str, np.ndarray] = {}
        self.unemployed_on_1_january = self.persons.pid[self.persons.status == Status.UNEMPLOYED]
        self._take_stock()
        self.strategies.start_of_year(self)
        self.demography()
        self.labour_supply()
        self.firm_phase()
        self.migration()
        self.labour_market()
        self.housing()
        self.close_year()

    def run(self) -> None:
        """Run from the base year through the horizon."""
        while self.running:
            self.step()

    def release(self) -> None:
        """Let go of the model once its results are read.

        Mesa (3.3) counts agent ids in a class-level table keyed by model, which
        keeps every model alive; a process that runs many replicates must drop
        its entry, or memory grows by a model per run.
        """
        mesa.Agent._ids.pop(self, None)

    # --- phases -----------------------------------------------------------------
    def demography(self) -> None:
        """Deaths, births and ageing."""
        rates = demography.rates_for(self.national, self.year, self.context)
        result = demography.advance(
            self.persons,
            rates,
            self.p.newborn_male_share,
            self.n_municipalities,
            self.stream("demography"),
            self.fertility_levels,
        )
        self.flows["births"], self.flows["deaths"] = result.births, result.deaths

    def labour_supply(self) -> None:
        """Entry to and exit from the labour force; quits and dismissals."""
        labour_supply.classify(self.persons, self.participation)
        labour_supply.separate(self.persons, self.firms, self.p.job_separation_rate, self.stream("labour_supply"))

    def firm_phase(self) -> None:
        """Restructuring, closures, growth or decline of positions, ordinary entry, strategies' arrivals, lay-offs."""
        draws, firms = self.stream("firms"), self.firms
        self.strategies.restructure(self, draws)
        expected_startups = firm_dynamics.replacement_startups(firms, self.year, self.layout.n_firm_pools, self.p)
        closing = firm_dynamics.closing(firms, self.year, self.p, draws, self.strategies.exit_factor(self))
        exits = np.bincount(firms.municipality[closing], minlength=self.n_municipalities)
        self.close_firms(closing)
        firms.positions = firm_dynamics.new_positions(
            firms, self.year, self._pool_growth(), self.unfilled, self.p, draws
        )
        emptied = np.flatnonzero(firms.alive & (firms.positions == 0))
        exits += np.bincount(firms.municipality[emptied], minlength=self.n_municipalities)
        self.close_firms(emptied)
        self.flows["firm_exits"] = exits
        expected_startups = self._ordinary_entry(expected_startups, draws)
        rate, early_exit = self.strategies.startup_multiplier(self)
        self.flows["startups"] = self._start_firms(expected_startups, rate, early_exit, draws)
        self._found(self.strategies.arrivals(self, draws))
        self._lay_off_excess(draws)

    def migration(self) -> None:
        """Moves out, within and into the region."""
        draws = self.stream("migration")
        persons = self.persons
        population = len(persons)
        pull = response(self.vacancy_signal, self.base_vacancy_rate, self.p.vacancy_pull_elasticity)
        # Newcomers respond to the region's housing and amenity as a whole (population-weighted).
        places = self._housing_and_amenity() @ self.population_now() / population
        regional, settled = self._immigration()
        domestic = self.p.in_migration_rate * population * pull * places
        structure = self.national.age_structure(self.year) * migration.schedule()[None, :]
        # Newcomers who choose where to live: from the rest of Norway by the migration schedule and the ages the
        # region's own residuals ask for, from abroad by Norway's immigrants' ages; those placed are immigrants.
        from_norway, from_abroad = domestic * self.newcomer_ages.profile(structure), regional * self.immigrant_age_sex
        choosing = (from_norway + from_abroad) / max(domestic + regional, 1e-12)
        result = migration.migrate(
            persons,
            self._attraction(),
            self.minutes[: self.n_municipalities],
            domestic + regional,
            settled,
            choosing,
            self.p,
            draws,
            placed_age_sex=self.immigrant_age_sex,
            immigrant_share=from_abroad / np.maximum(from_norway + from_abroad, 1e-300),
            unemployed=(persons.status == Status.UNEMPLOYED) & np.isin(persons.pid, self.unemployed_on_1_january),
        )
        labour_supply.classify(persons, self.participation)
        self.flows["out_migrants"] = np.append(result.out_migrants, result.left_region)
        self.flows["in_migrants"] = np.append(result.in_migrants, result.arrived)

    def labour_market(self) -> None:
        """Seekers fill vacancies in firms and at outside nodes."""
        result = match(
            self.persons,
            self.firms,
            self.layout,
            self.layout.affinity(self.minutes, self.p.commute_time_decay_per_min),
            self._outside_jobs(),
            self.outside.seekers(
                self.firms,
                self.outside_supply_now(),
                self.vacancy_signal,
                self.base_vacancy_rate,
                self.hire_rate,
                self.p,
            ),
            self._suitability(),
            self.strategies.fill_probability(self),
            self.p,
            self.stream("matching"),
        )
        self.hire_rate = smooth(self.hire_rate, result.hire_rate, self.p.vacancy_signal_memory)

    def housing(self) -> None:
        """New dwellings are completed: ordinary construction for the residents' needs, and strategies'."""
        population = self.population_now()
        extra = self.strategies.extra_dwellings(self.year, population)
        years_on, trend = self.year - self.base_year, self.p.household_size_trend
        ordinary = [
            municipality.build_dwellings(population[i], years_on, trend, extra[i])
            for i, municipality in enumerate(self.municipalities)
        ]
        self.flows["dwellings_built"] = np.array(ordinary)
        self.flows["dwellings_from_strategies"] = extra

    def close_year(self) -> None:
        """Record the year's flows, move to 1 January of the next year and count stocks."""
        self.flows["strategy_cost_mnok"] = self.strategies.cost(self.year, self.population_now())
        flows = {
            key: np.append(value, value.sum()) if len(value) == self.n_municipalities else value
            for key, value in self.flows.items()
        }
        self.recorder.close_year(flows)
        self.year += 1
        self._open_year()
        self.running = self.year <= self.end_year

    # --- set-up and helpers -----------------------------------------------------
    @property
    def n_municipalities(self) -> int:
        """Municipalities of the region."""
        return self.region.n_municipalities

    def stream(self, phase: str) -> Draws:
        """The random draws of a phase in the current year."""
        return Draws(self.seed_value, self.replicate, phase, self.year)

    def _set_up_labour_market(self, flows: np.ndarray) -> None:
        m = self.n_municipalities
        firms = self.firms
        self.outside = OutsideNodes.from_base_year(self.region, flows, self.p.initial_vacancy_rate)
        self.outside_supply = working_age_ratio(self.region, self.national, self.base_year, self.end_year, self.context)
        positions = np.bincount(firms.municipality, weights=firms.positions, minlength=m)
        self.minutes = self.region.minutes.copy()
        self.layout = build_layout(self.region, flows, positions, self.outside.base_positions)
        self.base_pool_positions = np.bincount(firms.pool(), weights=firms.positions, minlength=m * len(SECTOR_KEYS))

    def _record_base_year(self) -> None:
        self.base_population = self.population_now()
        for municipality, residents in zip(self.municipalities, self.base_population, strict=True):
            municipality.settle_base_year(float(residents))
        self._take_stock()
        self.base_drivers = self.drivers
        employees = np.where(self.firms.alive, self.firms.employees(self.persons), 0)
        self.base_jobs_by_pool = by_pool(self.firms, employees, self.n_municipalities)
        self.base_job_access = self.job_access
        self.base_vacancy_rate = self.vacancy_signal
        p = self.p
        self.hire_rate = 1 - (1 - self._suitability()) ** p.search_rounds
        self.recorder = Recorder([*self.region.municipalities, self.region.name])
        self.datacollector = mesa.DataCollector(model_reporters=REGION_REPORTERS)
        self._open_year()

    def _open_year(self) -> None:
        stocks = count_stocks(self)
        self.recorder.open_year(self.year, stocks, commuting_matrix(self))
        self.datacollector.collect(self)
        for i, municipality in enumerate(self.municipalities):
            municipality.stats = {key: float(value[i]) for key, value in stocks.items()}


def _as_scenario(scenario: Scenario | str | Path | None) -> Scenario:
    if scenario is None:
        return Scenario.from_yaml(DEFAULT_SCENARIO)
    if isinstance(scenario, Scenario):
        return scenario
    return Scenario.from_yaml(scenario)


__all__ = ["RegionModel"]
