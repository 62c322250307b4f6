"""Basic sectors with no national growth: where they stand after 25 years, over many replicates.

Gjovikregionen's baseline from 1 January 2026 to 2051 with every basic sector's
national growth (and the outside jobs' growth) at zero, run twice with common
random numbers: as shipped, and with firms never giving up unfilled posts
(`vacancy_abandon_rate: 0`), which isolates the firm dynamics (closures, young
firms' growth, entry, competitiveness) from the labour market's hold on them.
Prints each basic sector's jobs change (mean and its standard error over the
replicates) at 5, 10 and 25 years, the region's vacancies and unemployment, and
writes benchmarks/stationary_sectors.json. The unit test (tests/test_stability.py)
checks the firm dynamics alone on 16 replicates; this measures both on 100.

    .venv/bin/python benchmarks/stationary_sectors.py [--replicates 100] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from model.experiments.ensemble import run_ensemble
from model.inputs.region import cached_region
from model.inputs.scenario import Scenario, Years
from model.inputs.sectors import BASIC_SECTORS, SECTOR_KEYS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
YEARS = 25
HORIZONS = (5, 10, 25)
VARIABLES = [*(f"jobs_{SECTOR_KEYS[s]}" for s in BASIC_SECTORS), "jobs", "vacancies", "unemployed", "population"]


def scenarios() -> list[Scenario]:
    """The baseline with no national growth, and the same with firms that never give up unfilled posts."""
    baseline = Scenario.from_yaml(ROOT / "scenarios" / "baseline.yaml")
    basic = [SECTOR_KEYS[s] for s in BASIC_SECTORS]
    context = baseline.context.model_copy(
        update={"national_job_growth": dict.fromkeys(basic, 0.0), "outside_job_growth": 0.0}
    )
    years = Years(start=baseline.base_year, end=baseline.base_year + YEARS)
    still = baseline.model_copy(update={"name": "no_national_growth", "context": context, "years": years})
    held = still.with_overrides(vacancy_abandon_rate=0.0).model_copy(update={"name": "firms_never_give_up_posts"})
    return [still, held]


def main() -> None:
    """Run both variants and print the changes by horizon."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    record: dict = {"replicates": args.replicates, "years": YEARS}
    with tempfile.TemporaryDirectory() as folder:
        variants = scenarios()
        ensemble = run_ensemble(variants, replicates=args.replicates, out=Path(folder) / "run", workers=args.workers)
        for scenario in variants:
            table = ensemble.outcomes(scenario.name, VARIABLES)
            region = table[table["municipality"] == cached_region(Path(scenario.region_folder)).name]
            wide = region.pivot_table(index=["replicate", "year"], columns="variable", values="value")
            base_year = int(wide.index.get_level_values("year").min())
            base = wide.xs(base_year, level="year")
            print(f"\n{scenario.name}: change from {base_year} (%), mean over {args.replicates} replicates (se)")
            record[scenario.name] = {}
            for horizon in HORIZONS:
                change = 100 * (wide.xs(base_year + horizon, level="year") / base - 1)
                mean, error = change.mean(), change.std(ddof=1) / np.sqrt(len(change))
                cells = {v: [round(float(mean[v]), 2), round(float(error[v]), 2)] for v in VARIABLES}
                record[scenario.name][horizon] = cells
                print(f"  {horizon:>2} years: " + ", ".join(f"{v} {m:+.1f} ({e:.1f})" for v, (m, e) in cells.items()))
    (HERE / "stationary_sectors.json").write_text(json.dumps(record, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
