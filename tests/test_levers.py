"""Each strategy moves its primary outcome the way the region's strategy expects.

Every overlay in scenarios/ is run against the same scenario without
strategies, replicate by replicate with the same seeds, to 2031; the 95 %
interval of the mean difference must exclude zero.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import pytest

from model.inputs.scenario import Scenario
from model.inputs.sectors import SECTOR_INDEX
from model.simulation.firms import Origin
from model.simulation.region_model import RegionModel
from tests.conftest import ROOT, with_horizon

SCENARIOS = ROOT / "scenarios"
HORIZON = 2031
REPLICATES = 10
REGION = -1
GJOVIK, VESTRE_TOTEN = 0, 2


@cache
def runs(name: str, replicates: int = REPLICATES) -> tuple[tuple[RegionModel, RegionModel], ...]:
    """(with strategies, without) per replicate, both run to HORIZON; shared by the tests."""
    scenario = with_horizon(Scenario.from_yaml(SCENARIOS / f"{name}.yaml"), HORIZON)
    pairs = []
    for replicate in range(replicates):
        pair = tuple(RegionModel(variant, replicate=replicate) for variant in (scenario, scenario.without_strategies()))
        for model in pair:
            model.run()
        pairs.append(pair)
    return tuple(pairs)


def paired(name: str, measure: Callable[[RegionModel], float]) -> np.ndarray:
    """measure(with strategies) - measure(without), per replicate."""
    return np.array([measure(with_) - measure(without) for with_, without in runs(name)], dtype=float)


def clearly_positive(differences: np.ndarray) -> bool:
    """The 95 % interval of the mean difference lies above zero."""
    half = 1.96 * differences.std(ddof=1) / np.sqrt(len(differences))
    return differences.mean() - half > 0


def at_horizon(variable: str, place: int = REGION) -> Callable[[RegionModel], float]:
    """A stock on 1 January of the horizon year."""
    return lambda model: model.recorder.rows[-2][variable][place]


def summed(variable: str, place: int = REGION) -> Callable[[RegionModel], float]:
    """A flow summed over the run."""
    return lambda model: sum(row[variable][place] for row in model.recorder.rows if variable in row)


def test_attracting_manufacturing_raises_manufacturing_jobs():
    """attract_businesses: jobs in the sector, region, up."""
    assert clearly_positive(paired("attract_businesses", at_horizon("jobs_manufacturing")))


def test_commercialising_research_brings_spinoff_jobs_after_the_lag():
    """commercialise_rnd: jobs in spin-offs up, none before the lag has passed."""
    assert clearly_positive(paired("commercialise_rnd", at_horizon("jobs_spinoff")))
    before_lag = paired("commercialise_rnd", lambda m: m.recorder.rows[2028 - m.base_year]["jobs_spinoff"][REGION])
    assert np.all(before_lag == 0)


def test_business_services_mean_fewer_exits_and_more_jobs():
    """business_services: firm exits down, jobs up."""
    assert clearly_positive(-paired("business_services", summed("firm_exits")))
    assert clearly_positive(paired("business_services", at_horizon("jobs")))


def test_restructuring_improves_survival_in_the_sector():
    """restructure_industry: more of Vestre Toten's manufacturing firms of 2027 survive to 2031."""

    def survivors(model: RegionModel) -> float:
        firms = model.firms
        here = (firms.sector == SECTOR_INDEX["manufacturing"]) & (firms.municipality == VESTRE_TOTEN)
        return float(np.count_nonzero(here & firms.alive & (firms.founded < 2027)))

    assert clearly_positive(paired("restructure_industry", survivors))


def test_restructuring_cuts_jobs_at_first():
    """restructure_industry: fewer manufacturing jobs in Vestre Toten in its first year."""
    first_year = paired(
        "restructure_industry", lambda m: m.recorder.rows[2028 - m.base_year]["jobs_manufacturing"][VESTRE_TOTEN]
    )
    assert np.all(first_year < 0)


def test_growth_culture_brings_more_startups_and_startup_jobs():
    """growth_culture: start-ups up, jobs in start-ups up."""
    assert clearly_positive(paired("growth_culture", summed("startups")))
    assert clearly_positive(paired("growth_culture", at_horizon("jobs_startup")))


def test_growth_culture_founds_firms_in_market_sectors_only():
    """Its programme's start-ups: none in public administration, education, health or care; many elsewhere."""
    public = [SECTOR_INDEX["public_services"], SECTOR_INDEX["health_care"]]
    programme, market = 0, 0
    for with_, _without in runs("growth_culture"):
        firms = with_.firms
        extra = (firms.origin == Origin.STARTUP) & ~firms.ordinary
        programme += int((extra & np.isin(firms.sector, public)).sum())
        market += int((extra & ~np.isin(firms.sector, public)).sum())
    assert programme == 0 and market > 100


def test_housing_raises_the_population_of_the_target():
    """housing: population of Gjøvik up."""
    assert clearly_positive(paired("housing", at_horizon("population", GJOVIK)))


def test_infrastructure_raises_commuting_between_the_nodes():
    """infrastructure: Gjøvik residents working in Oslo, up."""

    def to_oslo(model: RegionModel) -> float:
        return float(model.recorder.commuting[-2][GJOVIK, model.region.node("Oslo/Bærum region")])

    assert clearly_positive(paired("infrastructure", to_oslo))


def test_joint_cooperation_gives_at_least_as_many_jobs_as_fragmented():
    """byregion_strategy (joint) >= byregion_fragmented in jobs and attracted firms, same seeds and budget."""
    joint, fragmented = runs("byregion_strategy"), runs("byregion_fragmented")
    jobs = [np.mean([pair[0].recorder.rows[-2]["jobs"][REGION] for pair in variant]) for variant in (joint, fragmented)]
    assert jobs[0] >= jobs[1]
    attracted = [
        np.mean([np.count_nonzero(pair[0].firms.origin == Origin.ATTRACTED) for pair in variant])
        for variant in (joint, fragmented)
    ]
    assert attracted[0] > attracted[1]


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_scenario_validates_and_runs(path):
    """Each file of the scenario library checks and runs a short horizon, with a description."""
    scenario = Scenario.from_yaml(path)
    assert len(scenario.description) > 80
    model = RegionModel(with_horizon(scenario, min(scenario.years.end, 2028)))
    start = model.recorder.rows[0]["population"][REGION]
    model.run()
    years = len(model.recorder.rows) - 1
    # the region's population moved by at most 1.6 % a year in 2005-2026 (SSB 07459)
    assert abs((model.recorder.rows[-1]["population"][REGION] / start) ** (1 / years) - 1) < 0.016
