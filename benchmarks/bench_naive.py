"""Naive-reference benchmark: one Mesa agent per person against the vectorised RegionModel.

``benchmarks/naive_model.py`` runs the same person-level rules one agent at a
time; this script times both over the region decade, base year to the horizon
(stocks on 1 January of the horizon), and checks that they give statistically
the same region totals (population, jobs, employed residents): means over
replicates, standard errors, a Welch t-test, and "same" when every difference
lies within 3 standard errors of the difference.

Each run is timed in-process after imports and data loading (the region is read
before the clock starts): model construction plus the run, outputs not written,
BLAS threads pinned to one. Replicates alternate between the two models so that
a change of load on a shared machine hits both alike. Prints a small table and
writes benchmarks/bench_naive.json.

    .venv/bin/python benchmarks/bench_naive.py [--replicates 6] [--horizon 2027]
    .venv/bin/python benchmarks/bench_naive.py --profile   # one naive replicate under cProfile

Target: the vectorised model at least 50 times faster than the naive one.
"""

from __future__ import annotations

import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[variable] = "1"

import argparse  # noqa: E402
import cProfile  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

from naive_model import NaiveRegionModel  # noqa: E402
from scipy import stats  # noqa: E402

from model.inputs.scenario import Scenario  # noqa: E402
from model.simulation.outcomes import region_stock  # noqa: E402
from model.simulation.region_model import RegionModel  # noqa: E402

HERE = Path(__file__).resolve().parent
TARGET_RATIO = 50.0
TOTALS = ("population", "jobs", "employed_residents")
SAME_WITHIN_SE = 3.0  # a difference within this many standard errors counts as sampling error
PERSON_PHASES = ("demography", "labour_supply", "migration", "labour_market")
SHARED_PHASES = ("_take_stock", "firm_phase", "housing", "close_year")
MODELS: dict[str, type[RegionModel]] = {"vectorised": RegionModel, "naive": NaiveRegionModel}


@dataclass
class Run:
    """One timed replicate of one model."""

    seconds: float
    set_up: float
    gc_seconds: float
    sync_seconds: float
    phases: dict[str, float]
    totals: dict[str, float]


@dataclass
class Runs:
    """All replicates of one model."""

    runs: list[Run] = field(default_factory=list)

    def median(self, read: Callable[[Run], float]) -> float:
        """Median over replicates of a number read from each run."""
        return statistics.median(read(run) for run in self.runs)

    def values(self, total: str) -> list[float]:
        """A region total at the horizon, per replicate."""
        return [run.totals[total] for run in self.runs]


def decade(scenario: Scenario, horizon: int) -> Scenario:
    """The scenario run from its base year until 1 January of `horizon` (the last simulated year is horizon - 1)."""
    end = horizon - 1
    years = scenario.years.model_copy(update={"start": min(scenario.years.start, end), "end": end})
    return scenario.model_copy(update={"years": years})


@contextmanager
def collector_clock() -> Iterator[list[float]]:
    """Seconds spent in Python's cyclic garbage collector while the block runs."""
    spent, started = [0.0], [0.0]

    def note(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - started[0]

    gc.callbacks.append(note)
    try:
        yield spent
    finally:
        gc.callbacks.remove(note)


def time_phases(model: RegionModel) -> dict[str, float]:
    """Wrap the model's yearly phases so that each one's seconds add up (a few calls a year: no cost)."""
    seconds = dict.fromkeys(SHARED_PHASES + PERSON_PHASES, 0.0)

    def timed(name: str) -> Callable[[], None]:
        phase = getattr(model, name)

        def run() -> None:
            started = time.perf_counter()
            phase()
            seconds[name] += time.perf_counter() - started

        return run

    for name in seconds:
        setattr(model, name, timed(name))
    return seconds


def timed_run(kind: str, scenario: Scenario, replicate: int) -> Run:
    """Build and run one replicate of a model, timed."""
    gc.collect()
    with collector_clock() as collecting:
        started = time.perf_counter()
        model = MODELS[kind](scenario, replicate=replicate)
        ready = time.perf_counter()
        phases = time_phases(model)
        model.run()
        seconds = time.perf_counter() - started
    totals = {total: region_stock(model, total) for total in TOTALS}
    run = Run(seconds, ready - started, collecting[0], getattr(model, "sync_seconds", 0.0), phases, totals)
    model.release()
    return run


def compare(vectorised: list[float], naive: list[float]) -> dict[str, float | bool | list[float]]:
    """Means, standard errors, their difference and a Welch t-test of one total.

    Also a paired t-test, for information: replicate r of both models starts from
    the same persons and firms and shares the firm phase's random numbers.
    """
    se = [statistics.stdev(values) / math.sqrt(len(values)) for values in (vectorised, naive)]
    difference = statistics.mean(naive) - statistics.mean(vectorised)
    se_difference = math.hypot(*se)
    p_value = float(stats.ttest_ind(naive, vectorised, equal_var=False).pvalue)
    paired = [b - a for a, b in zip(vectorised, naive, strict=True)]
    return {
        "mean_vectorised": round(statistics.mean(vectorised), 1),
        "se_vectorised": round(se[0], 1),
        "mean_naive": round(statistics.mean(naive), 1),
        "se_naive": round(se[1], 1),
        "difference": round(difference, 1),
        "se_difference": round(se_difference, 1),
        "welch_p": round(p_value, 3),
        "same": abs(difference) < SAME_WITHIN_SE * se_difference,
        "paired_se_difference": round(statistics.stdev(paired) / math.sqrt(len(paired)), 1),
        "paired_p": round(float(stats.ttest_rel(naive, vectorised).pvalue), 3),
        "vectorised": vectorised,
        "naive": naive,
    }


def profile(scenario: Scenario, top: int = 15) -> None:
    """One naive replicate under cProfile: the top entries by cumulative and by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    NaiveRegionModel(scenario).run()
    profiler.disable()
    for order in ("cumulative", "tottime"):
        print(f"--- naive model, top {top} by {order} time ---")
        pstats.Stats(profiler).strip_dirs().sort_stats(order).print_stats(top)


def medians(results: dict[str, Runs], read: Callable[[Run], float], digits: int = 3) -> dict[str, float]:
    """Median of a number per model."""
    return {kind: round(runs.median(read), digits) for kind, runs in results.items()}


def report(scenario: Scenario, base_year: int, results: dict[str, Runs], replicates: int) -> dict:
    """The benchmark's numbers, printed as a table and returned for the JSON file."""
    vectorised, naive = results["vectorised"], results["naive"]
    seconds = medians(results, lambda run: run.seconds, digits=6)
    ratio = seconds["naive"] / seconds["vectorised"]
    phases = {
        kind: {name: round(runs.median(lambda run, name=name: run.phases[name]), 4) for name in PERSON_PHASES}
        | {name: round(runs.median(lambda run, name=name: run.phases[name]), 4) for name in SHARED_PHASES}
        for kind, runs in results.items()
    }
    person = {kind: sum(phases[kind][name] for name in PERSON_PHASES) for kind in results}
    totals = {total: compare(vectorised.values(total), naive.values(total)) for total in TOTALS}
    result = {
        "benchmark": "naive reference (one Mesa agent per person) against the vectorised model",
        "scenario": scenario.name,
        "years": f"{base_year}-{scenario.years.end + 1} (stocks on 1 January {scenario.years.end + 1})",
        "simulated_years": scenario.years.end + 1 - base_year,
        "replicates": replicates,
        "seconds_median": {kind: round(value, 3) for kind, value in seconds.items()},
        "seconds_set_up_median": medians(results, lambda run: run.set_up),
        "speed_ratio": round(ratio, 1),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio >= TARGET_RATIO,
        "phase_seconds_median": phases,
        "person_phases_ratio": round(person["naive"] / person["vectorised"], 1),
        "naive_sync_seconds_median": round(naive.median(lambda run: run.sync_seconds), 3),
        "gc_seconds_median": medians(results, lambda run: run.gc_seconds),
        "totals_at_horizon": totals,
        "statistically_the_same": all(row["same"] for row in totals.values()),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    _print(result)
    return result


def _print(result: dict) -> None:
    seconds, set_up = result["seconds_median"], result["seconds_set_up_median"]
    print(f"{result['scenario']} {result['years']}, {result['replicates']} replicates each")
    print(f"{'seconds (median)':<34}{'vectorised':>12}{'naive':>12}")
    print(f"{'  whole run (set-up included)':<34}{seconds['vectorised']:>12}{seconds['naive']:>12}")
    print(f"{'  set-up':<34}{set_up['vectorised']:>12}{set_up['naive']:>12}")
    phases = result["phase_seconds_median"]
    for name in PERSON_PHASES + SHARED_PHASES:
        shared = " (shared)" if name in SHARED_PHASES else ""
        print(f"{'  ' + name + shared:<34}{phases['vectorised'][name]:>12}{phases['naive'][name]:>12}")
    gc_seconds = result["gc_seconds_median"]
    print(f"{'  garbage collector':<34}{gc_seconds['vectorised']:>12}{gc_seconds['naive']:>12}")
    print(f"{'  census and write-back (naive)':<34}{'':>12}{result['naive_sync_seconds_median']:>12}")
    verdict = "meets" if result["meets_target"] else "misses"
    print(f"speed ratio naive/vectorised: {result['speed_ratio']} ({verdict} the target {TARGET_RATIO:g})")
    print(f"person phases alone: {result['person_phases_ratio']}")
    print(f"{'total at horizon':<20}{'vectorised':>16}{'naive':>16}{'difference':>16}{'Welch p':>9}  same  paired p")
    for total, row in result["totals_at_horizon"].items():
        columns = [f"{row[f'mean_{kind}']:>9} ±{row[f'se_{kind}']:>5}" for kind in ("vectorised", "naive")] + [
            f"{row['difference']:>9} ±{row['se_difference']:>5}",
            f"{row['welch_p']:>9}",
        ]
        print(f"{total:<20}{''.join(columns)}  {'yes ' if row['same'] else 'NO  '}{row['paired_p']:>10}")
    same = "statistically the same" if result["statistically_the_same"] else "NOT statistically the same"
    print(f"totals: {same} (|difference| < {SAME_WITHIN_SE:g} SE of the difference for all)")


def main() -> None:
    """Run the benchmark (or the profile) and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(HERE.parent / "scenarios" / "baseline.yaml"))
    parser.add_argument("--replicates", type=int, default=6)
    parser.add_argument("--horizon", type=int, default=2027, help="compare stocks on 1 January of this year")
    parser.add_argument("--profile", action="store_true", help="profile one naive replicate instead")
    args = parser.parse_args()

    scenario = decade(Scenario.from_yaml(args.scenario), args.horizon)
    model = RegionModel(scenario)  # reads and caches the region data: not part of the timing
    base_year = model.base_year
    model.release()
    if args.profile:
        profile(scenario)
        return
    if args.replicates < 2:
        parser.error("at least 2 replicates are needed for standard errors")
    results = {kind: Runs() for kind in MODELS}
    for replicate in range(args.replicates):
        for kind in MODELS:
            results[kind].runs.append(timed_run(kind, scenario, replicate))
    result = report(scenario, base_year, results, args.replicates)
    (HERE / "bench_naive.json").write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
