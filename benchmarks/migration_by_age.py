"""Net migration by age: the model's against the observed residuals, Gjovikregionen 2010-2019.

Observed: the cohort residual of SSB's stocks (persons on two successive
1 January, the model's death rates), by age at the end of the year, summed over
the region's municipalities, mean of the flow years 2010-2019. Model: the same
residual of the model's own stocks in the shipped hindcast scenario
(`scenarios/hindcast_2005_2017.yaml`, calibrated values) started from the
persons of 1 January 2010, mean over replicates. The age bands are those a
planner reads: children, the student ages, the young adults the region lacks,
families, the elderly.

Prints the table and writes benchmarks/migration_by_age.json.

    .venv/bin/python benchmarks/migration_by_age.py [--replicates 3]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from model.inputs.national import MAX_AGE
from model.inputs.region import cached_region, resolve_region_folder
from model.inputs.scenario import Scenario, Years
from model.simulation.demography import survival
from model.simulation.region_model import RegionModel

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIRST, LAST = 2010, 2020  # flows during 2010-2019
BANDS = [(1, 15), (16, 19), (20, 24), (25, 29), (30, 39), (40, 49), (50, 66), (67, MAX_AGE)]


def residual_by_age(start: np.ndarray, end: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Net migrants by age at the end of the year, summed over municipalities and sexes."""
    expected = start * alive[None]
    aged = np.zeros_like(expected)
    aged[:, :, 1:] = expected[:, :, :-1]
    aged[:, :, -1] += expected[:, :, -1]
    return (end - aged).sum(axis=(0, 1))


def observed() -> np.ndarray:
    """The region's mean yearly net migration by age over the flow years, from SSB's stocks."""
    region = cached_region(resolve_region_folder("gjovikregionen"))
    stocks = region.observed_population()
    years = range(FIRST, LAST)
    total = sum(residual_by_age(stocks[y], stocks[y + 1], survival(region.national, y)) for y in years)
    return total / len(years)


def stock_of(model: RegionModel) -> np.ndarray:
    """The model's residents by sex and age, as one place (shape 1, 2, ages)."""
    grid = np.zeros((1, 2, MAX_AGE + 1))
    np.add.at(grid, (0, model.persons.sex, np.minimum(model.persons.age, MAX_AGE)), 1)
    return grid


def modelled(replicates: int) -> np.ndarray:
    """The same from the model's stocks in the hindcast scenario started in FIRST."""
    scenario = Scenario.from_yaml(ROOT / "scenarios" / "hindcast_2005_2017.yaml")
    scenario = scenario.model_copy(update={"base_year": FIRST, "years": Years(start=FIRST, end=LAST - 1)})
    total, count = np.zeros(MAX_AGE + 1), 0
    for replicate in range(replicates):
        model = RegionModel(scenario, replicate=replicate)
        before, year = stock_of(model), model.year
        while model.running:
            model.step()
            after = stock_of(model)
            total += residual_by_age(before, after, survival(model.national, year))
            before, year, count = after, model.year, count + 1
        model.release()
    return total / count


def main() -> None:
    """Print the bands and write the json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=3)
    args = parser.parse_args()
    seen, model = observed(), modelled(args.replicates)
    record = {}
    print(f"net migration a year by age, Gjovikregionen, flows {FIRST}-{LAST - 1}: observed, model")
    for low, high in BANDS:
        band = f"{low}-{high}"
        record[band] = [round(float(seen[low : high + 1].sum()), 1), round(float(model[low : high + 1].sum()), 1)]
        print(f"  {band:>7}: {record[band][0]:+7.0f} {record[band][1]:+7.0f}")
    (HERE / "migration_by_age.json").write_text(json.dumps(record, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
