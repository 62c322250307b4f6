"""Signals agents react to: smoothed, compared with the base year, bounded.

Migrants, in-commuters and employers learn of the labour market with a lag
and react in proportion, never without limit.
"""

from __future__ import annotations

import numpy as np

MAX_RESPONSE = 3.0  # bound on how far a signal can scale in-migration or in-commuting


def smooth(previous: np.ndarray | float, current: np.ndarray | float, memory: float) -> np.ndarray | float:
    """Exponential smoothing: the weight `memory` stays on last year's signal."""
    return memory * previous + (1 - memory) * current


def response(value: np.ndarray | float, base: np.ndarray | float, elasticity: np.ndarray | float) -> np.ndarray:
    """(value / base) ** elasticity, kept within [1/MAX_RESPONSE, MAX_RESPONSE].

    How migrants and in-commuters react to unfilled vacancies relative to the
    base year; the bounds keep a region with no (or very many) open positions
    from shutting off (or multiplying) its inflows.
    """
    ratio = np.maximum(np.asarray(value, dtype=float), 1e-9) / np.maximum(np.asarray(base, dtype=float), 1e-9)
    return np.clip(ratio**elasticity, 1 / MAX_RESPONSE, MAX_RESPONSE)
