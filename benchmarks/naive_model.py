"""Naive reference: the region model written the plain Mesa way, one agent per person.

Every resident is a ``Person`` (a ``mesa.Agent``) with plain Python attributes
and its own yearly decisions (``live_year``, ``classify``, ``separate``,
``wants_to_move``, ``search``, ...), taken one person at a time. The rules,
rates, parameters and signals are those of ``RegionModel``: its helpers give the
tables and signals, and the firm, strategy, housing and recording code is
shared unchanged. Only the person phases (demography, labour supply, migration,
matching) are rewritten as loops over agents.

The shared code reads persons as numpy columns (``model.persons.Persons``), so
the agents are the truth and a census is built from them when that code needs
it: after labour supply (for the firm phase and the migration signals) and
after migration (for matching and the year's stocks). Jobs that the firm phase
ends are written back to the agents, hires back to the census.

This module lives under ``benchmarks/`` only; ``benchmarks/bench_naive.py``
times it against ``RegionModel`` and checks that both give the same totals.
"""

from __future__ import annotations

import gc
import math
import time
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from operator import attrgetter
from random import Random

import mesa
import numpy as np
from scipy import sparse

from model.inputs.national import MAX_AGE
from model.simulation import demography, labour_supply, migration
from model.simulation.labour_market import MatchResult
from model.simulation.labour_supply import RETIREMENT_AGE_FROM, STUDENT_AGE_UNTIL, WORKING_AGE
from model.simulation.persons import NO_EMPLOYER, NO_WORKPLACE, Persons, Status
from model.simulation.randomness import binomial_from_uniform, poisson_from_uniform
from model.simulation.region_model import RegionModel
from model.simulation.signals import response, smooth

# Statuses as plain ints: an IntEnum member lookup per person would cost more than the rule.
CHILD, STUDENT, EMPLOYED = int(Status.CHILD), int(Status.STUDENT), int(Status.EMPLOYED)
UNEMPLOYED, RETIRED, OUTSIDE = int(Status.UNEMPLOYED), int(Status.RETIRED), int(Status.OUTSIDE)
WORKING_FROM = WORKING_AGE[0]

Uniform = Callable[[], float]  # a bound ``Random.random``
JOB_COLUMNS = ("employer", "workplace", "status")  # what the firm phase and matching change


class JobSeeker:
    """A search round of one seeker: resident or in-commuter alike."""

    __slots__ = ()

    def search(self, options: PoolOptions | None, suitability: float, random: Uniform) -> int:
        """The pool this seeker applies to with a suitable application, or -1.

        Args:
            options: the pools reachable from the seeker's home and their cumulative
                weights (affinity x open positions), or None if none is open.
            suitability: chance that the application is acceptable.
            random: uniform numbers.
        """
        if options is None:
            return -1
        pools, cumulative = options
        return pools[draw(cumulative, random())] if random() < suitability else -1


class Person(JobSeeker, mesa.Agent):
    """A resident with plain attributes (as the columns of ``Persons``) and their yearly decisions."""

    def __init__(
        self,
        model: NaiveRegionModel,
        pid: int,
        age: int,
        sex: int,
        home: int,
        attachment: float,
        employer: int = NO_EMPLOYER,
        workplace: int = NO_WORKPLACE,
        status: int = CHILD,
    ):
        super().__init__(model)
        self.pid = pid
        self.age = age
        self.sex = sex
        self.home = home
        self.attachment = attachment
        self.employer = employer
        self.workplace = workplace
        self.status = status

    # --- demography ---------------------------------------------------------------
    def live_year(self, death: list[list[float]], fertility: list[float], random: Uniform) -> tuple[bool, bool]:
        """Whether this person dies during the year, and whether she gives birth; survivors age a year."""
        age = self.age
        if random() < death[self.sex][age]:
            return True, False
        gives_birth = self.sex == 0 and random() < fertility[age]
        self.age = age + 1 if age < MAX_AGE else MAX_AGE
        return False, gives_birth

    # --- labour supply --------------------------------------------------------------
    def classify(self, participation: list[list[float]]) -> None:
        """Status from age, attachment and job; leaving the labour force ends the job."""
        age = self.age
        active = self.attachment < participation[self.sex][age]
        if self.workplace != NO_WORKPLACE:
            if active:
                self.status = EMPLOYED
                return
            self.employer, self.workplace = NO_EMPLOYER, NO_WORKPLACE
        if active:
            self.status = UNEMPLOYED
        elif age < WORKING_FROM:
            self.status = CHILD
        elif age <= STUDENT_AGE_UNTIL:
            self.status = STUDENT
        elif age < RETIREMENT_AGE_FROM:
            self.status = OUTSIDE
        else:
            self.status = RETIRED

    def separate(self, rate: float, random: Uniform) -> None:
        """A job ends with the yearly separation rate (quit or dismissal); the worker searches."""
        if self.workplace != NO_WORKPLACE and random() < rate:
            self.lose_job()

    def lose_job(self) -> None:
        """Leave the job and search."""
        self.employer, self.workplace, self.status = NO_EMPLOYER, NO_WORKPLACE, UNEMPLOYED

    def take_job(self, employer: int, workplace: int) -> None:
        """Start working for a firm (or at an outside node, without employer)."""
        self.employer, self.workplace, self.status = employer, workplace, EMPLOYED

    # --- migration --------------------------------------------------------------------
    def wants_to_move(self, move: list[float], move_unemployed: list[float], random: Uniform) -> bool:
        """Whether this person moves out of their municipality this year (Rogers-Castro by age)."""
        table = move_unemployed if self.status == UNEMPLOYED else move
        return random() < table[self.age]

    def choose_new_home(self, tables: MoveTables, random: Uniform) -> int:
        """Another municipality: people of their age there, housing, amenity, jobs, and the commute to their job.

        Stays where they live if no other municipality has weight.
        """
        cumulative = tables.destinations(self.workplace, tables.band_of_age[self.age])
        chosen = draw_excluding(cumulative, self.home, random())
        return self.home if chosen < 0 else chosen

    def move_within(self, new_home: int, minutes: list[list[float]], decay: float, random: Uniform) -> None:
        """Move to another municipality; a longer commute may end the job (always, if out of daily reach)."""
        workplace = self.workplace
        if workplace != NO_WORKPLACE:
            old, new = minutes[self.home][workplace], minutes[new_home][workplace]
            if random() >= keep_job_probability(old, new, decay):
                self.lose_job()
        self.home = new_home


class InCommuterSeeker(JobSeeker):
    """A job seeker living at an outside node: not a resident, so not a Person (a token, as in RegionModel)."""

    __slots__ = ("home", "employer", "status")

    def __init__(self, node: int):
        self.home = node
        self.employer = NO_EMPLOYER
        self.status = UNEMPLOYED

    def take_job(self, employer: int, workplace: int) -> None:
        """Start commuting in to a firm of the region."""
        self.employer, self.status = employer, EMPLOYED


PoolOptions = tuple[list[int], list[float]]  # reachable pools and their cumulative weights


class MoveTables:
    """One year's migration rates and weights as Python lists, read per person without numpy.

    Destination weights depend on a mover's settlement band and workplace only;
    each such group's cumulative weights are built once, when a mover of the
    group first needs them.

    Attributes:
        band_of_age: settlement band of each age.
        move: probability of moving out of one's municipality, by age.
        move_unemployed: the same for the unemployed.
        stays: share of movers from each municipality who stay in the region.
        attraction: destination weight by municipality and settlement band, shape (M, bands).
        minutes: commuting minutes [municipality][node] (NaN: no daily trip).
        decay: commuting-time decay per minute.
        newcomer_cells: cumulative newcomer distribution over (sex, age) cells.
        n_ages: ages per sex in those cells.
    """

    def __init__(self, model: NaiveRegionModel):
        p, m = model.p, model.n_municipalities
        schedule = migration.schedule()
        structure = model.region.national.age_structure(model.year) * schedule[None, :]
        self.band_of_age: list[int] = migration.settlement_band(np.arange(len(schedule))).tolist()
        self.move: list[float] = np.minimum(p.migration_peak_rate * schedule, 1.0).tolist()
        self.move_unemployed: list[float] = np.minimum(
            p.migration_peak_rate * schedule * p.move_factor_unemployed, 1.0
        ).tolist()
        self.stays: list[float] = migration._internal_share(model.persons.home, m, p.outside_mover_pull).tolist()
        self.attraction = np.asarray(model._attraction(), dtype=float)
        self.minutes_array = np.asarray(model.minutes[:m], dtype=float)
        self.minutes: list[list[float]] = self.minutes_array.tolist()
        self.decay = p.commute_time_decay_per_min
        self.newcomer_cells: list[float] = np.cumsum(structure / structure.sum()).tolist()
        self.n_ages = len(schedule)
        self._groups: dict[tuple[int, int], list[float]] = {}

    def destinations(self, workplace: int, band: int) -> list[float]:
        """Cumulative destination weights of movers of a band working at a node (or without job)."""
        key = (workplace, band)
        if key not in self._groups:
            weights = self.attraction[:, band]
            if workplace != NO_WORKPLACE:
                weights = weights * migration.commute_factor(self.minutes_array[:, workplace], self.decay)
            self._groups[key] = np.cumsum(weights).tolist()
        return self._groups[key]

    def settlements(self, band: int) -> list[float]:
        """Cumulative weights of where newcomers of a band settle."""
        return self.destinations(NO_WORKPLACE, band)


def draw(cumulative: list[float], u: float) -> int:
    """An index with probability proportional to its weight, from cumulative weights; -1 if all are zero."""
    total = cumulative[-1] if cumulative else 0.0
    if total <= 0:
        return -1
    chosen = bisect_right(cumulative, u * total)
    return chosen if chosen < len(cumulative) else len(cumulative) - 1


def draw_excluding(cumulative: list[float], excluded: int, u: float) -> int:
    """As `draw`, with the excluded index weighing zero (without copying the weights)."""
    below = cumulative[excluded - 1] if excluded > 0 else 0.0
    weight = cumulative[excluded] - below
    total = cumulative[-1] - weight
    if total <= 0:
        return -1
    target = u * total
    chosen = bisect_right(cumulative, target)
    if chosen >= excluded:  # above the excluded index every cumulative weight is higher by its weight
        chosen = bisect_right(cumulative, target + weight)
    return chosen if chosen < len(cumulative) else len(cumulative) - 1


def keep_job_probability(old: float, new: float, decay: float) -> float:
    """Chance of keeping a job after a move: exp(-b x extra minutes); nil if the job is out of daily reach."""
    if math.isnan(new):
        return 1.0 if math.isnan(old) else 0.0
    if math.isnan(old):
        return 1.0
    return math.exp(-decay * max(new - old, 0.0))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while many lasting objects are made at once.

    Making the 70 000 initial agents would otherwise start collections that walk
    every agent made so far, which is about half the set-up time; nothing made
    there is garbage.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _no_persons() -> Persons:
    """An empty population (for shared code run only for its non-person part)."""
    empty = np.zeros(0)
    return Persons.new(empty, empty, empty, empty, empty)


_PERSON_FIELDS = tuple(column.name for column in fields(Persons))
# Person's attributes, in the order of its arguments; the census and the first agents rely on them being Persons'.
PERSON_ATTRIBUTES = ("pid", "age", "sex", "home", "attachment", "employer", "workplace", "status")


class NaiveRegionModel(RegionModel):
    """RegionModel whose person phases loop over ``Person`` agents, one person at a time.

    Attributes:
        sync_seconds: time spent building censuses and writing changes back, the cost of
            sharing numpy-based firm and recording code with per-agent persons.
    """

    def __init__(self, *args, **kwargs):
        if _PERSON_FIELDS != PERSON_ATTRIBUTES:
            raise TypeError(f"Persons has columns {_PERSON_FIELDS}, Person has {PERSON_ATTRIBUTES}: update Person")
        super().__init__(*args, **kwargs)
        self.sync_seconds = 0.0
        persons = self.persons
        columns = [getattr(persons, name).tolist() for name in _PERSON_FIELDS]
        with _collector_paused():
            for values in zip(*columns, strict=True):
                Person(self, *values)
        self._people: list[Person] = list(self.agents_by_type[Person])

    # --- person phases ------------------------------------------------------------------
    def demography(self) -> None:
        """Deaths, births and ageing, person by person."""
        rates = demography.rates_for(self.region.national, self.year, self.context)
        death, fertility = rates.death_probability.tolist(), rates.fertility.tolist()
        infant = rates.infant_death_probability.tolist()
        rng = self._random("demography")
        random = rng.random
        m = self.n_municipalities
        births, deaths, mothers = [0] * m, [0] * m, []
        for person in self._people:
            dies, gives_birth = person.live_year(death, fertility, random)
            if dies:
                deaths[person.home] += 1
                person.remove()
            elif gives_birth:
                mothers.append(person.home)
        male_share = self.p.newborn_male_share
        for home in mothers:
            births[home] += 1
            sex = 1 if random() < male_share else 0
            if random() < infant[sex]:
                deaths[home] += 1
            else:
                Person(self, rng.getrandbits(64), 0, sex, home, random())
        self.flows["births"], self.flows["deaths"] = np.array(births), np.array(deaths)
        self._people = list(self.agents_by_type[Person])

    def labour_supply(self) -> None:
        """Entry to and exit from the labour force, quits and dismissals, person by person."""
        draws = self.stream("labour_supply")
        random = Random(int(draws.key)).random
        participation = self.participation.tolist()
        rate = self.p.job_separation_rate
        for person in self._people:
            person.classify(participation)
            person.separate(rate, random)
        # In-commuters are counts, not persons: their quits are RegionModel's own code, run without residents.
        labour_supply.separate(_no_persons(), self.firms, rate, draws)
        self._census()

    def firm_phase(self) -> None:
        """The shared firm phase; jobs it ends (closures, lay-offs) go back to the agents."""
        persons = self.persons
        before = {name: getattr(persons, name).copy() for name in JOB_COLUMNS}
        super().firm_phase()
        started = time.perf_counter()
        changed = np.zeros(len(persons), bool)
        for name, old in before.items():
            changed |= getattr(persons, name) != old
        rows = np.flatnonzero(changed)
        people = [self._people[row] for row in rows.tolist()]
        for name in JOB_COLUMNS:
            for person, value in zip(people, getattr(persons, name)[rows].tolist(), strict=True):
                setattr(person, name, value)
        self.sync_seconds += time.perf_counter() - started

    def migration(self) -> None:
        """Moves out, within and into the region, person by person."""
        rng = self._random("migration")
        random = rng.random
        tables = MoveTables(self)
        m = self.n_municipalities
        out, into, left = [0] * m, [0] * m, 0
        move, move_unemployed, stays = tables.move, tables.move_unemployed, tables.stays
        minutes, decay = tables.minutes, tables.decay
        for person in self._people:
            if not person.wants_to_move(move, move_unemployed, random):
                continue
            out[person.home] += 1
            if random() < stays[person.home]:
                new_home = person.choose_new_home(tables, random) if m > 1 else person.home
                into[new_home] += 1
                person.move_within(new_home, minutes, decay, random)
            else:
                left += 1
                person.remove()
        arrived = self._newcomers(tables, into, rng)
        self._people = list(self.agents_by_type[Person])
        participation = self.participation.tolist()
        for person in self._people:
            person.classify(participation)
        self._census()
        self.flows["out_migrants"] = np.append(out, left)
        self.flows["in_migrants"] = np.append(into, arrived)

    def labour_market(self) -> None:
        """Seekers fill vacancies in firms and at outside nodes, seeker by seeker, in rounds."""
        firms, layout, p = self.firms, self.layout, self.p
        rng = self._random("matching")
        affinity = sparse.csr_array(layout.affinity(self.minutes, p.commute_time_decay_per_min))
        outside_open = self._outside_jobs()
        vacancies = firms.vacancies(self.persons)
        open_by_pool = np.concatenate(
            [np.bincount(firms.pool(), weights=vacancies, minlength=layout.n_firm_pools), outside_open]
        )
        open_by_pool = open_by_pool.astype(np.int64).tolist()
        firms_in_pool: list[list[int]] = [[] for _ in open_by_pool]
        pool_of_firm = firms.pool().tolist()
        for row in np.flatnonzero(vacancies > 0).tolist():
            firms_in_pool[pool_of_firm[row]].append(row)
        vacancies = vacancies.tolist()

        people = self._people
        rows = [row for row, person in enumerate(people) if person.status == UNEMPLOYED]
        residents = [people[row] for row in rows]
        outsiders = [
            InCommuterSeeker(node)
            for node, count in enumerate(self._external_seekers().tolist(), start=self.n_municipalities)
            for _ in range(count)
        ]
        searching: list[JobSeeker] = [*residents, *outsiders]
        n_seekers, hires = len(searching), 0
        suitability, fill = self._suitability(), self.strategies.fill_probability(self)
        destination = layout.destination.tolist()
        for _ in range(p.search_rounds):
            if not searching:
                break
            reachable = _pool_options(affinity, open_by_pool)
            fillable = binomial_from_uniform(
                np.array(open_by_pool), fill, np.array([rng.random() for _ in open_by_pool])
            ).tolist()
            applicants: dict[int, list[JobSeeker]] = {}
            for seeker in searching:
                pool = seeker.search(reachable[seeker.home], suitability, rng.random)
                if pool >= 0:
                    applicants.setdefault(pool, []).append(seeker)
            for pool, applying in applicants.items():
                chosen = rng.sample(applying, min(fillable[pool], len(applying)))
                if not chosen:
                    continue
                if pool < layout.n_firm_pools:
                    _hire_into_firms(chosen, firms_in_pool[pool], vacancies, destination[pool], rng)
                else:
                    for seeker in chosen:
                        seeker.take_job(NO_EMPLOYER, destination[pool])
                    outside_open[pool - layout.n_firm_pools] -= len(chosen)
                open_by_pool[pool] -= len(chosen)
                hires += len(chosen)
            searching = [seeker for seeker in searching if seeker.status == UNEMPLOYED]
        self._record_hires(rows, residents, outsiders)
        self.hire_rate = smooth(self.hire_rate, MatchResult(hires, n_seekers).hire_rate, p.vacancy_signal_memory)

    # --- signals and tables (as RegionModel computes them) -------------------------------
    def _random(self, phase: str) -> Random:
        """A Python generator for one phase of the year, seeded from the model's stream."""
        return Random(int(self.stream(phase).key))

    def _external_seekers(self) -> np.ndarray:
        """In-commuting job seekers per outside node, as RegionModel.labour_market asks for them."""
        firms = self.firms
        return self.outside.seekers(
            firms,
            self.outside_supply_now(),
            self.vacancy_signal,
            self.base_vacancy_rate,
            self.hire_rate,
            self.p,
        )

    def _expected_newcomers(self) -> tuple[float, np.ndarray]:
        """Newcomers who choose where to live, and those placed per municipality, as RegionModel.migration."""
        population = len(self.persons)
        pull = response(self.vacancy_signal, self.base_vacancy_rate, self.p.vacancy_pull_elasticity)
        places = self._housing_and_amenity() @ self.population_now() / population
        regional, settled = self._immigration()
        return self.p.in_migration_rate * population * pull * places + regional, settled

    def _newcomers(self, tables: MoveTables, into: list[int], rng: Random) -> int:
        """Newcomers settle by attraction, placed immigrants where placed; returns how many arrived."""
        random = rng.random
        expected, settled_expected = self._expected_newcomers()
        count = int(poisson_from_uniform(np.array(expected), np.array(random())))
        uniforms = np.array([random() for _ in settled_expected])
        settled = poisson_from_uniform(settled_expected, uniforms).tolist()
        homes = [None] * count + [home for home, n in enumerate(settled) for _ in range(n)]
        cells, n_ages = tables.newcomer_cells, tables.n_ages
        for home in homes:
            sex, age = divmod(min(bisect_right(cells, random() * cells[-1]), len(cells) - 1), n_ages)
            if home is None:
                home = max(draw(tables.settlements(tables.band_of_age[age]), random()), 0)
            into[home] += 1
            Person(self, rng.getrandbits(64), age, sex, home, random())
        return len(homes)

    # --- census: the agents as numpy columns for the shared code ---------------------------
    def _census(self) -> None:
        """Persons arrays from the agents (row i is ``self._people[i]``), in the dtypes ``Persons`` uses.

        Column by column, so that no container per person is made (which would wake the
        garbage collector to walk every agent).
        """
        started = time.perf_counter()
        template, people = _no_persons(), self._people
        self.persons = Persons(
            **{
                name: np.fromiter(map(attrgetter(name), people), getattr(template, name).dtype, len(people))
                for name in _PERSON_FIELDS
            }
        )
        self.sync_seconds += time.perf_counter() - started

    def _record_hires(self, rows: list[int], residents: list[Person], outsiders: list[InCommuterSeeker]) -> None:
        """Hired residents (census rows `rows`) into the census; hired in-commuters into the firms' counts."""
        started = time.perf_counter()
        hired = [i for i, person in enumerate(residents) if person.status == EMPLOYED]
        persons = self.persons
        if hired:
            at, people = np.array(rows)[hired], [residents[i] for i in hired]
            for name in JOB_COLUMNS:
                column = getattr(persons, name)
                column[at] = np.fromiter(map(attrgetter(name), people), column.dtype, len(people))
        self.sync_seconds += time.perf_counter() - started
        joined = [(seeker.employer, seeker.home - self.n_municipalities) for seeker in outsiders]
        joined = [pair for pair in joined if pair[0] != NO_EMPLOYER]
        if joined:
            np.add.at(self.firms.external, tuple(np.array(joined).T), 1)


def _pool_options(affinity: sparse.csr_array, open_by_pool: list[int]) -> list[PoolOptions | None]:
    """Per origin node, the pools it reaches and their cumulative weights (affinity x open); None if none is open."""
    open_positions = np.asarray(open_by_pool, dtype=float)
    options: list[PoolOptions | None] = []
    for node in range(affinity.shape[0]):
        start, end = affinity.indptr[node], affinity.indptr[node + 1]
        pools = affinity.indices[start:end]
        cumulative = np.cumsum(affinity.data[start:end] * open_positions[pools])
        options.append((pools.tolist(), cumulative.tolist()) if len(pools) and cumulative[-1] > 0 else None)
    return options


def _hire_into_firms(
    chosen: list[JobSeeker], firms: list[int], vacancies: list[int], workplace: int, rng: Random
) -> None:
    """Hires of a pool take random open slots (one per unfilled position) of its firms."""
    slots: list[int] = []
    for row in firms:
        slots += [row] * vacancies[row]
    for seeker, row in zip(chosen, rng.sample(slots, len(chosen)), strict=True):
        vacancies[row] -= 1
        seeker.take_job(row, workplace)


__all__ = ["NaiveRegionModel", "Person"]
