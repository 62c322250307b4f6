"""RegionModel: the region as a ``mesa.Model`` with an annual step.

Municipalities and firms are Mesa agents; persons are a vectorised
population (see model.persons). ``step()`` lists the year's phases; the logic
of each lives in its own module. Every phase of every year draws from its own
random stream derived from (seed, replicate), so runs are reproducible and
scenario comparisons share common random numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np

from model import demography, firm_dynamics, labour_supply, migration
from model.demand import AGE_BANDS, Drivers, demand_ratio
from model.firms import Firm, Origin
from model.initial_state import build_initial_state
from model.labour_market import build_layout, match
from model.levers.effects import NewFirms, StrategyEffects
from model.municipality import Municipality
from model.outcomes import REGION_REPORTERS, Recorder, commuting_matrix, count_stocks
from model.outside import OutsideNodes
from model.persons import Status
from model.randomness import Draws, poisson_from_uniform, rank_within_groups
from model.region import cached_region
from model.scenario import Scenario
from model.sectors import BASIC_SECTORS, SECTOR_INDEX, SECTOR_KEYS
from model.signals import response, smooth

MAX_SUITABILITY = 0.95  # even the tightest market turns some applications down
DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


class RegionModel(mesa.Model):
    """Jobs and population of a city region, year by year.

    Args:
        scenario: a Scenario, a path to a scenario file, or None for the baseline.
        replicate: replicate number; with the seed it fixes every random draw.
        seed: overrides the scenario's seed.
        **parameters: behavioural parameters to override by name (flat scalars, so
            that ``mesa.batch_run`` can drive the model).
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
            scenario = scenario.with_overrides(**parameters)
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

    # --- the year -------------------------------------------------------------
    def step(self) -> None:
        """One year: demography, labour supply, firms, migration, matching, housing."""
        self.flows: dict[str, np.ndarray] = {}
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
        rates = demography.rates_for(self.region.national, self.year, self.context)
        result = demography.advance(
            self.persons, rates, self.p.newborn_male_share, self.n_municipalities, self.stream("demography")
        )
        self.flows["births"], self.flows["deaths"] = result.births, result.deaths

    def labour_supply(self) -> None:
        """Entry to and exit from the labour force; quits and dismissals."""
        labour_supply.classify(self.persons, self.participation)
        labour_supply.separate(self.persons, self.firms, self.p.job_separation_rate, self.stream("labour_supply"))

    def firm_phase(self) -> None:
        """Restructuring, closures, growth or decline of positions, start-ups, arrivals, lay-offs."""
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
        expected = self.p.in_migration_rate * population * pull * places + regional
        structure = self.region.national.age_structure(self.year) * migration.schedule()[None, :]
        result = migration.migrate(
            persons,
            self._attraction(),
            self.minutes[: self.n_municipalities],
            expected,
            settled,
            structure / structure.sum(),
            self.p,
            draws,
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
                self.firms.positions[self.firms.alive].sum() / self.base_pool_positions.sum(),
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
        """New dwellings are completed, ordinary construction and strategies' alike."""
        extra = self.strategies.extra_dwellings(self.year, self.population_now())
        for municipality, dwellings in zip(self.municipalities, extra, strict=True):
            municipality.build_dwellings(dwellings)

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

    # --- firms ------------------------------------------------------------------
    def close_firms(self, rows: np.ndarray) -> None:
        """Close firms: their resident workers search, in-commuters leave, agents go."""
        if len(rows) == 0:
            return
        closed = np.zeros(len(self.firms), bool)
        closed[rows] = True
        persons = self.persons
        laid_off = np.flatnonzero((persons.employer >= 0) & closed[np.maximum(persons.employer, 0)])
        persons.leave_jobs(laid_off)
        persons.status[laid_off] = Status.UNEMPLOYED
        self.firms.external[rows] = 0
        self.firms.alive[rows] = False
        for row in rows:
            self.firm_agents.pop(int(row)).remove()

    def add_fixed_employer(self, municipality: str, sector: str, positions: int) -> Firm:
        """An exogenous employer: its positions are held and it never closes.

        Used to study the local multiplier (a permanent block of basic jobs).
        """
        key = self.stream("firms").new_ids(np.array([len(self.firms)], dtype=np.uint64), draw=3)
        rows = self.firms.add(
            key=key,
            municipality=[self.region.municipality(municipality)],
            sector=[SECTOR_INDEX[sector]],
            positions=[positions],
            competitiveness=[0.0],
            founded=self.year,
            origin=Origin.ATTRACTED,
            fixed=True,
        )
        return self._register(rows)[0]

    def _register(self, rows: np.ndarray) -> list[Firm]:
        """Mesa agents for new rows of the firm table."""
        agents = [Firm(self, int(row)) for row in rows]
        self.firm_agents.update({agent.row: agent for agent in agents})
        return agents

    def _found(self, new: NewFirms) -> None:
        """Add the firms strategies bring this year."""
        for i, origin in enumerate(new.origin):
            rows = self.firms.add(
                key=new.key[i],
                municipality=new.municipality[i],
                sector=new.sector[i],
                positions=new.positions[i],
                competitiveness=new.competitiveness[i],
                founded=self.year,
                origin=origin,
                ordinary=False,
                hazard_factor=new.hazard_factor[i],
            )
            self._register(rows)

    def _pool_growth(self) -> np.ndarray:
        """Growth factor of each municipality x sector pool this year."""
        m, k = self.n_municipalities, len(SECTOR_KEYS)
        current = self.pool_positions
        target = self.base_pool_positions * demand_ratio(self.drivers, self.base_drivers, self.p).ravel()
        gap = np.where(current > 0, target / np.maximum(current, 1), 1.0)
        growth = (1 + self.p.demand_adjustment_speed * (gap - 1)).reshape(m, k)
        for s in BASIC_SECTORS:
            growth[:, s] = 1 + self.context.national_job_growth.get(SECTOR_KEYS[s], 0.0)
        return growth.ravel()

    def _start_firms(self, expected: np.ndarray, rate: np.ndarray, early_exit: np.ndarray, draws: Draws) -> np.ndarray:
        """New employer firms per pool: ordinary entry, and the extra entry of growth-culture programmes.

        Ordinary start-ups are drawn exactly as without strategies (common random
        numbers); a programme's extra start-ups are drawn apart and, like other
        firms strategies bring, are not replaced by ordinary entry when they close.
        """
        started = np.zeros(self.n_municipalities, dtype=np.int64)
        for programme, mean in ((False, expected), (True, expected * np.maximum(rate - 1, 0))):
            k = len(SECTOR_KEYS)
            pool_ids = np.arange(len(mean), dtype=np.uint64)
            counts = poisson_from_uniform(mean, draws.uniform(pool_ids, 6 if programme else 4))
            pools = np.repeat(np.arange(len(counts)), counts)
            nth = np.arange(len(pools)) - np.repeat(np.cumsum(counts) - counts, counts)
            keys = draws.new_ids(
                (pools.astype(np.uint64) << np.uint64(32)) + nth.astype(np.uint64), draw=7 if programme else 2
            )
            rows = self.firms.add(
                key=keys,
                municipality=pools // k,
                sector=pools % k,
                positions=firm_dynamics.startup_sizes(keys, self.p, draws),
                competitiveness=draws.normal(keys, 5) * self.p.competitiveness_sd,
                founded=self.year,
                origin=Origin.STARTUP,
                ordinary=not programme,
                early_hazard_factor=early_exit[pools] if programme else 1.0,
            )
            self._register(rows)
            started += np.bincount(pools // k, minlength=self.n_municipalities)
        return started

    def _lay_off_excess(self, draws: Draws) -> None:
        """Firms with more workers than positions let the excess go, every worker alike."""
        firms, persons = self.firms, self.persons
        residents = np.bincount(persons.employer[persons.employer >= 0], minlength=len(firms))
        excess = np.where(firms.alive, np.maximum(residents + firms.external.sum(1) - firms.positions, 0), 0)
        if not excess.any():
            return
        # Draw the leavers without replacement over (in-commuters by node, residents).
        to_draw, pool_left = excess.copy(), residents + firms.external.sum(1)
        for node in range(firms.external.shape[1]):
            here = firms.external[:, node]
            taken = draws.rng.hypergeometric(here, pool_left - here, to_draw)
            firms.external[:, node] -= taken
            to_draw -= taken
            pool_left -= here
        employed = np.flatnonzero(persons.employer >= 0)
        rank = rank_within_groups(persons.employer[employed], draws.uniform(persons.pid[employed], 6))
        laid_off = employed[rank < to_draw[persons.employer[employed]]]
        persons.leave_jobs(laid_off)
        persons.status[laid_off] = Status.UNEMPLOYED

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
        positions = np.bincount(firms.municipality, weights=firms.positions, minlength=m)
        self.minutes = self.region.minutes.copy()
        self.layout = build_layout(self.region, flows, positions, self.outside.base_positions)
        self.base_pool_positions = np.bincount(firms.pool(), weights=firms.positions, minlength=m * len(SECTOR_KEYS))

    def _record_base_year(self) -> None:
        self.base_population = self.population_now()
        self._take_stock()
        self.base_drivers = self.drivers
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

    def population_now(self) -> np.ndarray:
        """Residents per municipality at this moment."""
        return np.bincount(self.persons.home, minlength=self.n_municipalities)

    def labour_within_reach(self) -> np.ndarray:
        """Labour force living within commuting reach of each municipality, weighted by exp(-b t)."""
        persons = self.persons
        active = np.isin(persons.status, (Status.EMPLOYED, Status.UNEMPLOYED))
        labour = np.bincount(persons.home[active], minlength=self.n_municipalities)
        minutes = self.minutes[: self.n_municipalities, : self.n_municipalities]
        return labour @ np.exp(-self.p.commute_time_decay_per_min * minutes)

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
        return affinity[: self.n_municipalities] @ self._open_by_pool()

    def _attraction(self) -> np.ndarray:
        """Destination weight of each municipality for movers, by settlement band."""
        p = self.p
        housing = self._housing_and_amenity()
        access = response(self.job_access, self.base_job_access, p.vacancy_pull_elasticity)
        people = migration.population_by_band(self.persons, self.n_municipalities)
        return people * (housing * access)[:, None]

    def _immigration(self) -> tuple[float, np.ndarray]:
        """Immigrants a year: those who choose where to settle, and those placed per municipality."""
        given = self.context.immigration_per_year
        settled = np.zeros(self.n_municipalities)
        if not isinstance(given, dict):
            return float(given), settled
        for name, count in given.items():
            if name != "regional":
                settled[self.region.municipality(name)] += count
        return float(given.get("regional", 0.0)), settled

    def _housing_and_amenity(self) -> np.ndarray:
        """How housing pressure and amenity make each municipality attractive to movers (1 at the base)."""
        population = self.population_now()
        pressure = np.array(
            [mu.housing_pressure(population[i], self.base_population[i]) for i, mu in enumerate(self.municipalities)]
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


def _as_scenario(scenario: Scenario | str | Path | None) -> Scenario:
    if scenario is None:
        return Scenario.from_yaml(DEFAULT_SCENARIO)
    if isinstance(scenario, Scenario):
        return scenario
    return Scenario.from_yaml(scenario)


__all__ = ["RegionModel"]
