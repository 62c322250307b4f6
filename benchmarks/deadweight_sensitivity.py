"""How the attraction and commercialisation programmes' credit moves with the two deadweight estimates.

`inward_share_of_basic_entry` (0.1, 0.3, 0.5) for scenarios/attract_businesses.yaml and
`ordinary_spinoffs_per_year` (0, 1, 3) for scenarios/commercialise_rnd.yaml, each against the
same scenario without strategies at 2036 (common random numbers): gross direct jobs, deadweight,
net jobs and MNOK per net job for the region. Prints a table and writes
benchmarks/deadweight_sensitivity.json.

    .venv/bin/python benchmarks/deadweight_sensitivity.py [--replicates 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from model.experiments.comparison import versus_counterfactual
from model.experiments.ensemble import run_ensemble
from model.inputs.region import cached_region
from model.inputs.scenario import Scenario

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASES = (
    ("attract_businesses", "inward_share_of_basic_entry", (0.1, 0.3, 0.5)),
    ("commercialise_rnd", "ordinary_spinoffs_per_year", (0.0, 1.0, 3.0)),
)
CELLS = ("net_jobs", "gross_direct_jobs", "deadweight_jobs", "budget_mnok", "mnok_per_net_job")


def main() -> None:
    """Run every case and print the region's line for each value."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    record: dict = {"replicates": args.replicates}
    with tempfile.TemporaryDirectory() as folder:
        for name, parameter, values in CASES:
            record[name] = {"parameter": parameter, "values": {}}
            for value in values:
                scenario = Scenario.from_yaml(ROOT / "scenarios" / f"{name}.yaml").with_overrides(**{parameter: value})
                pair = [scenario, scenario.without_strategies()]
                out = Path(folder) / f"{name}_{value}"
                ensemble = run_ensemble(pair, replicates=args.replicates, out=out, workers=args.workers)
                versus = versus_counterfactual(
                    scenario, ensemble.outcomes(pair[0].name), ensemble.outcomes(pair[1].name)
                )
                region = versus[versus["municipality"] == cached_region(Path(scenario.region_folder)).name].iloc[0]
                cells = {c: None if region[c] != region[c] else round(float(region[c]), 3) for c in CELLS}
                record[name]["values"][value] = cells
                print(f"{name}, {parameter} {value}: " + ", ".join(f"{c} {region[c]:.2f}" for c in CELLS), flush=True)
    (HERE / "deadweight_sensitivity.json").write_text(json.dumps(record, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
