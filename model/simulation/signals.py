"""Signals agents react to: smoothed, compared with the base year, bounded.

Migrants, in-commuters and employers learn of the labour market with a lag
and react in proportion, never without limit.
"""

from __future__ import annotations

import numpy as np

MAX_RESPONSE = 3.0  # bound on how far a signal can scale in-migration or in-commuting
REFERENCE_COMMUTE_MINUTES = 30.0  # commuting time at which the decay per minute is stated


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


def time_response(minutes: np.ndarray, base_minutes: np.ndarray, decay: float) -> np.ndarray:
    """How commuting between two places responds to a change of travel time: (t / t0) ** (-b T).

    The decay b per minute holds at a commute of T = REFERENCE_COMMUTE_MINUTES;
    longer commutes respond less per minute (saving 20 minutes on a 110-minute
    trip to Oslo raises commuting by about 40 % at b = 0.06, not threefold).
    Places without a daily trip, or unchanged times, give 1.
    """
    minutes, base = np.asarray(minutes, dtype=float), np.asarray(base_minutes, dtype=float)
    valid = np.isfinite(minutes) & np.isfinite(base) & (base > 0)
    ratio = np.where(valid, minutes / np.where(valid, base, 1.0), 1.0)
    return ratio ** (-decay * REFERENCE_COMMUTE_MINUTES)
