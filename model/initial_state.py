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

from model.firm_dynamics import initial_ages
from model.firms import FirmTable, Origin
from model.labour_supply import attachment_given_status, scaled_participation
from model.parameters import Parameters
from model.persons import Persons, Status
from model.randomness import Draws
from model.region import RegionData, Snapshot
from model.sectors import SECTOR_KEYS


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
    for i in range(m):
        _assign_labour_force(persons, i, flows[i].sum(), participation, p, rng)
        _assign_workplaces(persons, i, flows[i], rng)
    jobs = _split_to_totals(snapshot.jobs_by_sector, flows[:, :m].sum(axis=0))
    firms = FirmTable.empty(n_outside=len(region.nodes) - m)
    for i in range(m):
        _create_firms(firms, region, i, jobs[i], year, p, draws)
        _fill_firms(persons, firms, i, flows[m:, i], p, rng)
    return InitialState(persons, firms, participation, factor, jobs)


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
    municipality: int,
    employed: int,
    participation: np.ndarray,
    p: Parameters,
    rng: np.random.Generator,
) -> None:
    """Exactly the observed employed residents, and the unemployed, in one municipality.

    The labour force is drawn with probability proportional to national
    participation by sex and age, scaled so its size is employed / (1 - u).
    """
    mine = np.flatnonzero(persons.home == municipality)
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
    persons: Persons, municipality: int, flows_from_here: np.ndarray, rng: np.random.Generator
) -> None:
    """Workplace nodes of a municipality's employed residents, exactly as the commuting row."""
    workers = np.flatnonzero((persons.home == municipality) & (persons.status == Status.EMPLOYED))
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
    firms: FirmTable, region: RegionData, municipality: int, jobs: np.ndarray, year: int, p: Parameters, draws: Draws
) -> None:
    """Firms of one municipality whose sizes add up to its jobs in each sector."""
    rng = draws.rng
    for s, key in enumerate(SECTOR_KEYS):
        sizes = _firm_sizes(int(jobs[s]), *region.national.establishment_size[key], rng)
        if len(sizes) == 0:
            continue
        rows = firms.add(
            key=draws.new_ids(np.arange(len(firms), len(firms) + len(sizes), dtype=np.uint64), draw=1),
            municipality=np.full(len(sizes), municipality),
            sector=np.full(len(sizes), s),
            positions=sizes,
            competitiveness=rng.normal(0.0, p.competitiveness_sd, len(sizes)),
            founded=year,
            origin=Origin.EXISTING,
        )
        firms.founded[rows] = year - initial_ages(len(rows), p, rng)


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
    municipality: int,
    in_commuters: np.ndarray,
    p: Parameters,
    rng: np.random.Generator,
) -> None:
    """Put the municipality's workers into its firms' positions, then open vacancies.

    Workers are the residents working here and the in-commuters from outside
    nodes (counts, not persons); they fill the firms' positions in random order.
    """
    rows = np.flatnonzero(firms.municipality == municipality)
    slots = rng.permutation(np.repeat(rows, firms.positions[rows]))
    residents = np.flatnonzero(persons.workplace == municipality)
    persons.employer[residents] = slots[: len(residents)]
    outside_node = np.repeat(np.arange(len(in_commuters)), in_commuters)
    np.add.at(firms.external, (slots[len(residents) :], outside_node), 1)
    rate = p.initial_vacancy_rate
    open_positions = rng.binomial(firms.positions[rows], rate / (1 - rate))
    firms.positions[rows] += open_positions
