"""What was observed, read from the municipal data set, in the form a projection is scored against.

Every series is (place, variable, year, value), a place being a municipality
or the region (the sum of its municipalities):

- ``population``, ``infants`` (aged 0) and ``population_<band>`` (the model's
  age bands): persons on 1 January of `year` (SSB 07459);
- ``net_migration``: moves in less moves out during `year`, by the cohort
  residual of the stocks, for the persons aged 1 or more on 1 January of
  `year` + 1 (those born during the year are left out: the data hold no
  births). Survival uses Norway's death rates of the year (2008's before
  2008; 2017's after 2017, falling 1 % a year: the model's default mortality
  improvement);
- ``jobs`` (by workplace) and ``employed_residents``, persons aged 15-74 (SSB
  11618): the 4th quarter of `year` - 1, the state on 1 January of `year`.

A percentage error needs a scale: the observed value for stocks, the
population on 1 January of the year for net migration (whose observed value
may be zero or negative), so its error reads as percentage points of growth.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from model.inputs.municipal.dataset import MunicipalData
from model.inputs.national import MAX_AGE, SEXES, load_national
from model.simulation.demand import AGE_BANDS
from model.simulation.demography import cohort_residual, survival

NATIONAL_FOLDER = Path(__file__).resolve().parents[3] / "scenarios" / "national" / "norway"
STOCKS = ("population", "infants", *(f"population_{band}" for band, _, _ in AGE_BANDS))
LABOUR = ("jobs", "employed_residents")
FLOWS = ("net_migration",)
VARIABLES = (*STOCKS, *FLOWS, *LABOUR)


def persons_grid(data: MunicipalData, codes: list[str]) -> dict[int, np.ndarray]:
    """Persons by year -> (municipality in `codes` order, sex, age)."""
    table = data.population[data.population["code"].isin(codes)]
    grids: dict[int, np.ndarray] = {}
    rows = table.assign(
        m=table["code"].map({c: i for i, c in enumerate(codes)}),
        s=table["sex"].map(SEXES.index),
        a=np.minimum(table["age"].astype(int), MAX_AGE),
    )
    for year, part in rows.groupby("year"):
        grid = np.zeros((len(codes), 2, MAX_AGE + 1))
        np.add.at(grid, (part["m"].to_numpy(), part["s"].to_numpy(), part["a"].to_numpy()), part["persons"].to_numpy())
        grids[int(year)] = grid
    return grids


def observed_series(data: MunicipalData, codes: list[str], names: list[str], region: str) -> pd.DataFrame:
    """Every observed series of the municipalities and their region: place, variable, year, value, scale."""
    grids = persons_grid(data, codes)
    national = load_national(NATIONAL_FOLDER)
    rows: list[tuple] = []

    def add(variable: str, year: int, values: np.ndarray, scales: np.ndarray) -> None:
        for place, value, scale in zip([*names, region], [*values, values.sum()], [*scales, scales.sum()], strict=True):
            rows.append((place, variable, year, float(value), float(scale)))

    for year, grid in grids.items():
        by_age = grid.sum(axis=1)
        total = by_age.sum(axis=1)
        add("population", year, total, total)
        add("infants", year, by_age[:, 0], by_age[:, 0])
        for band, low, high in AGE_BANDS:
            values = by_age[:, low : high + 1].sum(axis=1)
            add(f"population_{band}", year, values, values)
        if year + 1 in grids:
            residual = cohort_residual(grid, grids[year + 1], survival(national, year))
            add("net_migration", year, residual, total)
    employment = data.employment
    for quarter in sorted({int(y) for y in employment.index.get_level_values("year")}):
        part = employment.loc[quarter].reindex(codes)
        for variable in LABOUR:
            values = part[variable].to_numpy(dtype=float)
            if not np.isnan(values).any():
                add(variable, quarter + 1, values, values)
    return pd.DataFrame(rows, columns=["place", "variable", "year", "value", "scale"])


def national_labour(data: MunicipalData) -> dict[str, pd.Series]:
    """Norway's jobs and employed residents (row 0000) by 1 January: the 4th quarter of the year before."""
    national = data.employment.xs("0000", level="code")
    return {
        variable: pd.Series(national[variable].to_numpy(dtype=float), index=national.index.astype(int) + 1)
        for variable in LABOUR
    }
