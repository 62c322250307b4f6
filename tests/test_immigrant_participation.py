"""Immigrants from abroad join the labour force less often than residents of their sex and age."""

from __future__ import annotations

import numpy as np

from model.simulation.labour_supply import in_labour_force
from model.simulation.migration import arrival_attachment
from model.simulation.persons import Persons
from model.simulation.region_model import RegionModel
from tests.conftest import with_horizon


def test_immigrants_participate_ratio_times_as_often():
    """Among 200 000 arrivals at a participation share of 0.8, immigrants join at 0.84 x 0.8, others at 0.8."""
    n = 200_000
    uniforms = np.random.default_rng(5).random(n)
    abroad = np.arange(n) % 2 == 0
    attachment = arrival_attachment(uniforms, abroad, 0.84)
    persons = Persons.new(np.arange(n), np.full(n, 40), np.zeros(n), np.zeros(n), attachment)
    share = np.zeros((2, 106))
    share[:, 40] = 0.8
    active = in_labour_force(persons, share)
    assert abs(active[abroad].mean() - 0.84 * 0.8) < 0.005
    assert abs(active[~abroad].mean() - 0.8) < 0.005


def _arrivals_in_labour_force(scenario, ratio: float) -> tuple[float, int]:
    scenario = scenario.model_copy(
        update={"parameters": scenario.parameters.model_copy(update={"immigrant_participation_ratio": ratio})}
    )
    model = RegionModel(scenario, replicate=0)
    base_ids = set(model.persons.pid.tolist())
    model.run()
    persons = model.persons
    new = np.array([pid not in base_ids for pid in persons.pid.tolist()])
    prime = new & (persons.age >= 25) & (persons.age <= 54)
    active = in_labour_force(persons, model.participation)
    model.release()
    return float(active[prime].mean()), int(prime.sum())


def test_a_lower_ratio_lowers_the_participation_of_those_who_moved_in(baseline):
    """Same seeds, ratio 0.5 against 1: arrivals of 25-54 join the labour force less often, by 0.02-0.5."""
    scenario = with_horizon(baseline, 2030)
    full, n_full = _arrivals_in_labour_force(scenario, 1.0)
    half, n_half = _arrivals_in_labour_force(scenario, 0.5)
    assert n_full > 1000 and n_half > 1000
    assert 0.02 <= full - half <= 0.5, (full, half)
