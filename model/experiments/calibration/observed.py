"""Observed targets of the hindcast, and the same quantities from simulated runs.

Every target is a table of (target, municipality, year, value). Population is
observed on 1 January of each year, and so are infants (persons aged 0 on 1
January: the births of the year before, less infant deaths, plus infants
moving in), which carry fertility through every year; births, deaths and migration during 2005
and 2006 (SSB population change, moves between the region's municipalities
included, as the model counts them); the age structure as the share of each
age band in a municipality's population; jobs by workplace on 1 January of
each observed snapshot (the 4th quarter of the year before).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.inputs.region import RegionData
from model.inputs.tables import read_table
from model.simulation.demand import AGE_BANDS

FLOWS = ("births", "deaths", "in_migrants", "out_migrants")
BANDS = tuple(f"population_{band}" for band, _, _ in AGE_BANDS)


def observed_targets(region: RegionData) -> pd.DataFrame:
    """Everything observed that calibration can use: population, flows, age structure."""
    rows = []
    for year, persons in region.observed_population().items():
        totals = persons.sum(axis=(1, 2))
        for name, total in zip(region.municipalities, totals, strict=True):
            rows.append(("population", name, year, float(total)))
        for name, infants in zip(region.municipalities, persons[:, :, 0].sum(axis=1), strict=True):
            rows.append(("infants", name, year, float(infants)))
        for i, name in enumerate(region.municipalities):
            by_age = persons[i].sum(axis=0)
            for band, (_, low, high) in zip(BANDS, AGE_BANDS, strict=True):
                rows.append((f"share_{band}", name, year, float(by_age[low : high + 1].sum() / totals[i])))
    rows += _population_change(region)
    rows += _jobs(region)
    return pd.DataFrame(rows, columns=["target", "municipality", "year", "value"])


def _jobs(region: RegionData) -> list[tuple]:
    rows = []
    for year in region.snapshot_years:
        snapshot = region.snapshot(year)
        if snapshot.derived or not snapshot.has_jobs:
            continue
        for name, jobs in zip(region.municipalities, snapshot.jobs_by_sector.sum(axis=1), strict=True):
            rows.append(("jobs", name, year, float(jobs)))
    return rows


def _population_change(region: RegionData) -> list[tuple]:
    name = region._spec.observed.get("population_change")
    if not name:
        return []
    path = region.folder / name
    table = read_table(path, ["year", "municipality", *FLOWS], numeric=["year", *FLOWS])
    return [
        (flow, row["municipality"], int(row["year"]), float(row[flow]))
        for _, row in table.iterrows()
        for flow in FLOWS
        if row["municipality"] in region.municipalities
    ]


def simulated_targets(outcomes: pd.DataFrame, region: RegionData) -> pd.DataFrame:
    """The same quantities from an outcome table, averaged over its replicates."""
    places = outcomes[outcomes["municipality"].isin(region.municipalities)]
    mean = places.groupby(["variable", "municipality", "year"])["value"].mean().rename("value").reset_index()
    rows = [
        mean[mean["variable"].isin(("population", "infants", "jobs", *FLOWS))].rename(columns={"variable": "target"})
    ]
    wide = mean[mean["variable"].isin(("population", *BANDS))].pivot_table(
        index=["municipality", "year"], columns="variable", values="value"
    )
    for band in BANDS:
        share = (wide[band] / wide["population"]).rename("value").reset_index().assign(target=f"share_{band}")
        rows.append(share)
    return pd.concat(rows, ignore_index=True)[["target", "municipality", "year", "value"]]


COUNT_FLOOR = 100.0
"""Persons: a count below it (a small municipality's infants or movers) is judged relative to 100, whose
chance spread is about 10 % (Poisson); relative to 3 infants, one more or less would swamp every other target."""


def errors(simulated: pd.DataFrame, observed: pd.DataFrame) -> pd.DataFrame:
    """Simulated against observed, row by row: relative and absolute error.

    A relative error is taken on the observed value, or on `COUNT_FLOOR` for a count below it
    (shares of the age structure keep their own value).
    """
    joined = observed.merge(simulated, on=["target", "municipality", "year"], suffixes=("_observed", "_simulated"))
    joined["error"] = joined["value_simulated"] - joined["value_observed"]
    share = joined["target"].str.startswith("share_")
    scale = joined["value_observed"].where(share, joined["value_observed"].clip(lower=COUNT_FLOOR))
    joined["relative_error"] = joined["error"] / scale.where(scale != 0, np.nan)
    return joined
