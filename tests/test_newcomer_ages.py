"""Domestic newcomers' ages come from the region's cohort residuals, not from Norway's age gap.

The estimate (model/simulation/newcomer_ages.py) is checked against its
definition on made-up stocks, against the window it may read, and as a
stylised fact: Gjovikregionen's net migration by age in the shipped hindcast,
flows 2016-2025 (the estimate's own window: an in-sample fit; the backtest
scores projections out of sample), against the residuals of SSB's stocks
recomputed here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.inputs.national import MAX_AGE
from model.inputs.region import cached_region, resolve_region_folder
from model.inputs.scenario import Scenario, Years
from model.simulation import newcomer_ages
from model.simulation.demography import survival
from model.simulation.migration import schedule
from model.simulation.region_model import RegionModel

ROOT = Path(__file__).resolve().parents[1]
FIRST, LAST = 2016, 2026  # flows during 2016-2025


def _stock(model: RegionModel) -> np.ndarray:
    grid = np.zeros((1, 2, MAX_AGE + 1))
    np.add.at(grid, (0, model.persons.sex, np.minimum(model.persons.age, MAX_AGE)), 1)
    return grid


def _net_by_age(start: np.ndarray, end: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Net migrants by age at the end of the year: end less start's survivors one year older (open class kept)."""
    expected = start * alive[None]
    aged = np.zeros_like(expected)
    aged[:, :, 1:] = expected[:, :, :-1]
    aged[:, :, -1] += expected[:, :, -1]
    return (end - aged).sum(axis=(0, 1))


@pytest.fixture(scope="module")
def net_by_band() -> dict[str, tuple[float, float]]:
    """Mean yearly net migration (observed, model over 3 replicates) by age band."""
    region = cached_region(resolve_region_folder("gjovikregionen"))
    stocks = region.observed_population()
    seen = sum(_net_by_age(stocks[y], stocks[y + 1], survival(region.national, y)) for y in range(FIRST, LAST))
    seen = seen / (LAST - FIRST)
    scenario = Scenario.from_yaml(ROOT / "scenarios" / "hindcast_2005_2017.yaml")
    scenario = scenario.model_copy(update={"base_year": FIRST, "years": Years(start=FIRST, end=LAST - 1)})
    total, count = np.zeros(MAX_AGE + 1), 0
    for replicate in range(3):
        model = RegionModel(scenario, replicate=replicate)
        before, year = _stock(model), model.year
        while model.running:
            model.step()
            after = _stock(model)
            total += _net_by_age(before, after, survival(model.national, year))
            before, year, count = after, model.year, count + 1
        model.release()
    made = total / count
    bands = {"20-24": (20, 24), "25-29": (25, 29), "30-39": (30, 39), "40-49": (40, 49)}
    return {k: (float(seen[lo : hi + 1].sum()), float(made[lo : hi + 1].sum())) for k, (lo, hi) in bands.items()}


def test_young_adults_and_families_migrate_as_the_region_observed(net_by_band):
    """Within 35 a year of the observed net migration at 20-24, 25-29, 30-39 and 40-49.

    Newcomers drawn as Norway's population by the schedule gave +74 at 25-29 where the stocks
    showed -6 (2010-2019), and +11 at 40-49 against +61.
    """
    for band, (seen, made) in net_by_band.items():
        assert abs(made - seen) <= 35, (band, seen, made)


def test_the_need_is_out_migration_plus_net_migration_less_immigrants(baseline):
    """D = out + net - immigrants, recomputed from its parts on the region's own stocks."""
    model = RegionModel(baseline, replicate=0)
    region, p = model.region, model.p
    stocks = region.observed_population()
    last = region.last_known_year
    immigrants = np.full((2, MAX_AGE + 1), 1.0)
    need, window = newcomer_ages.domestic_need(stocks, region.national, last, p, immigrants)
    assert window == list(range(last - p.newcomer_age_years, last))
    expected = np.zeros_like(need)
    rate = np.minimum(p.migration_peak_rate * schedule(), 1.0)
    for year in window:
        start, end = stocks[year].astype(float), stocks[year + 1].astype(float)
        alive = survival(region.national, year)
        population = start.sum(axis=(1, 2))
        leaving = p.outside_mover_pull / (population.sum() - population + p.outside_mover_pull)
        for m in range(start.shape[0]):
            for s in range(2):
                survivors = np.concatenate([[0.0], (start[m, s] * alive[s])[:-1]])
                survivors[-1] += start[m, s, -1] * alive[s, -1]
                net = end[m, s] - survivors
                net[0] = 0.0
                expected[s] += survivors * rate * leaving[m] + net
        expected -= immigrants
    np.testing.assert_allclose(need, expected, rtol=1e-9, atol=1e-6)
    model.release()


def test_newcomers_follow_norway_where_the_region_asks_for_norways_shape():
    """A need proportional to Norway's movers gives factor 1 in every band, and the national profile back."""
    structure = np.random.default_rng(3).uniform(1, 2, (2, MAX_AGE + 1))
    factors = newcomer_ages.band_factors(structure * 7.0, structure)
    np.testing.assert_allclose(factors, 1.0)
    ages = newcomer_ages.NewcomerAges(factors)
    np.testing.assert_allclose(ages.profile(structure), structure / structure.sum())


def test_bands_the_residuals_empty_get_no_newcomers():
    """Where the region's out-migration exceeds what its net migration keeps, no one of that age is drawn."""
    structure = np.ones((2, MAX_AGE + 1))
    need = np.ones((2, MAX_AGE + 1))
    need[:, 25:30] = -4.0
    profile = newcomer_ages.NewcomerAges(newcomer_ages.band_factors(need, structure)).profile(structure)
    assert profile[:, 25:30].sum() == 0
    assert profile.sum() == pytest.approx(1.0)


def test_only_the_window_before_the_last_known_year_is_read(baseline):
    """Stocks after the region's last known year (a backtest's future) cannot move the estimate."""
    model = RegionModel(baseline, replicate=0)
    region, p = model.region, model.p
    stocks = dict(region.observed_population())
    last = 2020
    immigrants = np.zeros((2, MAX_AGE + 1))
    before = newcomer_ages.NewcomerAges.estimate(stocks, region.national, last, p, immigrants).factors
    for year in [y for y in stocks if y > last]:
        stocks[year] = stocks[year] * 3
    after = newcomer_ages.NewcomerAges.estimate(stocks, region.national, last, p, immigrants).factors
    np.testing.assert_array_equal(before, after)
    off = newcomer_ages.NewcomerAges.estimate(
        stocks, region.national, last, p.model_copy(update={"newcomer_age_years": 0}), immigrants
    )
    assert off.factors is None
    model.release()
