"""Stylised facts across Norway's municipalities: net migration follows job growth, care jobs follow the elderly.

Builds Norway as known on 1 January 2018 (``region create norge --all
--last-year 2018``: every municipality's persons, the jobs and commuting of the
4th quarter of 2017) into a folder if it is not there, runs it to 1 January
2023 (immigration from abroad at Norway's gross rate of each year, the cohort
residual plus emigration; no in-migration from a rest of the country), and
compares across the municipalities:

- net migration per resident a year against job growth a year (least-squares
  slope, percent on percent), the model's against the observed of the same
  municipalities and years (SSB 07459 stocks by the cohort residual, SSB 11618
  jobs by workplace). Telemarksforsking measured 0.29 across Norway's
  municipalities in 2010-12;
- the growth of health and care jobs against the growth of the care need (the
  population weighted by the care weights of docs/ODD.md), in the model (the
  data set has no jobs by sector).

Prints a table and writes benchmarks/stylised_facts.json.

    .venv/bin/python benchmarks/stylised_facts.py [--folder results/stylised-norway] [--replicates 1]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from model.experiments.backtest.observed import observed_series
from model.experiments.runner import run
from model.inputs.context import Context
from model.inputs.municipal.create import create_region
from model.inputs.municipal.dataset import load_municipal_data
from model.inputs.parameters import Parameters
from model.inputs.region import cached_region
from model.inputs.scenario import Scenario
from model.simulation.demand import AGE_BANDS, care_weights
from model.simulation.immigration import NationalImmigration

HERE = Path(__file__).resolve().parent
ORIGIN, END = 2018, 2023  # jobs of the 4th quarters 2017 and 2022
OVERLAY = """\
# Norway as known on 1 January {origin}, to {end} (benchmarks/stylised_facts.py).
name: stylised_norway
extends: norge_baseline.yaml
base_year: {origin}
years: {{start: {origin}, end: {end}}}
seed: 1
parameters:
  in_migration_rate: 0.0          # no 'rest of the country' outside the region
context:
  immigration_path: national      # Norway's gross immigration of each year
  immigration_reference_year: {origin}
  immigration_per_year: {immigration}   # Norway's gross immigration of {origin}: {rate:.1f} per 1 000
"""


def slope(x: pd.Series, y: pd.Series) -> dict:
    """Least-squares slope of y on x, its correlation and the number of municipalities."""
    ok = x.notna() & y.notna()
    return {
        "slope": round(float(np.polyfit(x[ok], y[ok], 1)[0]), 3),
        "correlation": round(float(np.corrcoef(x[ok], y[ok])[0, 1]), 3),
        "municipalities": int(ok.sum()),
    }


def growth_per_year(table: pd.DataFrame, variable: str) -> pd.Series:
    """Percent a year from ORIGIN to END of a variable by municipality (rows municipality, columns year)."""
    wide = table[table["variable"] == variable].pivot_table(index="municipality", columns="year", values="value")
    return (wide[END] / wide[ORIGIN] - 1) * 100 / (END - ORIGIN)


def net_migration_per_year(table: pd.DataFrame, variable: str, population: pd.DataFrame) -> pd.Series:
    """Percent of the residents on 1 January ORIGIN a year, over the years ORIGIN..END-1."""
    flows = table[table["variable"] == variable].pivot_table(index="municipality", columns="year", values="value")
    return flows.loc[:, ORIGIN : END - 1].sum(axis=1) / population[ORIGIN] * 100 / (END - ORIGIN)


def build(folder: Path) -> Path:
    """The region folder and the scenario of this check (built once)."""
    scenario = folder / "stylised.yaml"
    if not scenario.is_file():
        created = create_region("norge", folder, everything=True, last_year=ORIGIN, overwrite=True)
        region = cached_region(created.folder)
        residents = float(region.snapshot(ORIGIN).persons.sum())
        rate = NationalImmigration(region.national, Context()).rate(ORIGIN)
        text = OVERLAY.format(origin=ORIGIN, end=END, immigration=round(rate * residents / 1000), rate=rate)
        scenario.write_text(text, encoding="utf-8")
    return scenario


def care_need(table: pd.DataFrame, year: int) -> pd.Series:
    """The population weighted by the care weights, by municipality."""
    bands = [f"population_{band}" for band, _, _ in AGE_BANDS]
    weights = dict(zip(bands, care_weights(Parameters()), strict=True))
    rows = table[(table["year"] == year) & table["variable"].isin(list(weights))]
    return rows.assign(need=rows["value"] * rows["variable"].map(weights)).groupby("municipality")["need"].sum()


def main() -> None:
    """Build, run, compare, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default=str(HERE.parent / "results" / "stylised-norway"))
    parser.add_argument("--replicates", type=int, default=1)
    args = parser.parse_args()
    scenario_file = build(Path(args.folder))
    scenario = Scenario.from_yaml(scenario_file)
    region = cached_region(Path(scenario.region_folder))
    begin = time.perf_counter()
    tables = [run(scenario, replicate=r) for r in range(args.replicates)]
    seconds = time.perf_counter() - begin
    model = pd.concat(tables).groupby(["municipality", "variable", "year"])["value"].mean().reset_index()
    model = model[model["municipality"].isin(region.municipalities)]

    observed = observed_series(load_municipal_data(), list(region.numbers), list(region.municipalities), "Norway")
    observed = observed[observed["place"] != "Norway"].rename(columns={"place": "municipality"})
    observed_population = observed[observed["variable"] == "population"].pivot_table(
        index="municipality", columns="year", values="value"
    )
    model_population = model[model["variable"] == "population"].pivot_table(
        index="municipality", columns="year", values="value"
    )
    model_net = model.assign(value=model["value"] * np.where(model["variable"] == "out_migrants", -1, 1))
    model_net = model_net[model_net["variable"].isin(("in_migrants", "out_migrants"))].assign(variable="net_migration")

    facts = {
        "observed: net migration on job growth": slope(
            growth_per_year(observed, "jobs"), net_migration_per_year(observed, "net_migration", observed_population)
        ),
        "model: net migration on job growth": slope(
            growth_per_year(model, "jobs"),
            net_migration_per_year(
                model_net.groupby(["municipality", "variable", "year"])["value"].sum().reset_index(),
                "net_migration",
                model_population,
            ),
        ),
        "model: care jobs on care need": slope(
            (care_need(model, END) / care_need(model, ORIGIN) - 1) * 100 / (END - ORIGIN),
            growth_per_year(model, "jobs_health_care"),
        ),
        "model: job growth, spread across municipalities (sd, %/year)": round(
            float(growth_per_year(model, "jobs").std()), 3
        ),
        "observed: job growth, spread across municipalities (sd, %/year)": round(
            float(growth_per_year(observed, "jobs").std()), 3
        ),
    }
    result = {
        "benchmark": "stylised facts across Norway's municipalities",
        "years": f"1 January {ORIGIN} - 1 January {END}",
        "replicates": args.replicates,
        "seconds_running": round(seconds, 1),
        "facts": facts,
        "reference": "Telemarksforsking: net migration on job growth across Norway's municipalities, 2010-12: 0.29",
    }
    for name, value in facts.items():
        print(f"{name:<66}{json.dumps(value)}")
    (HERE / "stylised_facts.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
