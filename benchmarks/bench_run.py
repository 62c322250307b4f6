"""Single-run benchmark: one full-scale replicate, base year through the horizon.

Timed in-process after imports and data loading (the region is read and the
scenario validated before the clock starts), with BLAS threads pinned to one.
Outputs are not written. Prints a small table and writes benchmarks/bench_run.json.

    .venv/bin/python benchmarks/bench_run.py [--repeats 5] [--scenario scenarios/baseline.yaml]

Targets: within 1.0 s and 300 MB for 19 years from the base year (2026-2044; the
target was set for 2017-2035). With --profile, also prints the top
entries of a cProfile of one more run (not timed).
"""

from __future__ import annotations

import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[variable] = "1"

import argparse  # noqa: E402
import cProfile  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from model.inputs.scenario import Scenario, Years  # noqa: E402
from model.simulation.region_model import RegionModel  # noqa: E402

HERE = Path(__file__).resolve().parent
TARGET_SECONDS = 1.0
TARGET_MB = 300.0
YEARS = 19  # 1 January rows from the base year, as in the target's 2017-2035


def main() -> None:
    """Run the benchmark and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(HERE.parent / "scenarios" / "baseline.yaml"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print the top entries of a profiled run")
    args = parser.parse_args()

    scenario = Scenario.from_yaml(args.scenario)
    base = scenario.base_year or 2026
    scenario = scenario.model_copy(update={"years": Years(start=scenario.years.start, end=base + YEARS - 1)})
    RegionModel(scenario)  # reads and caches the region data: not part of the timing
    seconds, set_up, persons = [], [], 0
    for replicate in range(args.repeats):
        started = time.perf_counter()
        model = RegionModel(scenario, replicate=replicate)
        ready = time.perf_counter()
        model.run()
        seconds.append(time.perf_counter() - started)
        set_up.append(ready - started)
        persons = len(model.persons)
    years = model.year - model.base_year
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "benchmark": "single run",
        "scenario": scenario.name,
        "years": f"{model.base_year}-{model.end_year}",
        "simulated_years": years,
        "persons_at_horizon": persons,
        "repeats": args.repeats,
        "seconds_median": round(statistics.median(seconds), 3),
        "seconds_min": round(min(seconds), 3),
        "seconds_set_up_median": round(statistics.median(set_up), 3),
        "seconds_per_simulated_year": round(statistics.median(seconds) / years, 4),
        "peak_memory_mb": round(peak_mb, 1),
        "target_seconds": TARGET_SECONDS,
        "target_mb": TARGET_MB,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    print(f"{'measure':<28}{'value':>12}{'target':>10}")
    print(f"{'seconds (median of ' + str(args.repeats) + ')':<28}{result['seconds_median']:>12}{TARGET_SECONDS:>10}")
    print(f"{'seconds per simulated year':<28}{result['seconds_per_simulated_year']:>12}")
    print(f"{'set-up seconds':<28}{result['seconds_set_up_median']:>12}")
    print(f"{'peak memory MB':<28}{result['peak_memory_mb']:>12}{TARGET_MB:>10}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(lambda: RegionModel(scenario, replicate=args.repeats).run())
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    (HERE / "bench_run.json").write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
