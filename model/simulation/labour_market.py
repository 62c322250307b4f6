"""Job search and matching on vacancy pools, never on person x vacancy pairs.

A pool is a municipality x sector (its firms' unfilled positions), or an
outside node seen from one home municipality: the jobs there open to that
municipality's residents (within daily reach, or weekly commuting to a
long-distance node, a fixed share of its employed residents). Seekers choose a pool with
probability proportional to its vacancies times an accessibility weight

    A[origin, pool] = K[origin, destination] * f(minutes[origin, destination]),

a gravity model whose origin-destination constants K are fitted so that the
base-year commuting matrix is reproduced exactly (the pivot-point form used in
transport models). A change of commuting times (an infrastructure strategy)
moves choices through f = (t / t0) ** (-b T): ``commute_time_decay_per_min``
b per minute at a 30-minute commute, less per minute on longer ones.
In each round an application is suitable with a probability (skills, health,
timing) that rises when employers are short of workers, and every open vacancy of a pool with suitable applicants
is filled with a fixed probability (recruiting takes time) by a random one of
them; unsuccessful seekers try again in the next round. Hires thus grow with
both seekers and vacancies, as in an aggregate matching function.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from model.inputs.parameters import Parameters
from model.inputs.region import RegionData
from model.inputs.sectors import SECTOR_KEYS
from model.simulation.choice import choose_by_group
from model.simulation.firms import FirmTable
from model.simulation.persons import Persons, Status
from model.simulation.randomness import Draws, binomial_from_uniform, mix, rank_within_groups
from model.simulation.signals import time_response


@dataclass(frozen=True)
class PoolLayout:
    """The vacancy pools of a region and who can reach them.

    Pools are the municipality x sector pools of firms, then one pool per
    home municipality and outside node: jobs at an outside node open to the
    residents of one municipality (their commute, their weekly share).

    Attributes:
        n_municipalities: municipalities of the region (origins and workplaces).
        n_sectors: sectors per municipality.
        destination: node of each pool.
        home: for an outside pool, the only municipality whose residents reach it; -1 for firm pools.
        base_affinity: A[origin node, pool] at base-year commuting times, sparse: an
            origin reaches only the pools of its commuting neighbourhood (flows in the base year).
        base_minutes: the base-year commuting times (NaN: no daily trip).
    """

    n_municipalities: int
    n_sectors: int
    destination: np.ndarray
    home: np.ndarray
    base_affinity: sparse.csr_array
    base_minutes: np.ndarray

    @property
    def n_firm_pools(self) -> int:
        """Pools made of firms: municipality x sector."""
        return self.n_municipalities * self.n_sectors

    @property
    def n_pools(self) -> int:
        """All pools."""
        return len(self.destination)

    def affinity(self, minutes: np.ndarray, decay: float) -> sparse.csr_array:
        """A[origin node, pool] for the given commuting times (pivot on the base year)."""
        base = self.base_affinity
        origin = np.repeat(np.arange(base.shape[0]), np.diff(base.indptr))
        node = self.destination[base.indices]
        factor = time_response(minutes[origin, node], self.base_minutes[origin, node], decay)
        return sparse.csr_array((base.data * factor, base.indices, base.indptr), shape=base.shape)


def build_layout(
    region: RegionData, flows: np.ndarray, positions: np.ndarray, outside_positions: np.ndarray
) -> PoolLayout:
    """Pools and their base-year affinities, fitted to the base-year commuting flows.

    With vacancies proportional to positions, a seeker from origin g then picks
    destination d with probability flows[g, d] / flows[g].sum(): the base year
    is reproduced. K * exp(-b t0) of the gravity form is folded into the base
    affinity flows[g, d] / positions[d]; only changes of time act through b.

    Args:
        region: the region.
        flows: base-year commuting, residence node x workplace node.
        positions: base-year positions (filled + open) per municipality.
        outside_positions: base-year positions per (home municipality, outside node).
    """
    m = region.n_municipalities
    n_outside = len(region.nodes) - m
    n_sectors = len(SECTOR_KEYS)
    home = np.concatenate([np.full(m * n_sectors, -1), np.repeat(np.arange(m), n_outside)])
    destination = np.concatenate([np.repeat(np.arange(m), n_sectors), np.tile(np.arange(m, m + n_outside), m)])
    affinity = np.zeros((len(region.nodes), len(destination)))
    affinity[:, : m * n_sectors] = (flows[:, :m] / np.maximum(positions, 1)[None, :])[:, destination[: m * n_sectors]]
    for pool in range(m * n_sectors, len(destination)):
        i, node = home[pool], destination[pool]
        affinity[i, pool] = flows[i, node] / max(outside_positions[i, node - m], 1)
    return PoolLayout(m, n_sectors, destination, home, sparse.csr_array(affinity), region.minutes.copy())


@dataclass
class MatchResult:
    """What one year's matching did."""

    hires: int
    seekers: int

    @property
    def hire_rate(self) -> float:
        """Share of all seekers (residents and in-commuters) hired this year."""
        return self.hires / self.seekers if self.seekers else 1.0


def match(
    persons: Persons,
    firms: FirmTable,
    layout: PoolLayout,
    affinity: np.ndarray,
    outside_vacancies: np.ndarray,
    external_seekers: np.ndarray,
    suitability: float,
    fill_probability: np.ndarray,
    p: Parameters,
    draws: Draws,
) -> MatchResult:
    """Fill vacancies with seekers, in rounds, for all seekers at once.

    Args:
        persons: residents; those with status UNEMPLOYED search.
        firms: the firms; hires update persons' employers or firms' in-commuters.
        layout: the pools.
        affinity: A[origin node, pool] for this year's commuting times (sparse).
        outside_vacancies: open jobs in the outside pools (home municipality x outside node,
            in pool order); decremented in place.
        external_seekers: in-commuting job seekers per outside node (not persons).
        suitability: chance that an application is acceptable this year (higher when
            employers are short of workers).
        fill_probability: chance per round that an open vacancy with applicants is filled,
            per pool (faster where a business-services strategy acts).
        p: parameters.
        draws: the matching draws; each seeker's draws are tied to its identity.
    """
    m = layout.n_municipalities
    n_nodes = affinity.shape[0]
    seekers = np.flatnonzero(persons.status == Status.UNEMPLOYED)
    outside_origin = np.repeat(np.arange(m, n_nodes), external_seekers)
    token = (
        np.concatenate([np.arange(k) for k in external_seekers]).astype(np.uint64)
        if len(outside_origin)
        else np.zeros(0, np.uint64)
    )
    origin = np.concatenate([persons.home[seekers].astype(np.int64), outside_origin])
    who = np.concatenate([seekers, np.full(len(outside_origin), -1)])
    identity = np.concatenate(
        [persons.pid[seekers], draws.new_ids((outside_origin.astype(np.uint64) << np.uint64(32)) + token)]
    )

    vacancies = firms.vacancies(persons)
    firm_pool = firms.pool()
    n_seekers = len(origin)
    hires = 0
    for round_ in range(p.search_rounds):
        if len(origin) == 0:
            break
        draw = 10 * round_
        open_by_pool = np.concatenate(
            [np.bincount(firm_pool, weights=vacancies, minlength=layout.n_firm_pools), outside_vacancies]
        )
        choice = _choose_pools(origin, affinity, open_by_pool, draws.uniform(identity, draw))
        applied = (choice >= 0) & (draws.uniform(identity, draw + 4) < suitability)
        # Each open vacancy is filled this round with a fixed chance if anyone applied.
        pool_ids = np.arange(len(open_by_pool), dtype=np.uint64)
        fillable = binomial_from_uniform(open_by_pool, fill_probability, draws.uniform(pool_ids, draw + 1))
        rank = np.full(len(origin), np.iinfo(np.int64).max)
        rank[applied] = rank_within_groups(choice[applied], draws.uniform(identity[applied], draw + 2))
        hired = applied & (rank < fillable[np.maximum(choice, 0)])
        in_firms = hired & (choice < layout.n_firm_pools)
        employer = np.full(len(origin), -1)
        employer[in_firms] = _assign_to_firms(
            choice[in_firms], rank[in_firms], vacancies, firm_pool, firms.key, draws, draw + 3
        )
        np.subtract.at(vacancies, employer[in_firms], 1)
        np.subtract.at(outside_vacancies, choice[hired & ~in_firms] - layout.n_firm_pools, 1)

        resident = hired & (who >= 0)
        persons.take_jobs(who[resident], employer[resident], layout.destination[choice[resident]])
        outsider = hired & (who < 0)
        np.add.at(firms.external, (employer[outsider], origin[outsider] - m), 1)
        hires += int(hired.sum())
        origin, who, identity = origin[~hired], who[~hired], identity[~hired]
    return MatchResult(hires, n_seekers)


def _choose_pools(
    origin: np.ndarray, affinity: sparse.csr_array, open_by_pool: np.ndarray, uniforms: np.ndarray
) -> np.ndarray:
    """Each seeker's pool, proportional to affinity x open positions; -1 if none is open."""

    def options_of(node: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = affinity.indptr[node], affinity.indptr[node + 1]
        pools = affinity.indices[start:end]
        return pools, affinity.data[start:end] * open_by_pool[pools]

    return choose_by_group(origin, uniforms, options_of)


def _assign_to_firms(
    pools: np.ndarray,
    ranks: np.ndarray,
    vacancies: np.ndarray,
    firm_pool: np.ndarray,
    firm_key: np.ndarray,
    draws: Draws,
    draw: int,
) -> np.ndarray:
    """The firm each hire goes to: the hire of rank r in a pool takes its r-th open slot.

    Open slots (one per unfilled position) are put in random order within each
    pool, so firms hire in proportion to their vacancies, never beyond them.
    """
    rows = np.flatnonzero((vacancies > 0) & np.isin(firm_pool, np.unique(pools)))  # pools that hire this round
    slots = np.repeat(rows, vacancies[rows])
    within = np.arange(len(slots)) - np.repeat(np.cumsum(vacancies[rows]) - vacancies[rows], vacancies[rows])
    slot_pool = firm_pool[slots]
    slot_identity = mix(firm_key[slots] + within.astype(np.uint64))
    order = np.lexsort((draws.uniform(slot_identity, draw), slot_pool))
    first_slot = np.searchsorted(slot_pool[order], pools)
    return slots[order][first_slot + ranks]
