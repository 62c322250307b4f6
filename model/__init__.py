"""regionsim: jobs and population of a Norwegian city region, scenario by scenario.

An agent-based Mesa model of firms, commuters and municipalities driven by
YAML scenarios. The public API::

    from model import load_scenario, run, RegionModel

    scenario = load_scenario("scenarios/baseline.yaml")
    table = run(scenario, seed=1)        # tidy outcome table of one replicate
    ensemble = compare("scenarios/baseline.yaml", "scenarios/housing.yaml", replicates=10)
"""

from model.ensemble import Ensemble, compare, run_ensemble
from model.errors import InputError
from model.parameters import Parameters
from model.region_model import RegionModel
from model.runner import RunResult, run, run_replicates, simulate
from model.scenario import Scenario, load_scenario

__all__ = [
    "Ensemble",
    "InputError",
    "Parameters",
    "RegionModel",
    "RunResult",
    "Scenario",
    "compare",
    "load_scenario",
    "run",
    "run_ensemble",
    "run_replicates",
    "simulate",
]
