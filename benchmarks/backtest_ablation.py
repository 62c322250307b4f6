"""Which mechanism moved which error: Gjovikregionen's backtest with each mechanism switched off in turn.

Reads the projection scenarios of a finished backtest (results/backtest-gjovikregionen,
origins 2014 and 2018 by default), keeps their calibrated values, and projects
again with one mechanism off at a time (same seeds, 10 replicates):

- municipal fertility levels (`fertility_level_years: 0`);
- Norway's yearly immigration (`immigration_path: constant`: the calibrated level every year);
- Norway's yearly job growth (`job_growth_path: trend`);
- the vacancy signal's memory at its old 0.7 (the two-year cycle back);
- each municipality's settlement pull (`settlement_pull: {}`: the region-wide values alone);
- the fading of the pull after the origin (`settlement_pull_persistence: 1`: the fitted pull kept);
- and, for comparison, Norway's observed path after the origin (`national_path: observed`,
  conditional: fertility, age structure, immigration and job growth as they turned out).

Prints the municipalities' MAPE (population, infants, jobs) and the region's
error by horizon for each variant, and writes benchmarks/backtest_ablation.json.

    .venv/bin/python benchmarks/backtest_ablation.py [--folder results/backtest-gjovikregionen] [--origins 2014 2018]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from model.experiments.backtest.forecasts import model_forecasts
from model.experiments.backtest.observed import FLOWS, observed_series
from model.experiments.backtest.scores import by_horizon, cell_errors
from model.experiments.ensemble import run_ensemble
from model.inputs.municipal.dataset import load_municipal_data
from model.inputs.region import cached_region, resolve_region_folder
from model.inputs.scenario import Scenario

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VARIANTS = {
    "all mechanisms": ({}, {}),
    "no municipal fertility levels": ({"fertility_level_years": 0}, {}),
    "no national immigration path": ({}, {"immigration_path": "constant"}),
    "no national job cycle": ({}, {"job_growth_path": "trend"}),
    "signal memory 0.7 (the cycle)": ({"vacancy_signal_memory": 0.7}, {}),
    "no settlement pull": ({}, {"settlement_pull": {}}),
    "pull not faded after the origin": ({"settlement_pull_persistence": 1.0}, {}),
    "ex post: Norway as observed": ({}, {"national_path": "observed"}),
}
HORIZONS = [3, 5, 8]


def variant(scenario: Scenario, parameters: dict, context: dict) -> Scenario:
    """The projection with some parameters and context keys replaced."""
    changed = scenario.with_overrides(**parameters) if parameters else scenario
    return changed.model_copy(update={"context": changed.context.model_copy(update=context)})


def main() -> None:
    """Project every variant at every origin and print the errors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=ROOT / "results" / "backtest-gjovikregionen")
    parser.add_argument("--origins", type=int, nargs="*", default=[2014, 2018])
    parser.add_argument("--replicates", type=int, default=10)
    args = parser.parse_args()
    shipped = cached_region(resolve_region_folder("gjovikregionen"))
    observed = observed_series(load_municipal_data(), list(shipped.numbers), list(shipped.municipalities), shipped.name)
    parts = []
    for origin in args.origins:
        projection = Scenario.from_yaml(args.folder / "origins" / str(origin) / "projection.yaml")
        for name, (parameters, context) in VARIANTS.items():
            out = args.folder / "ablation" / str(origin) / name.split(":")[0].replace(" ", "_").replace(".", "")
            ensemble = run_ensemble(
                [variant(projection, parameters, context)], replicates=args.replicates, out=out, resume=True
            )
            forecasts = model_forecasts(ensemble.outcomes(), origin)
            errors = cell_errors(forecasts, observed, FLOWS).assign(variant=name)
            parts.append(errors)
            print(f"origin {origin}: {name} done", flush=True)
    errors = pd.concat(parts, ignore_index=True)
    errors["is_municipality"] = errors["place"] != shipped.name
    record = {}
    for label, cells in (
        ("municipalities", errors[errors["is_municipality"]]),
        ("region", errors[~errors["is_municipality"]]),
    ):
        table = by_horizon(cells, ["variant"])
        table = table[
            table["horizon"].isin(HORIZONS) & table["variable"].isin(["population", "infants", "jobs", "net_migration"])
        ]
        measure = "mape" if label == "municipalities" else "malpe"
        wide = table.pivot_table(index=["variable", "variant"], columns="horizon", values=measure).round(2)
        wide = wide.reindex(list(VARIANTS), level="variant")
        print(f"\n{label}: {measure.upper()} % by horizon (origins {args.origins})")
        print(wide.to_string())
        record[label] = {f"{v} | {m}": row.dropna().to_dict() for (v, m), row in wide.iterrows()}
    (HERE / "backtest_ablation.json").write_text(json.dumps(record, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
