"""Discrete choices of many persons among the options of their group.

Movers, newcomers and job seekers each pick one option (a municipality, a
vacancy pool) with probability proportional to weights that depend only on
their group: their age band and workplace, or their home node. The weights
are built once per group, over that group's options only (its commuting
neighbourhood, say), and each person's choice is one binary search with their
own uniform number. No persons x options matrix is ever formed, so the cost
grows with persons plus groups x options, and a national population of
millions choosing among hundreds of municipalities fits in memory.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

NO_CHOICE = -1

GroupOptions = Callable[[int], tuple[np.ndarray, np.ndarray]]
"""For a group, its options (sorted indices) and their weights (non-negative)."""


def choose_by_group(
    group: np.ndarray,
    uniforms: np.ndarray,
    options_of: GroupOptions,
    exclude: np.ndarray | None = None,
) -> np.ndarray:
    """One option per person, with probability proportional to the weights of their group.

    Args:
        group: each person's group.
        uniforms: each person's uniform number in [0, 1); the same number always
            gives the same choice from the same weights.
        options_of: the options and weights of a group.
        exclude: an option each person may not take (their current home), or None.

    Returns:
        The chosen option per person; NO_CHOICE where no option has weight.
    """
    choice = np.full(len(group), NO_CHOICE, dtype=np.int64)
    if len(group) == 0:
        return choice
    order = np.argsort(group, kind="stable")
    for members in np.split(order, np.flatnonzero(np.diff(group[order])) + 1):
        options, weights = options_of(int(group[members[0]]))
        if len(options) == 0:
            continue
        cumulative = np.cumsum(weights, dtype=float)
        if exclude is None:
            picked = _search(cumulative, uniforms[members] * cumulative[-1])
            valid = np.full(len(members), cumulative[-1] > 0)
        else:
            picked, valid = _search_without(cumulative, options, exclude[members], uniforms[members])
        choice[members[valid]] = options[np.minimum(picked[valid], len(options) - 1)]
    return choice


def _search(cumulative: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Index of the first option whose cumulative weight exceeds each target."""
    return np.searchsorted(cumulative, targets, side="right")


def _search_without(
    cumulative: np.ndarray, options: np.ndarray, excluded: np.ndarray, uniforms: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Draws as if each person's excluded option had weight zero, without copying the weights.

    Below the excluded option the cumulative weights are unchanged; from it on
    they are lower by its weight, so those are searched with the target raised
    by that weight.
    """
    at = np.minimum(np.searchsorted(options, excluded), len(options) - 1)
    present = options[at] == excluded
    weight = np.where(present, cumulative[at] - np.where(at > 0, cumulative[at - 1], 0.0), 0.0)
    total = cumulative[-1] - weight
    target = uniforms * total
    below = np.minimum(_search(cumulative, target), np.where(present, at, len(options)))
    above = np.where(present, np.maximum(_search(cumulative, target + weight) - at, 0), 0)
    return below + above, total > 0
