"""Labour supply: who is in the labour force, and who leaves a job to search.

Each person carries a latent labour-market attachment drawn once. They are in
the labour force while it lies below the participation share of their sex and
age: cohorts enter in their teens and twenties and retire from about 62, all
by 75 (SSB counts employment at 15-74). Leaving the labour force ends a job.
Besides, a share of jobs ends every year (quits and dismissals); those workers
search, as do new entrants and the unemployed.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from model.inputs.errors import InputError, Problem
from model.simulation.firms import FirmTable
from model.simulation.persons import Persons, Status
from model.simulation.randomness import Draws

STUDENT_AGE_UNTIL = 24  # not in the labour force at 15-24: student
RETIREMENT_AGE_FROM = 62  # not in the labour force from 62: retired (earliest pension age)
WORKING_AGE = (15, 74)  # ages at which SSB counts employment
MAX_PARTICIPATION = 0.98  # some never join the labour force, however tight the market
FACTOR_RANGE = (0.2, 5.0)  # how far the participation table may be scaled to meet Norway's employment rate


def scaled_participation(
    table: np.ndarray, population: np.ndarray, employment_rate: float, unemployment: float
) -> tuple[np.ndarray, float]:
    """Scale the participation table to a national employment rate.

    Args:
        table: labour-force shares by sex and age (an estimate).
        population: the nation's persons by sex and age in the same year.
        employment_rate: employed / population aged 15-74 (SSB 11618).
        unemployment: unemployed share of the labour force.

    Returns:
        The scaled shares and the factor used.
    """
    low, high = WORKING_AGE
    working = population[:, low : high + 1].sum()
    target = employment_rate * working / (1 - unemployment)

    def excess(factor: float) -> float:
        return float((np.minimum(table * factor, MAX_PARTICIPATION) * population).sum() - target)

    if excess(FACTOR_RANGE[0]) > 0 or excess(FACTOR_RANGE[1]) < 0:
        reachable = [target / working + excess(f) / working for f in FACTOR_RANGE]
        raise InputError(
            Problem(
                "national participation",
                f"an employment rate of {employment_rate:.3f} is out of reach of the participation table "
                f"(scaled {FACTOR_RANGE[0]}-{FACTOR_RANGE[1]} times, it gives "
                f"{reachable[0] * (1 - unemployment):.3f}-{reachable[1] * (1 - unemployment):.3f})",
                hint="check the employment table's row 0000 and labour_force_participation.csv",
            )
        )
    factor = brentq(excess, *FACTOR_RANGE)
    shares = np.minimum(table * factor, MAX_PARTICIPATION)
    shares[:, :low] = 0
    shares[:, high + 1 :] = 0
    return shares, factor


def in_labour_force(persons: Persons, participation: np.ndarray) -> np.ndarray:
    """Mask of persons in the labour force at their current age."""
    return persons.attachment < participation[persons.sex, persons.age]


def classify(persons: Persons, participation: np.ndarray) -> np.ndarray:
    """Set every person's status; jobs end for those who leave the labour force.

    Returns:
        Mask of persons who left a job because they left the labour force.
    """
    active = in_labour_force(persons, participation)
    retiring = persons.employed & ~active
    persons.leave_jobs(retiring)
    age = persons.age
    status = np.select(
        [
            persons.employed,
            active,
            age < WORKING_AGE[0],
            age <= STUDENT_AGE_UNTIL,
            age < RETIREMENT_AGE_FROM,
        ],
        [Status.EMPLOYED, Status.UNEMPLOYED, Status.CHILD, Status.STUDENT, Status.OUTSIDE],
        default=Status.RETIRED,
    )
    persons.status = status.astype(np.int8)
    return retiring


def separate(persons: Persons, firms: FirmTable, rate: float, draws: Draws) -> None:
    """End a share of all jobs; resident workers become seekers, in-commuters leave."""
    employed = np.flatnonzero(persons.employed)
    leaving = employed[draws.uniform(persons.pid[employed]) < rate]
    persons.leave_jobs(leaving)
    persons.status[leaving] = Status.UNEMPLOYED
    quits = draws.rng.binomial(firms.external, rate)
    firms.external -= quits


def attachment_given_status(active: np.ndarray, share: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Latent attachments consistent with an observed labour-force status.

    In the labour force: uniform below the participation share; outside: above it.
    """
    u = rng.random(len(active))
    return np.where(active, u * share, share + u * (1 - share)).astype(np.float32)
