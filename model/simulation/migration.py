"""Migration: moving out, moving within the region, and newcomers.

Each person moves out of their municipality with a probability that follows
the model migration schedule of Rogers and Castro (young adults move most,
children with their parents), higher for the unemployed. A share of movers
stays in the region; their destination weighs housing, amenity, and the
commute to their job (movers from small municipalities stay in the region
more often: gravity), and a move that lengthens the commute by t minutes ends
the job with probability 1 - exp(-b t) (b the commuting-time decay).
Newcomers from the rest of Norway arrive in proportion to the region's
population, pulled up or down by its unfilled vacancies;
immigrants from abroad come as the context says, and join the labour force
less often than natives of their age. Both settle where people of their age
live, weighted by housing, amenity and reachable vacancies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.inputs.national import MAX_AGE
from model.inputs.parameters import Parameters
from model.simulation.choice import choose_by_group
from model.simulation.persons import NODE_DTYPE, Persons, Status
from model.simulation.randomness import Draws, poisson_from_uniform

# Rogers-Castro model migration schedule, the "standard" parameters of Rogers
# and Castro (1981, Model Migration Schedules, IIASA RR-81-30): childhood
# component a1 exp(-alpha1 x), labour-force peak a2 exp(-alpha2 (x-mu2) -
# exp(-lambda2 (x-mu2))), constant c. Only the shape is used; the level is
# the parameter migration_peak_rate.
ROGERS_CASTRO = {"a1": 0.02, "alpha1": 0.10, "a2": 0.06, "mu2": 20.0, "alpha2": 0.10, "lambda2": 0.40, "c": 0.003}

# The longest commute taken daily; beyond it a job is out of daily reach.
MAX_DAILY_COMMUTE_MINUTES = 120.0

# Age bands by which newcomers and movers find where people like them live.
SETTLEMENT_BANDS = np.array([0, 16, 25, 45, 67])


def schedule() -> np.ndarray:
    """The migration schedule by single age 0..105, scaled to 1 at its peak."""
    x = np.arange(MAX_AGE + 1, dtype=float)
    rc = ROGERS_CASTRO
    rate = (
        rc["a1"] * np.exp(-rc["alpha1"] * x)
        + rc["a2"] * np.exp(-rc["alpha2"] * (x - rc["mu2"]) - np.exp(-rc["lambda2"] * (x - rc["mu2"])))
        + rc["c"]
    )
    return rate / rate.max()


def settlement_band(age: np.ndarray) -> np.ndarray:
    """Band index of each age (see SETTLEMENT_BANDS)."""
    return np.searchsorted(SETTLEMENT_BANDS, age, side="right") - 1


def population_by_band(persons: Persons, n_municipalities: int) -> np.ndarray:
    """Persons by municipality and settlement band, shape (M, bands)."""
    bands = len(SETTLEMENT_BANDS)
    cell = persons.home.astype(np.int64) * bands + settlement_band(persons.age)
    return np.bincount(cell, minlength=n_municipalities * bands).reshape(n_municipalities, bands)


@dataclass
class MigrationResult:
    """One year's moves by municipality (internal moves counted at both ends)."""

    out_migrants: np.ndarray
    in_migrants: np.ndarray
    left_region: int
    arrived: int


def migrate(
    persons: Persons,
    attraction: np.ndarray,
    commute_minutes: np.ndarray,
    newcomers_expected: float,
    settled_expected: np.ndarray,
    newcomer_age_sex: np.ndarray,
    p: Parameters,
    draws: Draws,
    unemployed: np.ndarray | None = None,
    placed_age_sex: np.ndarray | None = None,
    immigrant_share: np.ndarray | None = None,
) -> MigrationResult:
    """Move persons out, within and into the region, in place.

    Args:
        persons: the residents.
        attraction: destination weight by municipality and settlement band (people of
            that age there, times housing, amenity and reachable vacancies), shape (M, bands).
        commute_minutes: minutes from each municipality to each node (NaN: no daily trip).
        newcomers_expected: expected newcomers this year who choose where to live.
        settled_expected: expected newcomers this year settled in each municipality (refugees
            and other immigrants the context places there).
        newcomer_age_sex: distribution of newcomers by sex and age, shape (2, ages), sums to 1.
        p: parameters.
        draws: the migration draws.
        placed_age_sex: distribution of the placed newcomers by sex and age (default: `newcomer_age_sex`).
        immigrant_share: share of immigrants among the choosing newcomers of each sex and age, shape (2, ages)
            (default none); immigrants, and all the placed, join the labour force less often (`arrival_attachment`).
        unemployed: mask of the persons who move as the unemployed do (default: status unemployed now).
            The model passes those unemployed on 1 January and still without a job: a worker
            separated during the year is searching, not yet one of the year's unemployed.
    """
    m = attraction.shape[0]
    probability = p.migration_peak_rate * schedule()[persons.age]
    if unemployed is None:
        unemployed = persons.status == Status.UNEMPLOYED
    probability = np.where(unemployed, probability * p.move_factor_unemployed, probability)
    movers = np.flatnonzero(draws.uniform(persons.pid, 0) < np.minimum(probability, 1.0))
    share = _internal_share(persons.home, m, p.outside_mover_pull)
    stays_in_region = draws.uniform(persons.pid[movers], 1) < share[persons.home[movers]]
    internal, leaving = movers[stays_in_region], movers[~stays_in_region]

    out_migrants = np.bincount(persons.home[movers], minlength=m)
    new_home = _internal_destinations(persons, internal, attraction, commute_minutes, p, draws)
    in_migrants = np.bincount(new_home, minlength=m)
    _quit_for_longer_commutes(persons, internal, new_home, commute_minutes, p, draws, m)
    persons.home[internal] = new_home

    remaining = np.ones(len(persons), bool)
    remaining[leaving] = False
    persons.keep(remaining)

    count = int(poisson_from_uniform(np.array(newcomers_expected), np.array(draws.rng.random())))
    newcomer = draws.new_ids(np.arange(count, dtype=np.uint64))
    sex, age = _age_sex(newcomer, newcomer_age_sex, draws)
    home = _settle(attraction, settlement_band(age), draws.uniform(newcomer, 1))
    settled = poisson_from_uniform(settled_expected, draws.uniform(np.arange(m, dtype=np.uint64), 60))
    placed = draws.new_ids(np.arange(settled.sum(), dtype=np.uint64), draw=60)
    placed_sex, placed_age = _age_sex(placed, newcomer_age_sex if placed_age_sex is None else placed_age_sex, draws)
    placed_home = np.repeat(np.arange(m), settled)
    share = np.zeros((2, len(newcomer_age_sex[0]))) if immigrant_share is None else immigrant_share
    from_abroad = np.concatenate([draws.uniform(newcomer, 61) < share[sex, age], np.ones(len(placed), bool)])
    ids = np.concatenate([newcomer, placed])
    persons.extend(
        Persons.new(
            pid=ids,
            age=np.concatenate([age, placed_age]),
            sex=np.concatenate([sex, placed_sex]),
            home=np.concatenate([home, placed_home]),
            attachment=arrival_attachment(draws.uniform(ids, 2), from_abroad, p.immigrant_participation_ratio),
        )
    )
    in_migrants += np.bincount(home, minlength=m) + settled
    return MigrationResult(out_migrants, in_migrants, left_region=len(leaving), arrived=count + int(settled.sum()))


def arrival_attachment(uniforms: np.ndarray, from_abroad: np.ndarray, ratio: float) -> np.ndarray:
    """Labour-market attachment of newcomers: immigrants join the labour force `ratio` times as often.

    A person is in the labour force while the attachment lies below the participation share of
    their sex and age; spreading immigrants' attachments over [0, 1 / ratio) makes that chance
    ratio times the share (those above 1 never join).
    """
    return np.where(from_abroad, uniforms / ratio, uniforms)


def _settle(attraction: np.ndarray, band: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Where newcomers settle: a municipality with probability proportional to its attraction for their age."""
    options = np.arange(attraction.shape[0])
    chosen = choose_by_group(band, uniforms, lambda b: (options, attraction[:, b]))
    return np.maximum(chosen, 0).astype(NODE_DTYPE)


def _age_sex(ids: np.ndarray, distribution: np.ndarray, draws: Draws) -> tuple[np.ndarray, np.ndarray]:
    """Sex and age of newcomers, drawn from a (sex, age) distribution."""
    cumulative = np.cumsum(distribution.ravel())
    cells = np.minimum(
        np.searchsorted(cumulative, draws.uniform(ids, 0) * cumulative[-1], side="right"), cumulative.size - 1
    )
    return np.divmod(cells, distribution.shape[1])


def _internal_share(home: np.ndarray, m: int, outside_pull: float) -> np.ndarray:
    """Share of movers from each municipality who stay in the region: R_i / (R_i + outside_pull).

    R_i is the population of the rest of the region, against the pull of the
    places outside it (gravity: flow i -> j ~ p_i p_j, so moves between two
    municipalities balance, and a small rest of the region draws few movers).
    """
    population = np.bincount(home, minlength=m).astype(float)
    rest = population.sum() - population
    return rest / (rest + outside_pull)


def _internal_destinations(
    persons: Persons,
    movers: np.ndarray,
    attraction: np.ndarray,
    commute_minutes: np.ndarray,
    p: Parameters,
    draws: Draws,
) -> np.ndarray:
    """New municipality of each internal mover (never their current one).

    Movers are grouped by settlement band and workplace: the weights of a
    group are the attraction of each municipality for their age times the
    commute from there to their job (see `commute_factor`).
    """
    m = attraction.shape[0]
    if m < 2:
        return persons.home[movers]
    band = settlement_band(persons.age[movers])
    n_bands = attraction.shape[1]
    group = (persons.workplace[movers].astype(np.int64) + 1) * n_bands + band
    options = np.arange(m)

    def options_of(code: int) -> tuple[np.ndarray, np.ndarray]:
        workplace, band_of = divmod(code, n_bands)
        weights = attraction[:, band_of].astype(float)
        if workplace > 0:
            weights = weights * commute_factor(commute_minutes[:, workplace - 1], p.commute_time_decay_per_min)
        return options, weights

    chosen = choose_by_group(group, draws.uniform(persons.pid[movers], 2), options_of, exclude=persons.home[movers])
    return np.where(chosen >= 0, chosen, persons.home[movers]).astype(NODE_DTYPE)


def commute_factor(minutes: np.ndarray, decay: float) -> np.ndarray:
    """How a commute of so many minutes to one's job weighs a place to live: exp(-b t).

    Without a daily trip from anywhere (a weekly, long-distance job) every place
    is alike; a place out of daily reach of a job others reach daily weighs as
    a commute of MAX_DAILY_COMMUTE_MINUTES (moving there means a new job).
    """
    if np.isnan(minutes).all():
        return np.ones(len(minutes))
    return np.exp(-decay * np.where(np.isnan(minutes), MAX_DAILY_COMMUTE_MINUTES, minutes))


def _quit_for_longer_commutes(
    persons: Persons,
    movers: np.ndarray,
    new_home: np.ndarray,
    commute_minutes: np.ndarray,
    p: Parameters,
    draws: Draws,
    n_municipalities: int,
) -> None:
    """Movers keep their job with probability exp(-b * extra minutes of commute); else they search."""
    workplace = persons.workplace[movers]
    works = workplace >= 0
    old = commute_minutes[persons.home[movers][works], workplace[works]]
    new = commute_minutes[new_home[works], workplace[works]]
    extra = np.maximum(np.nan_to_num(new - old), 0.0)
    # Out of daily reach of the job: a new job; for a job in one of the region's municipalities even if the old
    # home was out of reach too (long-distance pairs inside the region only where the base year had them).
    inside = workplace[works] < n_municipalities
    extra[np.isnan(new) & (~np.isnan(old) | inside)] = np.inf
    keeps = np.exp(-p.commute_time_decay_per_min * extra)  # short moves: decay per minute as stated
    quits = movers[works][draws.uniform(persons.pid[movers[works]], 3) >= keeps]
    persons.leave_jobs(quits)
    persons.status[quits] = Status.UNEMPLOYED
