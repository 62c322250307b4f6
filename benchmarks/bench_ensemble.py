"""Ensemble throughput: region-decade runs per minute on the local pool (1 and 2 workers) and on Dask.

Each configuration runs the same replicates of the baseline over ten
simulated years (2026 to 1 January 2036) through ``model.run_ensemble``, as a
user's ensemble runs them: worker start-up, every replicate's outcome table
written atomically to a fresh folder; no summary or figures. BLAS threads
are pinned to one in every worker. Prints a small table and writes
benchmarks/bench_ensemble.json.

    .venv/bin/python benchmarks/bench_ensemble.py [--replicates 100]

Targets: at least 100 runs a minute with 2 workers; Dask within 15 % of the local pool.
"""

from __future__ import annotations

import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[variable] = "1"  # inherited by pool and Dask workers

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from model.experiments.ensemble import run_ensemble  # noqa: E402
from model.inputs.scenario import Scenario  # noqa: E402

HERE = Path(__file__).resolve().parent
SIMULATED_YEARS = 10
TARGET_RUNS_PER_MINUTE = 100.0
TARGET_DASK_GAP = 0.15

CONFIGURATIONS = {
    "local pool, 1 worker": {"workers": 1},
    "local pool, 2 workers": {"workers": 2},
    "Dask LocalCluster, 2 workers": {"dask_local": 2},
}


def decade(path: Path) -> Scenario:
    """The scenario with its horizon moved so that a run simulates ten years from the base year."""
    scenario = Scenario.from_yaml(path)
    base = scenario.base_year or 2026
    end = base + SIMULATED_YEARS - 1  # the state on 1 January after the last simulated year
    years = scenario.years.model_copy(update={"start": min(scenario.years.start, end), "end": end})
    return scenario.model_copy(update={"years": years})


def main() -> None:
    """Run every configuration and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(HERE.parent / "scenarios" / "baseline.yaml"))
    parser.add_argument("--replicates", type=int, default=100)
    args = parser.parse_args()

    scenario = decade(Path(args.scenario))
    rows = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, options in CONFIGURATIONS.items():
            started = time.perf_counter()
            run_ensemble([scenario], replicates=args.replicates, out=Path(scratch) / name, **options)
            seconds = time.perf_counter() - started
            rows[name] = {"seconds": round(seconds, 2), "runs_per_minute": round(args.replicates / seconds * 60, 1)}
            print(f"{name}: {rows[name]['runs_per_minute']} runs/min", flush=True)
    pool = rows["local pool, 2 workers"]["runs_per_minute"]
    dask = rows["Dask LocalCluster, 2 workers"]["runs_per_minute"]
    result = {
        "benchmark": "ensemble throughput",
        "scenario": scenario.name,
        "simulated_years": SIMULATED_YEARS,
        "replicates": args.replicates,
        "configurations": rows,
        "dask_vs_pool": round(dask / pool - 1, 3),
        "target_runs_per_minute": TARGET_RUNS_PER_MINUTE,
        "target_dask_gap": TARGET_DASK_GAP,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    print(f"\n{'configuration':<32}{'seconds':>10}{'runs/min':>10}{'target':>8}")
    for name, row in rows.items():
        target = TARGET_RUNS_PER_MINUTE if "2 workers" in name else ""
        print(f"{name:<32}{row['seconds']:>10}{row['runs_per_minute']:>10}{target!s:>8}")
    print(f"Dask against the pool: {result['dask_vs_pool']:+.1%} (target within {TARGET_DASK_GAP:.0%})")
    (HERE / "bench_ensemble.json").write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
