"""National-scale benchmark: real Norway (all 346 municipalities of the data set, 5.5 million persons) for a decade.

Builds Norway with `regionsim region create norge --all` into a folder if it
is not there (timed), reads it, sets up the model and runs ten years
in-process with BLAS threads pinned to one; outputs are not written. Within a
country most moves are internal (the gravity form keeps about 93 % of movers
in it: the rest of Norway against the outside pull), and the run sets
in_migration_rate 0 (there is no rest of the country outside it). Reports
seconds for building, loading, set-up and the decade, seconds per simulated
year and peak memory (resident set, whole process). Prints a small table and
writes benchmarks/bench_national.json.

    .venv/bin/python benchmarks/bench_national.py [--folder results/national-norway] [--profile]

Targets: the decade within 180 s and 6 GB.
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
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from model.inputs.municipal.create import create_region  # noqa: E402
from model.inputs.scenario import Scenario  # noqa: E402
from model.simulation.outcomes import region_stock  # noqa: E402
from model.simulation.region_model import RegionModel  # noqa: E402

HERE = Path(__file__).resolve().parent
TARGET_SECONDS = 180.0
TARGET_GB = 6.0
OVERLAY = """\
# The national benchmark: Norway for a decade (benchmarks/bench_national.py).
name: national
extends: norge_baseline.yaml
years: {{start: {year}, end: {end}}}   # ten simulated years
seed: 1
replicates: 1
parameters:
  in_migration_rate: 0.0          # no 'rest of the country' outside the region
"""


def main() -> None:
    """Build (if needed), run and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default=str(HERE.parent / "results" / "national-norway"))
    parser.add_argument("--rebuild", action="store_true", help="build Norway again")
    parser.add_argument("--profile", action="store_true", help="print the top entries of a cProfile of the decade")
    args = parser.parse_args()

    folder = Path(args.folder)
    scenario_file = folder / "national.yaml"
    seconds_building = None
    if args.rebuild or not scenario_file.is_file():
        begin = time.perf_counter()
        created = create_region("norge", folder, everything=True, overwrite=True)
        seconds_building = round(time.perf_counter() - begin, 2)
        year = created.built.last_year
        scenario_file.write_text(OVERLAY.format(year=year, end=year + 9), encoding="utf-8")

    started = time.perf_counter()
    scenario = Scenario.from_yaml(scenario_file)  # validation reads the region
    loaded = time.perf_counter()
    model = RegionModel(scenario)
    ready = time.perf_counter()
    persons_at_start, firms_at_start = len(model.persons), int(model.firms.alive.sum())
    jobs_at_start = region_stock(model, "jobs")
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    year_seconds = []
    while model.running:
        begin = time.perf_counter()
        model.step()
        year_seconds.append(time.perf_counter() - begin)
    if profiler:
        profiler.disable()
    decade = sum(year_seconds)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    result = {
        "benchmark": "national scale",
        "municipalities": model.n_municipalities,
        "persons_at_start": persons_at_start,
        "persons_at_end": len(model.persons),
        "firms_at_start": firms_at_start,
        "firms_at_end": int(model.firms.alive.sum()),
        "jobs_at_start": round(jobs_at_start),
        "jobs_at_end": round(region_stock(model, "jobs")),
        "years": f"{model.base_year}-{model.year}",
        "simulated_years": len(year_seconds),
        "seconds_building": seconds_building,
        "seconds_loading": round(loaded - started, 2),
        "seconds_set_up": round(ready - loaded, 2),
        "seconds_decade": round(decade, 2),
        "seconds_per_simulated_year": round(decade / len(year_seconds), 2),
        "peak_memory_gb": round(peak_gb, 2),
        "target_seconds": TARGET_SECONDS,
        "target_gb": TARGET_GB,
        "profiled": args.profile,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    print(f"{'measure':<30}{'value':>24}{'target':>10}")
    rows = [
        ("municipalities", result["municipalities"], ""),
        ("persons at start / end", f"{persons_at_start:,} / {len(model.persons):,}", ""),
        ("firms at start / end", f"{firms_at_start:,} / {result['firms_at_end']:,}", ""),
        ("jobs at start / end", f"{result['jobs_at_start']:,} / {result['jobs_at_end']:,}", ""),
        ("seconds building the region", seconds_building if seconds_building is not None else "(built before)", ""),
        ("seconds loading the region", result["seconds_loading"], ""),
        ("seconds setting up", result["seconds_set_up"], ""),
        (f"seconds, {len(year_seconds)} simulated years", result["seconds_decade"], TARGET_SECONDS),
        ("seconds per simulated year", result["seconds_per_simulated_year"], ""),
        ("peak memory GB", result["peak_memory_gb"], TARGET_GB),
    ]
    for name, value, target in rows:
        print(f"{name:<30}{value!s:>24}{target!s:>10}")
    if profiler:
        print("(timings include the profiler's overhead)")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    (HERE / "bench_national.json").write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
