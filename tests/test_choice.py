"""Choices drawn per group: right frequencies, exclusions honoured, no persons x options matrix."""

from __future__ import annotations

import numpy as np

from model.simulation.choice import NO_CHOICE, choose_by_group

WEIGHTS = {0: (np.arange(5), np.array([1.0, 2.0, 3.0, 0.0, 4.0])), 1: (np.array([2, 7, 9]), np.array([5.0, 0.0, 5.0]))}


def _options(group: int) -> tuple[np.ndarray, np.ndarray]:
    return WEIGHTS[group]


def test_frequencies_follow_the_weights_of_each_group():
    """Each group draws from its own options, in proportion to their weights."""
    rng = np.random.default_rng(0)
    n = 200_000
    group = rng.integers(0, 2, n)
    choice = choose_by_group(group, rng.random(n), _options)
    shares = np.bincount(choice[group == 0], minlength=5) / (group == 0).sum()
    assert np.allclose(shares, [0.1, 0.2, 0.3, 0.0, 0.4], atol=0.005)
    assert set(np.unique(choice[group == 1])) == {2, 9}  # only the group's own options, never a zero weight
    assert abs((choice[group == 1] == 2).mean() - 0.5) < 0.005


def test_an_excluded_option_is_never_taken_and_the_rest_keep_their_proportions():
    """A mover never picks their own municipality; the others keep their relative weights."""
    rng = np.random.default_rng(2)
    n = 200_000
    group = np.zeros(n, dtype=np.int64)
    exclude = rng.integers(0, 5, n)
    choice = choose_by_group(group, rng.random(n), _options, exclude=exclude)
    assert not np.any(choice == exclude)
    weights = WEIGHTS[0][1]
    for home in range(5):
        mine = exclude == home
        expected = np.where(np.arange(5) == home, 0.0, weights)
        shares = np.bincount(choice[mine], minlength=5) / mine.sum()
        assert np.allclose(shares, expected / expected.sum(), atol=0.01), home


def test_same_draws_as_zeroing_the_excluded_weight_person_by_person():
    """The exclusion shortcut gives the choice a persons x options computation would give."""
    rng = np.random.default_rng(3)
    n, k = 5_000, 12
    weights = rng.random(k) * (rng.random(k) > 0.3)
    exclude = rng.integers(0, k, n)
    uniforms = rng.random(n)
    choice = choose_by_group(np.zeros(n, np.int64), uniforms, lambda _: (np.arange(k), weights), exclude=exclude)
    matrix = np.tile(weights, (n, 1))
    matrix[np.arange(n), exclude] = 0.0
    cumulative = np.cumsum(matrix, axis=1)
    brute = (cumulative <= (uniforms * cumulative[:, -1])[:, None]).sum(axis=1)
    assert (choice == brute).mean() > 0.999


def test_no_weight_means_no_choice():
    """Nothing open (or only the excluded option): no choice rather than an arbitrary one."""
    choice = choose_by_group(np.array([0, 0]), np.array([0.2, 0.9]), lambda _: (np.arange(2), np.zeros(2)))
    assert np.array_equal(choice, [NO_CHOICE, NO_CHOICE])
    only_home = choose_by_group(
        np.array([0]), np.array([0.5]), lambda _: (np.arange(2), np.array([0.0, 1.0])), exclude=np.array([1])
    )
    assert only_home[0] == NO_CHOICE
