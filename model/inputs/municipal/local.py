"""Local files: what a region knows better than the national rules, replacing their estimates.

A local folder holds ``local.yaml`` and any of these tables, in the formats the
built region's README documents:

- ``jobs_by_sector.csv`` (``year, knr, <sectors>``): the split of the years it
  covers; other years take the shares of the nearest year it covers, scaled to
  their jobs (largest remainders, so each row sums to the observed jobs);
- ``commuting_times.csv`` (``origin, destination, minutes``, node names): each
  row replaces the rule's time for that pair;
- ``municipalities.csv`` (``knr`` and any of ``dwellings``,
  ``dwellings_built_per_year``, ``business_land_ha``, ``amenity_index``): each
  given column replaces the estimate;

and ``local.yaml`` may give research sources, the scale of derived snapshots
(with its rule in words), observed files kept for checks (copied under
``observed/``) and a paragraph for the README.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field

from model.inputs.errors import InputError, Problem
from model.inputs.municipal.sector_split import round_to
from model.inputs.sectors import SECTOR_KEYS
from model.inputs.tables import read_table
from model.inputs.validation import Strict, validate_document
from model.inputs.yamlio import read_yaml

HOUSING_COLUMNS = ("dwellings", "dwellings_built_per_year", "business_land_ha", "amenity_index")


class _Scale(Strict):
    jobs_scale: float = Field(gt=0, le=10)
    rule: str = Field(min_length=10)
    """The rule in words, written into region.yaml beside the number."""


class _RndSource(Strict):
    municipality: str
    sector: str


class _LocalFile(Strict):
    description: str = ""
    """A paragraph for the region README: what the local files know."""
    rnd_sources: dict[str, _RndSource] = {}
    jobs_scale: dict[int, _Scale] = {}
    observed: dict[str, str] = {}
    """Observed tables for checks and calibration: key -> file in the local folder."""


@dataclass
class LocalFiles:
    """A region's local files, read and checked."""

    folder: Path
    description: str
    rnd_sources: dict[str, dict[str, str]]
    jobs_scales: dict[int, tuple[float, str]]
    observed: dict[str, str]
    jobs_by_sector: pd.DataFrame | None = None
    times: pd.DataFrame | None = None
    housing: pd.DataFrame | None = None
    replaced: list[str] = field(default_factory=list)

    def sector_split(self, estimate: pd.DataFrame, employment: pd.DataFrame) -> pd.DataFrame:
        """The local split where it has the year, its nearest year's shares elsewhere."""
        path = self.folder / "jobs_by_sector.csv"
        local = self.jobs_by_sector
        years = sorted(int(y) for y in local["year"].unique())
        result = estimate.copy()
        for row in result.itertuples():
            nearest = min(years, key=lambda y: (abs(y - row.year), y))
            match = local[(local["year"] == nearest) & (local["knr"] == row.knr)]
            if match.empty:
                raise InputError(Problem(path, f"no row for {row.knr} {row.municipality} in {nearest}", key="knr"))
            shares = match.iloc[0][list(SECTOR_KEYS)].to_numpy(dtype=float)
            jobs = employment[(employment["year"] == row.year) & (employment["knr"] == row.knr)][
                "jobs_by_workplace_15_74"
            ].iloc[0]
            if nearest == row.year and abs(shares.sum() - jobs) > 0.01 * jobs:
                raise InputError(
                    Problem(
                        path,
                        f"{row.municipality} {row.year}: sectors sum to {shares.sum():.0f}, "
                        f"the data set has {jobs} jobs",
                        line=int(match.iloc[0]["source_line"]),
                        hint="the split must match the jobs within 1 %",
                    )
                )
            result.loc[row.Index, list(SECTOR_KEYS)] = round_to(shares, int(jobs))
        return result

    def replace_times(self, times: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, float]]:
        """The rule's times with the local pairs put in; the rule's error against them."""
        path = self.folder / "commuting_times.csv"
        index = {
            frozenset((o, d)): i for i, (o, d) in enumerate(zip(times["origin"], times["destination"], strict=True))
        }
        times = times.copy()
        errors = []
        for row in self.times.itertuples():
            key = frozenset((row.origin, row.destination))
            if key not in index:
                known = sorted(set(times["origin"]) | set(times["destination"]))
                raise InputError(
                    Problem(
                        path,
                        f"no pair {row.origin} - {row.destination} in the built region",
                        line=row.source_line,
                        hint="nodes: " + ", ".join(known),
                    )
                )
            i = index[key]
            errors.append(float(times.loc[i, "minutes"]) - float(row.minutes))
            times.loc[i, "minutes"] = row.minutes
        error = np.array(errors)
        summary = {
            "pairs": len(error),
            "mean_absolute_error": float(np.abs(error).mean()),
            "mean_error": float(error.mean()),
            "largest_error": float(error[np.abs(error).argmax()]),
        }
        return times, summary

    def replace_housing(self, housing: pd.DataFrame) -> pd.DataFrame:
        """The estimate with the local columns put in."""
        path = self.folder / "municipalities.csv"
        local = self.housing.set_index("knr")
        missing = [code for code in housing["knr"] if code not in local.index]
        if missing:
            raise InputError(Problem(path, f"no row for {missing[0]}", key="knr"))
        housing = housing.copy()
        for column in HOUSING_COLUMNS:
            if column in local.columns:
                housing[column] = local.loc[housing["knr"], column].to_numpy()
        return housing


def read_local(folder: Path) -> LocalFiles:
    """Read a local folder (see the module docstring)."""
    document = read_yaml(folder / "local.yaml")
    spec = validate_document(document, _LocalFile)
    local = LocalFiles(
        folder=folder,
        description=spec.description.strip(),
        rnd_sources={k: v.model_dump() for k, v in spec.rnd_sources.items()},
        jobs_scales={year: (s.jobs_scale, " ".join(s.rule.split())) for year, s in spec.jobs_scale.items()},
        observed=spec.observed,
    )
    for key, name in spec.observed.items():
        if not (folder / name).is_file():
            path, line = document.where(("observed", key))
            raise InputError(Problem(path, f"file {name} not found", line=line, key=f"observed.{key}"))
    if (folder / "jobs_by_sector.csv").is_file():
        local.jobs_by_sector = read_table(
            folder / "jobs_by_sector.csv", ["year", "knr", *SECTOR_KEYS], numeric=["year", *SECTOR_KEYS]
        )
    if (folder / "commuting_times.csv").is_file():
        local.times = read_table(
            folder / "commuting_times.csv", ["origin", "destination", "minutes"], numeric=["minutes"]
        )
    if (folder / "municipalities.csv").is_file():
        table = read_table(folder / "municipalities.csv", ["knr"])
        given = [c for c in HOUSING_COLUMNS if c in table.columns]
        if not given:
            raise InputError(
                Problem(
                    folder / "municipalities.csv",
                    "no column to replace",
                    key="knr",
                    hint="give any of " + ", ".join(HOUSING_COLUMNS),
                )
            )
        local.housing = read_table(folder / "municipalities.csv", ["knr", *given], numeric=given)
    return local
