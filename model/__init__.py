"""regionsim: jobs and population of a Norwegian city region, scenario by scenario.

An agent-based Mesa model of firms, commuters and municipalities driven by
YAML scenarios. The public API::

    from model import load_scenario, run, RegionModel

    scenario = load_scenario("scenarios/baseline.yaml")
    table = run(scenario, seed=1)        # tidy outcome table of one replicate
    ensemble = compare("scenarios/baseline.yaml", "scenarios/housing.yaml", replicates=10)
    values = evaluate({"migration_peak_rate": 0.12}, "scenarios/baseline.yaml", seed=1)  # plain numbers
    fitted = calibrate("scenarios/calibration/hindcast.yaml")
    indices = sensitivity("scenarios/sensitivity/byregion.yaml")
"""

from model.experiments.calibration.fit import Calibration
from model.experiments.ensemble import Ensemble, EnsembleFailed
from model.experiments.evaluate import evaluate
from model.experiments.runner import RunResult, run, run_replicates, simulate
from model.experiments.sensitivity import Sensitivity
from model.inputs.errors import InputError
from model.inputs.parameters import Parameters
from model.inputs.scenario import Scenario, load_scenario
from model.simulation.region_model import RegionModel
from model.workflows import calibrate, compare, run_ensemble, sensitivity

__all__ = [
    "Calibration",
    "Ensemble",
    "InputError",
    "Parameters",
    "RegionModel",
    "RunResult",
    "Scenario",
    "Sensitivity",
    "calibrate",
    "compare",
    "evaluate",
    "load_scenario",
    "run",
    "run_ensemble",
    "EnsembleFailed",
    "run_replicates",
    "sensitivity",
    "simulate",
]
