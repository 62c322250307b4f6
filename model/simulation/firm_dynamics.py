"""The yearly life of firms: closure, growth or decline, and start-ups.

All firms are handled at once over the firm table. Basic firms grow with the
national trend of their sector and their competitiveness relative to the
sector's other firms in the municipality; the other
classes close a share of the gap between local demand and their positions.
Firms that could not fill positions beyond normal friction give part of them
up, so a region that cannot hire holds its firms back.
"""

from __future__ import annotations

import numpy as np

from model.inputs.parameters import Parameters
from model.simulation.firms import FirmTable
from model.simulation.randomness import Draws, poisson_from_uniform, stochastic_round

REFERENCE_SIZE = 10.0  # employees at which hazard and volatility parameters are stated
MAX_FIRM_AGE = 80  # oldest initial firm, in years


def exit_hazard(table: FirmTable, year: int, p: Parameters, strategy_factor: np.ndarray | None = None) -> np.ndarray:
    """Yearly closure probability of every row (zero for fixed or closed firms).

    Liability of newness (high in the first years, fading with age), of
    smallness (falls with size) and of weak competitiveness, times the firm's
    own factors and, if given, this year's factor from strategies.
    """
    age = np.maximum(year - table.founded, 0)
    size = np.maximum(table.positions, 1) / REFERENCE_SIZE
    newness = p.exit_hazard_newborn * table.early_hazard_factor * np.exp(-age / p.exit_hazard_decay_years)
    hazard = (
        (p.exit_hazard_mature + newness)
        * size**p.exit_hazard_size_exponent
        * np.exp(-p.exit_competitiveness_effect * table.competitiveness)
        * table.hazard_factor
    )
    if strategy_factor is not None:
        hazard = hazard * strategy_factor
    return np.where(table.alive & ~table.fixed, np.clip(hazard, 0.0, 1.0), 0.0)


def ordinary_hazard(table: FirmTable, year: int, p: Parameters) -> np.ndarray:
    """The hazard a firm would have in a region without strategies (no strategy factors or boosts)."""
    age = np.maximum(year - table.founded, 0)
    size = np.maximum(table.positions, 1) / REFERENCE_SIZE
    hazard = (
        (p.exit_hazard_mature + p.exit_hazard_newborn * np.exp(-age / p.exit_hazard_decay_years))
        * size**p.exit_hazard_size_exponent
        * np.exp(-p.exit_competitiveness_effect * (table.competitiveness - table.boost))
    )
    return np.where(table.alive & ~table.fixed, np.clip(hazard, 0.0, 1.0), 0.0)


def closing(
    table: FirmTable, year: int, p: Parameters, draws: Draws, strategy_factor: np.ndarray | None = None
) -> np.ndarray:
    """Rows of the firms that close this year."""
    return np.flatnonzero(draws.uniform(table.key, 0) < exit_hazard(table, year, p, strategy_factor))


def young_growth(table: FirmTable, year: int, p: Parameters) -> np.ndarray:
    """Extra growth of young firms: survivors of the first years expand fast."""
    age = np.maximum(year - table.founded, 0)
    return p.young_firm_growth * np.exp(-age / p.exit_hazard_decay_years)


def new_positions(
    table: FirmTable,
    year: int,
    pool_growth: np.ndarray,
    unfilled: np.ndarray,
    p: Parameters,
    draws: Draws,
) -> np.ndarray:
    """Positions of every row next year.

    Args:
        table: the firms.
        year: the current year (firm ages).
        pool_growth: growth factor of each municipality x sector pool (trend or demand).
        unfilled: positions each firm left unfilled at the start of the year.
        p: parameters.
        draws: the firms phase draws.
    """
    positions = table.positions.astype(float)
    size = np.maximum(positions, 1) / REFERENCE_SIZE
    shock = draws.normal(table.key, 1) * p.firm_growth_sd * size**p.firm_growth_size_exponent
    growth = pool_growth[table.pool()] * (1 + relative_competitiveness(table) + young_growth(table, year, p) + shock)
    desired = np.maximum(positions * growth - p.vacancy_abandon_rate * _excess_unfilled(table, unfilled, p), 0)
    result = stochastic_round(desired, draws.uniform(table.key, 2))
    return np.where(table.fixed | ~table.alive, table.positions, result)


def relative_competitiveness(table: FirmTable) -> np.ndarray:
    """Each firm's competitiveness less the mean of its pool's ordinary firms (by positions, boosts left out).

    Competitiveness moves positions between the firms of a sector; the sector as a whole follows its
    national trend (basic) or local demand (the others). Measured against a fixed zero, the survivors
    of selection (weak firms close more often) and the compounding of strong firms' growth lifted a
    basic sector with no national growth 7-12 % in 25 years. What strategies add (`boost`) stays an
    advantage over the sector, and strategy firms are measured against it as well.
    """
    pool = table.pool()
    n_pools = int(pool.max()) + 1 if len(pool) else 0
    weight = np.where(table.alive & table.ordinary, table.positions, 0).astype(float)
    own = table.competitiveness - table.boost
    total = np.bincount(pool, weights=weight, minlength=n_pools)
    mean = np.bincount(pool, weights=weight * own, minlength=n_pools) / np.maximum(total, 1e-12)
    return table.competitiveness - mean[pool]


def _excess_unfilled(table: FirmTable, unfilled: np.ndarray, p: Parameters) -> np.ndarray:
    """Each firm's share of its pool's unfilled positions beyond the normal rate.

    Judged per pool (municipality x sector), so that the chance spread of a few
    open posts over small firms does not count as a shortage.
    """
    pool = table.pool()
    n_pools = int(pool.max()) + 1 if len(pool) else 0
    unfilled = np.where(table.alive, unfilled, 0)
    open_here = np.bincount(pool, weights=unfilled, minlength=n_pools)
    positions = np.bincount(pool, weights=np.where(table.alive, table.positions, 0), minlength=n_pools)
    excess = np.maximum(open_here - p.initial_vacancy_rate * positions, 0)
    share = np.where(open_here[pool] > 0, unfilled / np.maximum(open_here[pool], 1), 0.0)
    return excess[pool] * share


def startup_sizes(keys: np.ndarray, p: Parameters, draws: Draws) -> np.ndarray:
    """Positions of new employer firms: at least one, mean startup_mean_jobs."""
    return 1 + poisson_from_uniform(np.full(len(keys), p.startup_mean_jobs - 1), draws.uniform(keys, 3))


def initial_ages(n: int, p: Parameters, rng: np.random.Generator) -> np.ndarray:
    """Ages of the firms present at the base year, from the survival curve.

    A firm population that has been born at a steady rate and thinned by the
    hazard has ages distributed as the survival function of a 10-employee firm.
    """
    ages = np.arange(MAX_FIRM_AGE + 1)
    hazard = p.exit_hazard_mature + p.exit_hazard_newborn * np.exp(-ages / p.exit_hazard_decay_years)
    survival = np.concatenate([[1.0], np.cumprod(1 - np.clip(hazard, 0, 1))[:-1]])
    return rng.choice(ages, size=n, p=survival / survival.sum())


def replacement_startups(table: FirmTable, year: int, n_pools: int, p: Parameters) -> np.ndarray:
    """Expected start-ups per pool that replace the jobs closures are expected to remove.

    Entry fills the room that exits leave, net of what young survivors add by
    growing, so a region with no change in demand or trend stays stationary.
    The room is that of ordinary firms (existing ones and start-ups) at their
    ordinary hazard: firms that strategies bring (attracted, spin-offs) are
    additions whose closures are real losses, and a strategy that lowers
    hazards keeps jobs that entry would otherwise have replaced.
    """
    hazard = ordinary_hazard(table, year, p)
    room = table.positions * (hazard - (1 - hazard) * young_growth(table, year, p))
    room = np.where(table.alive & table.ordinary, room, 0.0)
    by_pool = np.bincount(table.pool(), weights=room, minlength=n_pools)
    return np.maximum(by_pool, 0.0) / p.startup_mean_jobs
