"""Firms that come without any strategy: inward establishments and research spin-offs.

Part of the ordinary entry into each basic sector comes as establishments of
firms from outside the region (branches, relocations), the size of a typical
establishment of their sector, and each R&D source founds a few spin-offs a
year. They take the place of as many start-up jobs, so a region without
strategies has the entry, and the stationary sectors, it had before.

They are there so that a strategy is credited only with what it adds: an
attraction or commercialisation programme cannot tell them from the firms it
has to win, some of its cases are these firms, and the jobs of those that take
its support are its deadweight (the reference case of the HCA Additionality
Guide, 4th edition 2014, ch. 3; `StrategyEffects._ordinary_cases`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.inputs.parameters import Parameters
from model.inputs.sectors import BASIC_SECTORS, SECTOR_KEYS
from model.simulation.randomness import Draws, poisson_from_uniform

COUNT_DRAW, KEY_DRAW, SIZE_DRAW, COMPETITIVENESS_DRAW = 8, 9, 10, 11
SPINOFF_COUNT_DRAW, SPINOFF_KEY_DRAW, SPINOFF_SIZE_DRAW, SPINOFF_COMPETITIVENESS_DRAW = 12, 13, 14, 15


@dataclass
class Batch:
    """Columns of new firms of one kind."""

    key: np.ndarray
    municipality: np.ndarray
    sector: np.ndarray
    positions: np.ndarray
    competitiveness: np.ndarray


@dataclass
class OrdinaryArrivals:
    """This year's ordinary arrivals, as rows of the firm table, that a strategy may claim."""

    inward: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    spinoffs: dict[str, np.ndarray] = field(default_factory=dict)


def inward_establishments(
    expected_startups: np.ndarray,
    establishment_size: dict[str, tuple[float, float]],
    p: Parameters,
    draws: Draws,
) -> tuple[Batch, np.ndarray]:
    """Inward establishments of this year, and the start-ups per pool that remain.

    Of each basic pool's expected entry jobs (start-ups times their mean size), the share
    ``inward_share_of_basic_entry`` comes as establishments with the lognormal size of the
    sector's establishments (SSB 10308, as in the base-year firms).
    """
    k = len(SECTOR_KEYS)
    pools = np.arange(len(expected_startups))
    sector = pools % k
    share = np.where(np.isin(sector, BASIC_SECTORS), p.inward_share_of_basic_entry, 0.0)
    mean_size = np.array([establishment_size[key][0] for key in SECTOR_KEYS])[sector]
    sigma = np.array([establishment_size[key][1] for key in SECTOR_KEYS])[sector]
    expected = expected_startups * p.startup_mean_jobs * share / mean_size
    counts = poisson_from_uniform(expected, draws.uniform(pools.astype(np.uint64), COUNT_DRAW))
    rows = np.repeat(pools, counts)
    nth = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    keys = draws.new_ids((rows.astype(np.uint64) << np.uint64(32)) + nth.astype(np.uint64), draw=KEY_DRAW)
    mu = np.log(mean_size[rows]) - sigma[rows] ** 2 / 2
    sizes = np.exp(mu + sigma[rows] * draws.normal(keys, SIZE_DRAW))
    batch = Batch(
        key=keys,
        municipality=rows // k,
        sector=rows % k,
        positions=np.maximum(np.rint(sizes), 1).astype(np.int64),
        competitiveness=draws.normal(keys, COMPETITIVENESS_DRAW) * p.competitiveness_sd,
    )
    return batch, expected_startups * (1 - share)


def research_spinoffs(
    expected_startups: np.ndarray,
    rnd_sources: dict[str, tuple[int, int]],
    p: Parameters,
    draws: Draws,
) -> tuple[dict[str, Batch], np.ndarray]:
    """Each R&D source's ordinary spin-offs of this year, and the start-ups per pool that remain.

    A spin-off is a start-up of its source's pool with a spin-off's growth advantage; as many
    ordinary start-ups as there are spin-offs are not founded there.
    """
    k = len(SECTOR_KEYS)
    remaining = expected_startups.copy()
    batches = {}
    for j, (name, (municipality, sector)) in enumerate(sorted(rnd_sources.items())):
        mean = np.array([p.ordinary_spinoffs_per_year])
        count = int(poisson_from_uniform(mean, draws.uniform(np.array([j], np.uint64), SPINOFF_COUNT_DRAW))[0])
        keys = draws.new_ids((np.uint64(j) << np.uint64(32)) + np.arange(count, dtype=np.uint64), draw=SPINOFF_KEY_DRAW)
        pool = municipality * k + sector
        remaining[pool] = max(remaining[pool] - count, 0.0)
        batches[name] = Batch(
            key=keys,
            municipality=np.full(count, municipality),
            sector=np.full(count, sector),
            positions=1
            + poisson_from_uniform(np.full(count, p.startup_mean_jobs - 1), draws.uniform(keys, SPINOFF_SIZE_DRAW)),
            competitiveness=p.spinoff_growth_advantage
            + draws.normal(keys, SPINOFF_COMPETITIVENESS_DRAW) * p.competitiveness_sd,
        )
    return batches, remaining
