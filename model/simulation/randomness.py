"""Random draws tied to who draws them: common random numbers that stay common.

Every draw of a run derives from the scenario seed and the replicate number.
Each phase of each year has its own key (numpy ``SeedSequence`` spawn keys),
and within a phase a draw belongs to an identity: a person, a firm, a pool.
A person's chance of dying, moving or getting a job in 2026 is the same
number in every scenario that starts from the same seed, however many other
persons, firms or draws a strategy adds. Comparisons against a baseline
therefore measure the strategy, not reshuffled luck.

Keyed uniforms come from the splitmix64 mixing function (Steele, Lea and
Flood 2014) applied to (identity, phase key, draw number); a numpy
``Generator`` from the same key serves draws that no identity owns.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

PHASES: tuple[str, ...] = ("init", "demography", "labour_supply", "firms", "migration", "matching")

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_DRAW = np.uint64(0xD1B54A32D192ED03)


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijective scramble of 64-bit integers."""
    x = np.asarray(x, dtype=np.uint64).copy()
    with np.errstate(over="ignore"):
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return x


class Draws:
    """The random draws of one phase in one year of one replicate."""

    def __init__(self, seed: int, replicate: int, phase: str, year: int):
        sequence = np.random.SeedSequence(seed, spawn_key=(replicate, PHASES.index(phase), year))
        self.key = sequence.generate_state(1, np.uint64)[0]
        self.rng = np.random.Generator(np.random.PCG64(sequence))

    def bits(self, ids: np.ndarray, draw: int = 0) -> np.ndarray:
        """64 random bits per identity for draw number `draw`."""
        ids = np.asarray(ids, dtype=np.uint64)
        with np.errstate(over="ignore"):
            return mix(ids * _GOLDEN + self.key + np.uint64(draw) * _DRAW)

    def uniform(self, ids: np.ndarray, draw: int = 0) -> np.ndarray:
        """A uniform number in [0, 1) per identity."""
        return (self.bits(ids, draw) >> np.uint64(11)).astype(np.float64) * 2.0**-53

    def normal(self, ids: np.ndarray, draw: int = 0) -> np.ndarray:
        """A standard normal number per identity."""
        u = self.uniform(ids, draw)
        return ndtri(np.clip(u, 2.0**-54, 1 - 2.0**-53))

    def new_ids(self, parents: np.ndarray, draw: int = 0) -> np.ndarray:
        """Identities for new persons or firms, derived from a parent identity or an index."""
        return self.bits(parents, 1_000 + draw)


def rank_within_groups(groups: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Rank 0, 1, ... of every element within its group, in the order of `keys`.

    Used to pick which applicants a pool hires or which workers a firm lays
    off, for all pools or firms at once.
    """
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((keys, groups))
    sorted_groups = groups[order]
    first = np.searchsorted(sorted_groups, sorted_groups, side="left")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - first
    return rank


def stochastic_round(values: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Round to integers up or down with probabilities that keep the mean."""
    floor = np.floor(values)
    return (floor + (uniforms < values - floor)).astype(np.int64)


def poisson_from_uniform(mean: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Poisson numbers by inverting the distribution function.

    The same uniform gives the same or a larger number for a larger mean, so a
    strategy that raises a rate adds events without reshuffling the others.
    """
    from scipy.stats import poisson

    mean = np.asarray(mean, dtype=float)
    result = poisson.ppf(uniforms, np.maximum(mean, 0.0))
    return np.where(mean > 0, np.nan_to_num(result), 0).astype(np.int64)


def binomial_from_uniform(n: np.ndarray, probability: float, uniforms: np.ndarray) -> np.ndarray:
    """Binomial numbers by inverting the distribution function (monotone in n and p)."""
    from scipy.stats import binom

    n = np.asarray(n)
    result = binom.ppf(uniforms, n, probability)
    return np.where(n > 0, np.nan_to_num(result), 0).astype(np.int64)
