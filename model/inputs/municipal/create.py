"""`regionsim region create` and `region list`: the steps, without the command line's parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from model.inputs.errors import InputError, Problem
from model.inputs.municipal.build import BuiltRegion, assemble
from model.inputs.municipal.dataset import DEFAULT_FOLDER, load_municipal_data
from model.inputs.municipal.local import read_local
from model.inputs.municipal.selection import COMMAND, ba_regions_table, choose_municipalities
from model.inputs.municipal.write import check_targets, write_region

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_\-æøå]{0,59}")  # a folder name of at most 60 characters
NATIONAL_RATES = Path(__file__).resolve().parents[3] / "scenarios" / "national" / "norway"


@dataclass
class Created:
    """What `create_region` wrote."""

    built: BuiltRegion
    folder: Path
    scenario: Path | None


def create_region(
    name: str,
    out: Path,
    municipalities: list[str] | None = None,
    ba_regions: list[str] | None = None,
    everything: bool = False,
    last_year: int | None = None,
    data: Path | None = None,
    local: Path | None = None,
    title: str | None = None,
    overwrite: bool = False,
    scenario: bool = True,
    command: str = "",
) -> Created:
    """Build a region folder and its baseline scenario under `out` (regions/NAME/ and NAME_baseline.yaml)."""
    if not NAME_PATTERN.fullmatch(name):
        raise InputError(
            Problem(
                COMMAND,
                f"{name!r} is not a usable region name",
                key="NAME",
                hint="lower-case letters, digits, '_' and '-', at most 60, e.g. kongsberg",
            )
        )
    check_targets(out, name, overwrite, scenario)
    dataset = load_municipal_data((data or DEFAULT_FOLDER).resolve())
    codes = choose_municipalities(
        dataset.municipalities, municipalities or [], ba_regions or [], everything, dataset.absent_names()
    )
    local_files = read_local(local.resolve()) if local is not None else None
    year = last_year if last_year is not None else dataset.population_years[-1]
    display = title or _title(name, dataset.municipalities, codes, ba_regions or [], everything)
    built = assemble(dataset, display, codes, year, NATIONAL_RATES, local_files)
    folder, scenario_path = write_region(built, out, overwrite, command, folder_name=name, scenario=scenario)
    return Created(built, folder, scenario_path)


def _title(name: str, table: pd.DataFrame, codes: list[str], ba_regions: list[str], everything: bool) -> str:
    """The region's display name: `<BA name>regionen` for one BA region, Norge for all."""
    if everything:
        return "Norge"
    bas = table.loc[codes, "baregion_name"].unique()
    if ba_regions and len(bas) == 1 and len(codes) > 1:
        single_word = re.fullmatch(r"[\wæøåÆØÅ]+", str(bas[0]))
        return f"{bas[0]}regionen" if single_word else f"{bas[0]}-regionen"
    if len(codes) == 1:
        return str(table.loc[codes[0], "municipality_name"])
    return name.replace("_", " ").replace("-", " ").title()


def list_regions(data: Path | None = None) -> pd.DataFrame:
    """BA regions of a data set: code, name, municipalities, population on the latest 1 January."""
    dataset = load_municipal_data((data or DEFAULT_FOLDER).resolve())
    return ba_regions_table(dataset.municipalities)
