"""The published backtest: the four shipped regions, origins 2011, 2014, 2018 and 2021, calibrated at each.

Runs (or resumes) `regionsim backtest REGION --origins 2011 2014 2018 2021`
for every shipped region into results/backtest-REGION, times each, and prints
the tables the README and docs/ODD.md carry: population MAPE by horizon of
the model and each naive method, pooled over the municipalities of the three
regions the mechanisms were not chosen on and for Gjovikregionen apart; the
region-level bias; jobs MAPE from the origin 2018; the coverage of the 90 %
bands where run with --uncertainty. Writes benchmarks/backtest_regions.json.

    .venv/bin/python benchmarks/backtest_regions.py [--regions gjovikregionen ...] [--no-calibrate]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

from model.experiments.backtest.scores import by_horizon
from model.workflows import backtest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REGIONS = {
    "gjovikregionen": "Gjøvikregionen",
    "lillehammer": "Lillehammerregionen",
    "hamar": "Hamarregionen",
    "bodo": "Bodøregionen",
}
ORIGINS = [2011, 2014, 2018, 2021]
POPULATION_METHODS = ["model", "no_change", "linear", "geometric", "mean_no_change_linear"]


def markdown(table: pd.DataFrame) -> str:
    """A table as GitHub markdown (index as the first column), numbers as they are."""
    frame = table.reset_index()
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join("–" if pd.isna(v) else f"{v:g}" if isinstance(v, float) else str(v) for v in row) + " |"
            for row in frame.itertuples(index=False)]  # fmt: skip
    return "\n".join([head, rule, *rows])


def population_table(errors: pd.DataFrame) -> pd.DataFrame:
    """MAPE by horizon of the model and each naive method over the municipalities' population cells."""
    cells = errors[(errors["variable"] == "population") & errors["is_municipality"]]
    table = by_horizon(cells).pivot_table(index="horizon", columns="method", values="mape")[POPULATION_METHODS]
    table["best naive"] = table[POPULATION_METHODS[1:]].min(axis=1)
    table["cells"] = cells[cells["method"] == "model"].groupby("horizon").size()
    return table


def region_bias(errors: pd.DataFrame) -> pd.DataFrame:
    """The model's region-level population error by horizon, per region (MALPE over origins)."""
    cells = errors[(errors["variable"] == "population") & ~errors["is_municipality"] & (errors["method"] == "model")]
    return cells.pivot_table(index="horizon", columns="region", values="error_pct", aggfunc="mean")


def main() -> None:
    """Run or resume the backtests and print the published tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", nargs="*", default=list(REGIONS))
    parser.add_argument("--no-calibrate", action="store_true")
    args = parser.parse_args()
    parts, record = [], {}
    for name in args.regions:
        out = ROOT / "results" / f"backtest-{name}{'-in-sample' if args.no_calibrate else ''}"
        resume = (out / "backtest.json").is_file()
        started = time.perf_counter()
        result = backtest(name, ORIGINS, out=out, calibrate=not args.no_calibrate, resume=resume, progress=print)
        seconds = time.perf_counter() - started
        record[name] = {"seconds": round(seconds, 1), "resumed": resume, "folder": str(out.relative_to(ROOT))}
        print(f"{name}: {seconds:.0f} s ({'resumed' if resume else 'from scratch'})")
        errors = result.errors.assign(region=name, is_municipality=result.errors["place"] != REGIONS[name])
        parts.append(errors)
    errors = pd.concat(parts, ignore_index=True)
    others = errors[errors["region"] != "gjovikregionen"]
    tables = {
        "all four regions": errors,
        "Gjøvikregionen": errors[errors["region"] == "gjovikregionen"],
        "the other three regions": others,
    }
    for label, subset in tables.items():
        if subset.empty:
            continue
        table = population_table(subset).round(2)
        print(f"\nPopulation, municipalities of {label}: MAPE % by horizon (origins {ORIGINS})")
        print(markdown(table))
        record[label] = table.reset_index().to_dict(orient="list")
    population = errors[(errors["variable"] == "population") & errors["is_municipality"]]
    per_region = by_horizon(population, ["region"])
    per_region = per_region[per_region["horizon"].isin([5, 8])]
    wide = per_region.pivot_table(index=["region", "horizon"], columns="method", values="mape")[POPULATION_METHODS]
    wide["model within 5 % (%)"] = per_region[per_region["method"] == "model"].set_index(["region", "horizon"])[
        "within_5_pct"
    ]
    print("\nPopulation, municipalities, per region: MAPE % at 5 and 8 years")
    print(markdown(wide.round(2)))
    record["per_region"] = wide.round(3).reset_index().to_dict(orient="list")
    print("\nPopulation, region: error % by horizon (+ = too high), mean over origins")
    bias = region_bias(errors).round(2)
    print(markdown(bias))
    jobs = errors[(errors["variable"] == "jobs") & errors["is_municipality"] & (errors["origin"] == 2018)]
    if not jobs.empty:
        table = by_horizon(jobs, ["region"]).pivot_table(index=["region", "horizon"], columns="method", values="mape")
        print("\nJobs by workplace, municipalities, origin 2018: MAPE % by horizon")
        print(markdown(table.round(2)))
        record["jobs_2018"] = table.round(3).reset_index().to_dict(orient="list")
    (HERE / "backtest_regions.json").write_text(json.dumps(record, indent=1, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
