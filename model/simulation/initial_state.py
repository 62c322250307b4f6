"""The base-year state: persons, their jobs and the firms, built from a snapshot.

Persons are the snapshot's residents exactly (municipality, sex, single year of
age). Employed residents and their workplaces reproduce the commuting matrix
exactly; firms are drawn with realistic sizes so that jobs by municipality and
sector match the sector split, and every job is a filled position of a firm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from model.inputs.parameters import Parameters
from model.inputs.region import RegionData, Snapshot
from model.inputs.sectors import SECTOR_KEYS
from model.simulation.firm_dynamics import initial_ages
from model.simulation.firms import FirmTable, Origin
from model.simulation.labour_supply import attachment_given_status, scaled_participation
from model.simulation.persons import Persons, Status
from model.simulation.randomness import Draws


@dataclass
class InitialState:
    """What the model starts from.

    Attributes:
        persons: the residents with statuses, employers and workplaces.
        firms: the firms, their positions and in-commuters.
        participation: labour-force share by sex and age (scaled to Norway).
        participation_factor: the factor that scaled the participation table.
        jobs_by_sector: base-year jobs by municipality and sector, matching the commuting totals.
    """

    persons: Persons
    firms: FirmTable
    participation: np.ndarray
    participation_factor: float
    jobs_by_sector: np.ndarray


def build_initial_state(region: RegionData, snapshot: Snapshot, year: int, p: Parameters, draws: Draws) -> InitialState:
    """Residents, jobs and firms at 1 January of the base year."""
    rng = draws.rng
    participation, factor = scaled_participation(
        region.national.participation_table,
        region.national.age_structure(year),
        snapshot.national_employment_rate,
        p.initial_unemployment_rate,
    )
    persons = _residents(snapshot.persons, draws)
    flows = snapshot.commuting
    m = region.n_municipalities
    homes = _slices(persons.home, m)  # residents are created in municipality order
    for i in range(m):
        _assign_labour_force(persons, homes[i], flows[i].sum(), participation, p, rng)
        _assign_workplaces(persons, homes[i], flows[i], rng)
    jobs = _split_to_totals(snapshot.jobs_by_sector, flows[:, :m].sum(axis=0))
    by_workplace = np.argsort(persons.workplace, kind="stable")
    bounds = np.searchsorted(persons.workplace[by_workplace], np.arange(m + 1))
    workers = np.split(by_workplace, bounds)[1 : m + 1]  # residents working in each municipality
    parts, first_row = [], 0
    for i in range(m):
        part = _create_firms(region, i, jobs[i], year, p, draws, first_row)
        _fill_firms(persons, part, first_row, workers[i], flows[m:, i], p, rng)
        parts.append(part)
        first_row += len(part)
    firms = FirmTable.concatenate(parts, n_outside=len(region.nodes) - m)
    return InitialState(persons, firms, participation, factor, jobs)


def _slices(sorted_home: np.ndarray, m: int) -> list[slice]:
    """The rows of each municipality's residents in a table sorted by home."""
    bounds = np.searchsorted(sorted_home, np.arange(m + 1))
    return [slice(int(bounds[i]), int(bounds[i + 1])) for i in range(m)]


def _residents(counts: np.ndarray, draws: Draws) -> Persons:
    """One person per resident counted in the snapshot, by municipality, sex and age."""
    home, sex, age = np.indices(counts.shape).reshape(3, -1)
    n = counts.ravel()
    return Persons.new(
        pid=draws.new_ids(np.arange(n.sum(), dtype=np.uint64)),
        age=np.repeat(age, n),
        sex=np.repeat(sex, n),
        home=np.repeat(home, n),
        attachment=np.zeros(n.sum()),
    )


def _assign_labour_force(
    persons: Persons,
    residents: slice,
    employed: int,
    participation: np.ndarray,
    p: Parameters,
    rng: np.random.Generator,
) -> None:
    """Exactly the observed employed residents, and the unemployed, in one municipality.

    The labour force is drawn with probability proportional to national
    participation by sex and age, scaled so its size is employed / (1 - u).
    """
    mine = np.arange(residents.start, residents.stop)
    share = participation[persons.sex[mine], persons.age[mine]]
    labour_force = int(round(employed / (1 - p.initial_unemployment_rate)))
    labour_force = min(labour_force, int((share > 0).sum()))
    scale = brentq(lambda f: np.minimum(share * f, 1).sum() - labour_force, 0.0, 1e3)
    active = rng.random(len(mine)) < np.minimum(share * scale, 1)
    _adjust_count(active, share > 0, labour_force, rng)
    persons.attachment[mine] = attachment_given_status(active, share, rng)
    working = rng.permutation(np.flatnonzero(active))[:employed]
    persons.status[mine] = np.where(active, Status.UNEMPLOYED, Status.OUTSIDE)
    persons.status[mine[working]] = Status.EMPLOYED


def _adjust_count(mask: np.ndarray, eligible: np.ndarray, target: int, rng: np.random.Generator) -> None:
    """Flip random eligible entries so that exactly `target` are true."""
    difference = int(mask.sum()) - target
    if difference > 0:
        mask[rng.choice(np.flatnonzero(mask), difference, replace=False)] = False
    elif difference < 0:
        mask[rng.choice(np.flatnonzero(eligible & ~mask), -difference, replace=False)] = True


def _assign_workplaces(
    persons: Persons, residents: slice, flows_from_here: np.ndarray, rng: np.random.Generator
) -> None:
    """Workplace nodes of a municipality's employed residents, exactly as the commuting row."""
    workers = residents.start + np.flatnonzero(persons.status[residents] == Status.EMPLOYED)
    workers = rng.permutation(workers)
    persons.workplace[workers] = np.repeat(np.arange(len(flows_from_here)), flows_from_here)


def _split_to_totals(split: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Scale each municipality's sector split to its job total (largest remainders)."""
    result = np.zeros_like(split)
    for i, total in enumerate(totals):
        exact = split[i] / split[i].sum() * total
        result[i] = np.floor(exact)
        short = int(total - result[i].sum())
        result[i][np.argsort(exact - np.floor(exact))[::-1][:short]] += 1
    return result


def _create_firms(
    region: RegionData, municipality: int, jobs: np.ndarray, year: int, p: Parameters, draws: Draws, first_row: int
) -> FirmTable:
    """Firms of one municipality whose sizes add up to its jobs in each sector.

    Returns a table of these firms only; `first_row` is where they will start
    in the region's table (their identities derive from their rows).
    """
    rng = draws.rng
    part = FirmTable.empty(n_outside=len(region.nodes) - region.n_municipalities)
    for s, key in enumerate(SECTOR_KEYS):
        sizes = _firm_sizes(int(jobs[s]), *region.national.establishment_size[key], rng)
        if len(sizes) == 0:
            continue
        start = first_row + len(part)
        rows = part.add(
            key=draws.new_ids(np.arange(start, start + len(sizes), dtype=np.uint64), draw=1),
            municipality=np.full(len(sizes), municipality),
            sector=np.full(len(sizes), s),
            positions=sizes,
            competitiveness=rng.normal(0.0, p.competitiveness_sd, len(sizes)),
            founded=year,
            origin=Origin.EXISTING,
        )
        part.founded[rows] = year - _ages_by_size(sizes, initial_ages(len(rows), p, rng))
    return part


def _ages_by_size(sizes: np.ndarray, ages: np.ndarray) -> np.ndarray:
    """The drawn ages given out by size: the smallest firms are the youngest.

    Start-ups begin with one to four employees and grow for years (young_firm_growth); ages drawn
    apart from sizes made some large firms newborn, and their young growth lifted every sector
    4-5 % in the first three years of a run with no national growth.
    """
    result = np.empty_like(ages)
    result[np.argsort(sizes, kind="stable")] = np.sort(ages)
    return result


def _firm_sizes(total: int, mean: float, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Lognormal firm sizes (at least 1) that add up to `total`."""
    if total <= 0:
        return np.zeros(0, dtype=np.int64)
    mu = np.log(mean) - sigma**2 / 2
    draws = np.maximum(np.rint(rng.lognormal(mu, sigma, int(3 * total / mean) + 10)), 1).astype(np.int64)
    cumulative = np.cumsum(draws)
    n = int(np.searchsorted(cumulative, total)) + 1
    sizes = draws[:n].copy()
    sizes[-1] = total - (cumulative[n - 2] if n > 1 else 0)
    return sizes


def _fill_firms(
    persons: Persons,
    firms: FirmTable,
    first_row: int,
    residents: np.ndarray,
    in_commuters: np.ndarray,
    p: Parameters,
    rng: np.random.Generator,
) -> None:
    """Put a municipality's workers into its firms' positions, then open vacancies.

    Workers are the residents working here (rows of `persons`) and the
    in-commuters from outside nodes (counts, not persons); they fill the
    firms' positions in random order. `firms` holds this municipality's firms
    only; the region's table will hold them from `first_row` on.
    """
    rows = np.arange(len(firms))
    slots = rng.permutation(np.repeat(rows, firms.positions))
    persons.employer[residents] = first_row + slots[: len(residents)]
    outside_node = np.repeat(np.arange(len(in_commuters)), in_commuters)
    np.add.at(firms.external, (slots[len(residents) :], outside_node), 1)
    rate = p.initial_vacancy_rate
    firms.positions += rng.binomial(firms.positions, rate / (1 - rate))
