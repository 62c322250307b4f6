"""Run every benchmark, each in its own process, and print the figures against their targets.

    .venv/bin/python benchmarks/run_all.py          # about 10 minutes on 2 cores

Each benchmark also runs on its own (see its docstring) and writes its JSON
next to it; this script reads those files for the summary. Run it on an
otherwise idle machine: the figures are wall-clock times.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("bench_run", "bench_ensemble", "bench_naive", "bench_national")


def main() -> None:
    """Run the benchmarks one after another, then summarise."""
    for name in BENCHMARKS:
        print(f"\n=== {name} ===", flush=True)
        subprocess.run([sys.executable, str(HERE / f"{name}.py")], check=True)
    results = {name: json.loads((HERE / f"{name}.json").read_text(encoding="utf-8")) for name in BENCHMARKS}
    print("\n=== summary ===")
    print(f"{'figure':<52}{'value':>12}{'target':>12}")
    for figure, value, target, met in _figures(results):
        print(f"{figure:<52}{value:>12}{target:>12}  {'met' if met else 'MISSED'}")


def _figures(results: dict[str, dict]) -> list[tuple[str, str, str, bool]]:
    single, ensemble = results["bench_run"], results["bench_ensemble"]
    naive, national = results["bench_naive"], results["bench_national"]
    two_workers = ensemble["configurations"]["local pool, 2 workers"]["runs_per_minute"]
    dask = ensemble["configurations"]["Dask LocalCluster, 2 workers"]["runs_per_minute"]
    gap = ensemble["dask_vs_pool"]
    return [
        (
            "single region run 2017-2035, seconds",
            f"{single['seconds_median']}",
            "<= 1.0",
            single["seconds_median"] <= 1.0,
        ),
        ("single region run, peak MB", f"{single['peak_memory_mb']}", "<= 300", single["peak_memory_mb"] <= 300),
        ("region decades per minute, pool of 2", f"{two_workers}", ">= 100", two_workers >= 100),
        ("region decades per minute, Dask of 2", f"{dask}", "", True),
        ("Dask against the pool", f"{gap:+.1%}", "within 15 %", abs(gap) <= 0.15),
        (
            "vectorised against naive per-agent Mesa, times",
            f"{naive['speed_ratio']}",
            ">= 50",
            naive["speed_ratio"] >= 50,
        ),
        (
            "naive and vectorised totals statistically the same",
            str(naive["statistically_the_same"]),
            "True",
            bool(naive["statistically_the_same"]),
        ),
        (
            "national decade (5.5 million persons), seconds",
            f"{national['seconds_decade']}",
            "<= 180",
            national["seconds_decade"] <= 180,
        ),
        ("national decade, peak GB", f"{national['peak_memory_gb']}", "<= 6", national["peak_memory_gb"] <= 6),
    ]


if __name__ == "__main__":
    main()
