"""Demography: deaths, births and ageing, for all persons at once.

Rates are Norway's (Human Mortality and Fertility Databases, from SSB data),
scaled by the scenario's context; after the last data year death rates fall
by the context's yearly improvement. A person aged x on 1 January lives
through ages x and x+1 during the year, so the death probability uses the
mean of m(x) and m(x+1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.inputs.context import Context
from model.inputs.national import MAX_AGE, NationalData, fertility_on_1_january
from model.simulation.persons import Persons
from model.simulation.randomness import Draws


@dataclass(frozen=True)
class Rates:
    """One year's demographic rates.

    Attributes:
        death_probability: probability of dying during the year by sex and age on 1 January.
        infant_death_probability: probability that a baby born during the year dies in it, by sex.
        fertility: births per woman during the year by age on 1 January (mean of the
            rates at that age and the next).
    """

    death_probability: np.ndarray
    infant_death_probability: np.ndarray
    fertility: np.ndarray


def rates_for(national: NationalData, year: int, context: Context) -> Rates:
    """Demographic rates of a calendar year under a context."""
    beyond = max(0, year - national.last_rate_year())
    m = national.death_rate(year) * context.mortality_scaling
    m = m * (1 - context.mortality_improvement_per_year) ** beyond
    m_next = np.concatenate([m[:, 1:], m[:, -1:]], axis=1)
    death = 1 - np.exp(-(m + m_next) / 2)
    infant = 1 - np.exp(-m[:, 0] / 2)  # born on average mid-year
    asfr = national.fertility_rate(year) * context.fertility_scaling
    fertility = fertility_on_1_january(asfr)
    return Rates(death, infant, fertility)


@dataclass
class DemographyResult:
    """Counts of one year's demographic events by municipality."""

    births: np.ndarray
    deaths: np.ndarray


def advance(
    persons: Persons,
    rates: Rates,
    male_share: float,
    n_municipalities: int,
    draws: Draws,
    fertility_levels: np.ndarray | None = None,
) -> DemographyResult:
    """Deaths, births and ageing of one year, in place.

    A woman's fertility is Norway's at her age times her municipality's level
    (``model.inputs.fertility_levels``; all 1 when None). The newborns join with
    age 0 (their age on the next 1 January); babies who die in their birth year
    count as both a birth and a death.
    """
    sex, age, pid = persons.sex, persons.age, persons.pid
    dies = draws.uniform(pid, 0) < rates.death_probability[sex, age]
    mothers = np.flatnonzero((sex == 0) & ~dies)
    fertility = rates.fertility[age[mothers]]
    if fertility_levels is not None:
        fertility = fertility * fertility_levels[persons.home[mothers]]
    mothers = mothers[draws.uniform(pid[mothers], 1) < fertility]
    baby = draws.new_ids(pid[mothers])
    baby_sex = (draws.uniform(baby, 0) < male_share).astype(np.int8)
    baby_survives = draws.uniform(baby, 1) >= rates.infant_death_probability[baby_sex]
    baby_home = persons.home[mothers]

    deaths = np.bincount(persons.home[dies], minlength=n_municipalities)
    deaths += np.bincount(baby_home[~baby_survives], minlength=n_municipalities)
    births = np.bincount(baby_home, minlength=n_municipalities)

    persons.keep(~dies)
    persons.age = np.minimum(persons.age + 1, MAX_AGE).astype(np.int16)
    newborns = Persons.new(
        pid=baby[baby_survives],
        age=np.zeros(int(baby_survives.sum())),
        sex=baby_sex[baby_survives],
        home=baby_home[baby_survives],
        attachment=draws.uniform(baby[baby_survives], 2),
    )
    persons.extend(newborns)
    return DemographyResult(births=births, deaths=deaths)


def cohort_residual(start: np.ndarray, end: np.ndarray, survival: np.ndarray) -> np.ndarray:
    """Net migration per municipality during a year: survivors expected from `start` against `end`, ages 1+.

    `start` and `end` are persons (municipality, sex, age) on two successive 1 January, `survival` the
    probability (sex, age on the first 1 January) of living through the year.
    """
    return residual_by_age(start, end, survival)[:, :, 1:].sum(axis=(1, 2))


def residual_by_age(start: np.ndarray, end: np.ndarray, survival: np.ndarray) -> np.ndarray:
    """Net migration during a year by (place, sex, age on the second 1 January): `end` less the expected survivors."""
    return end - survivors_a_year_on(start, survival)


def survivors_a_year_on(start: np.ndarray, survival: np.ndarray) -> np.ndarray:
    """Expected survivors of persons (place, sex, age) one year older, the open age class kept; age 0 empty."""
    expected = start * survival[None]
    aged = np.zeros_like(expected)
    aged[:, :, 1:] = expected[:, :, :-1]
    aged[:, :, MAX_AGE] += expected[:, :, MAX_AGE]  # the open age class stays
    return aged


def survival(national: NationalData, year: int, context: Context | None = None) -> np.ndarray:
    """Probability of living through `year` by sex and age on 1 January, as the model's demography has it."""
    return 1 - rates_for(national, year, context or Context()).death_probability
