"""Writing a built region: its folder (tables, region.yaml, README, map) and a baseline scenario.

The folder is written beside its target under a temporary name and renamed
into place, so an interrupted build leaves nothing behind. An existing folder
is replaced only with ``overwrite`` and only if ``build.json`` proves it is a
built region holding nothing but the files it lists.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from model.inputs.errors import InputError, Problem
from model.inputs.municipal.build import BuiltRegion
from model.inputs.municipal.readme import region_readme
from model.inputs.municipal.regionmap import neighbourhood_map
from model.inputs.region import calibration_overlay, region_argument

STAMP = "build.json"
BUILT_BY = "regionsim region create"
IMMIGRATION_PER_RESIDENT = 650 / 70_875  # Gjøvikregionen's baseline immigration per resident of 2017


def region_paths(out: Path, name: str) -> tuple[Path, Path]:  # name: the folder name
    """Where a region's folder and its baseline scenario go."""
    return out / "regions" / name, out / f"{name}_baseline.yaml"


def check_targets(out: Path, name: str, overwrite: bool, with_scenario: bool = True) -> None:
    """Refuse before any work if the folder or scenario exists and may not be replaced."""
    folder, scenario = region_paths(out, name)
    for place in (out, out / "regions"):
        if place.exists() and not place.is_dir():
            raise InputError(
                Problem(place, "is not a folder", key="--out", hint="--out names a folder (made if missing)")
            )
    if folder.is_symlink():
        raise InputError(Problem(folder, "is a link, never replaced", key="--out", hint="choose another --out or name"))
    for path in (folder, scenario) if with_scenario else (folder,):
        if path.exists() and not overwrite:
            raise InputError(
                Problem(path, "exists already", key="--out", hint="--overwrite replaces a region built by this command")
            )
    if folder.exists() and not _is_built_region(folder):
        raise InputError(
            Problem(
                folder,
                "is not a folder this command built (no build.json listing exactly its files)",
                key="--overwrite",
                hint="move it away or choose another --out or name",
            )
        )
    if (
        with_scenario
        and scenario.exists()
        and BUILT_BY not in scenario.read_text(encoding="utf-8", errors="replace")[:400]
    ):
        raise InputError(
            Problem(
                scenario,
                "is not a scenario this command wrote",
                key="--overwrite",
                hint="move it away or choose another --out or name",
            )
        )


def _is_built_region(folder: Path) -> bool:
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if stamp.get("built_by") != BUILT_BY:
        return False
    listed = set(stamp.get("files", [])) | {STAMP}
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()}
    folders = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}
    parents = {Path(name).parent.as_posix() for name in listed} - {"."}
    return present == listed and folders <= parents


def write_region(
    built: BuiltRegion, out: Path, overwrite: bool, command: str, folder_name: str, scenario: bool = True
) -> tuple[Path, Path | None]:
    """Write the region folder and (unless `scenario` is false) its baseline scenario; returns both paths."""
    check_targets(out, folder_name, overwrite, scenario)
    folder, scenario_path = region_paths(out, folder_name)
    made = [p for p in (out, folder.parent) if not p.exists()]  # removed again if the build fails
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder_name}-", dir=folder.parent))
    staging.chmod(0o755)
    scenario_tmp = scenario_path.with_name(f".{folder_name}.tmp")
    old = folder.with_name(f".{folder_name}.replaced")
    try:
        files = _write_tables(built, staging)
        (staging / "region.yaml").write_text(region_yaml(built, command), encoding="utf-8")
        (staging / "README.md").write_text(region_readme(built), encoding="utf-8")
        files += ["region.yaml", "README.md"]
        stamp = {"built_by": BUILT_BY, "command": command, "data": str(built.data.folder.name), "files": sorted(files)}
        (staging / STAMP).write_text(json.dumps(stamp, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        if scenario:
            relative = os.path.relpath(folder, scenario_path.parent)
            overlay = calibration_overlay(folder)
            calibration = os.path.relpath(overlay, scenario_path.parent.resolve()) if overlay.is_file() else None
            text = baseline_scenario(built, folder_name, relative, calibration, region_argument(folder))
            scenario_tmp.write_text(text, encoding="utf-8")
        if folder.exists():  # set the old folder aside, so that a failure can put it back
            os.replace(folder, old)
        os.replace(staging, folder)
        if scenario:
            os.replace(scenario_tmp, scenario_path)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        scenario_tmp.unlink(missing_ok=True)
        if old.exists():
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
            os.replace(old, folder)
        for place in reversed(made):
            if place.is_dir() and not any(place.iterdir()):
                place.rmdir()
        raise
    if not scenario:
        scenario_path = None
    return folder, scenario_path


def _csv(path: Path, table: pd.DataFrame, source: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("# " + " ".join(source.split()) + "\n")
        table.to_csv(handle, index=False, lineterminator="\n")


def _write_tables(built: BuiltRegion, folder: Path) -> list[str]:
    data = built.data
    persons_years = f"{built.persons['year'].min()}-{built.persons['year'].max()}"
    quarters = sorted(built.employment["year"].unique())
    quarter_text = f"4th quarter {quarters[0]}-{quarters[-1]}" if len(quarters) > 1 else f"4th quarter {quarters[0]}"
    _csv(
        folder / "population_age_sex.csv",
        built.persons,
        f"SSB table 07459, persons on 1 January {persons_years} by municipality (borders of 2024), sex and single year of age "
        f"(105 = 105 and over). From the municipal data set: {data.source('population_age_sex.parquet')}",
    )
    _csv(
        folder / "employment.csv",
        built.employment,
        f"SSB table 11618, persons aged 15-74, {quarter_text} (`year` is the 4th quarter; the state on 1 January of year + 1): "
        "population, jobs by workplace, employed residents, employed residents whose workplace is outside the mainland. "
        "Row 0000 is Norway. From the municipal data set: " + data.source("employment.csv"),
    )
    _csv(
        folder / "commuting_od.csv",
        built.commuting,
        f"SSB table 03321, employed persons aged 15-74 by municipality of residence and of work (2024 codes), {quarter_text} "
        "(`year` is the 4th quarter), every non-zero flow with one end in the region; 9999 = withheld municipalities summed; "
        "workplace outside_mainland = employed residents whose workplace is outside the mainland (SSB 11618 less the commuting "
        "row sum). From the municipal data set: " + data.source("commuting_od.parquet"),
    )
    kind = built.estimated["jobs_by_sector.csv"]
    _csv(
        folder / "jobs_by_sector.csv",
        built.jobs_by_sector,
        (
            "ESTIMATE, not an observed table: jobs by workplace and sector per municipality (persons 15-74, `year` is the 4th quarter), "
            + (
                "the local split of the region's own files, its shares carried to the other years (README.md). "
                if kind == "local"
                else "by the rule in README.md (resident-serving sectors from the persons they serve at national rates, the rest in "
                "national shares). "
            )
            + "Each row sums exactly to the jobs by workplace of SSB 11618 (employment.csv). Replace it with your own table "
            "in the same format."
        ),
    )
    _csv(
        folder / "commuting_times.csv",
        built.times,
        (
            "ESTIMATE: car minutes one way between label points (README.md: great-circle distance by the rule fitted to the BA "
            "classification's travel times"
            + (
                "; pairs from the region's own hand-made times replace the rule's"
                if built.estimated["commuting_times.csv"] == "local"
                else ""
            )
            + "). Times are symmetric; long-distance nodes have none. An infrastructure strategy changes them in a scenario, never here."
        ),
    )
    _csv(
        folder / "municipalities.csv",
        built.housing,
        "ESTIMATE, editable: dwellings on 1 January "
        + str(built.last_year)
        + " (persons / 2.1 per dwelling, SSB 06265), "
        "the most dwellings ordinary construction completes in a year (0.8 % of the stock), regulated unbuilt business land (3 ha per 1 000 jobs), amenity index (1.0 = "
        "the base-year level; strategies raise it), label point (SSB N5000) for maps"
        + (
            "; columns given by the region's local files replace these estimates (README.md)"
            if built.local is not None and built.local.housing is not None
            else ""
        )
        + ".",
    )
    files = [
        "population_age_sex.csv",
        "employment.csv",
        "commuting_od.csv",
        "jobs_by_sector.csv",
        "commuting_times.csv",
        "municipalities.csv",
    ]
    shapes = neighbourhood_map(data.map_file, built.codes)
    (folder / "map.geojson").write_text(json.dumps(shapes, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    files.append("map.geojson")
    if built.local is not None:
        for name in built.local.observed.values():
            target = folder / "observed" / Path(name).name
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(built.local.folder / name, target)
            files.append(f"observed/{Path(name).name}")
    return files


def _flow(items: dict) -> str:
    """A YAML flow mapping of plain values."""
    return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in items.items()) + "}"


def _scalar(value) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, (float, np.floating)):
        return repr(round(float(value), 6))
    return str(value)


def region_yaml(built: BuiltRegion, command: str = "") -> str:
    """region.yaml of a built region, with comments saying where each part comes from."""
    lines = [
        f"# {built.name}: {', '.join(built.names[:12])}{' ...' if len(built.names) > 12 else ''}",
        f"# Built by `{BUILT_BY}` from the municipal data set (scenarios/national/norway/municipal); see README.md.",
    ]
    if command:
        lines.append(f"# Command: {command}")
    first_quarter = int(built.employment["year"].min())
    last_quarter = int(built.employment["year"].max())
    lines += [
        f"name: {_scalar(built.name)}",
        "national: norway                      # national rates: scenarios/national/norway/",
        f"last_year: {built.last_year}                       # persons to 1 January {built.last_year}; employment to the 4th quarter of {last_quarter}",
        f"look_ahead: {str(built.look_ahead).lower()}"
        + (
            f"                     # jobs come from the 4th quarter of {first_quarter}, after the cut: every score made from this folder is look-ahead"
            if built.look_ahead
            else ""
        ),
        "",
        "# Municipalities (2024 codes).",
        "municipalities:",
    ]
    lines += [
        f"  - {_flow({'number': code, 'name': name})}" for code, name in zip(built.codes, built.names, strict=True)
    ]
    lines += ["", "# Outside nodes, chosen from the commuting matrix by the rule in README.md.", "outside_nodes:"]
    for node in built.nodes:
        entry = {"key": node.key, "name": node.name, "kind": node.kind, "members": node.members}
        if node.lat is not None:
            entry |= {"lat": round(node.lat, 5), "lon": round(node.lon, 5)}
        lines.append(f"  - {_flow(entry)}")
    lines += [
        "",
        "# Dated snapshots: persons on 1 January of the year. An observed snapshot holds the employment and",
        "# commuting of the 4th quarter of the year before (the state on 1 January); a derived one scales another",
        "# snapshot's by the rule written beside it.",
        "snapshots:",
    ]
    for snap in sorted(built.snapshots, key=lambda s: s.year):
        note = ""
        if snap.quarter is not None:
            note = (
                "   # look-ahead: structure only, no persons"
                if not snap.has_persons
                else f"   # observed: 4th quarter {snap.quarter}"
            )
        lines.append(f"  {snap.year}:{note}")
        if snap.has_persons:
            lines.append(f"    persons: {_flow({'file': 'population_age_sex.csv', 'year': snap.year})}")
        if snap.quarter is not None:
            for key, file in (
                ("employment", "employment.csv"),
                ("commuting", "commuting_od.csv"),
                ("jobs_by_sector", "jobs_by_sector.csv"),
            ):
                lines.append(f"    {key}: {_flow({'file': file, 'fourth_quarter': snap.quarter})}")
        else:
            lines.append(f"    derived_from: {_flow({'snapshot': snap.source, 'jobs_scale': snap.jobs_scale})}")
            lines.append(f"    rule: {_scalar(snap.rule)}")
        if snap.look_ahead:
            lines.append("    look_ahead: true")
    rnd = built.local.rnd_sources if built.local is not None else {}
    lines += ["", "# Where research can be commercialised (commercialise_rnd strategies)."]
    lines.append("rnd_sources:" + ("" if rnd else " {}"))
    lines += [f"  {key}: {_flow(value)}" for key, value in rnd.items()]
    observed = {"population": "population_age_sex.csv"}
    if built.local is not None:
        observed |= {key: f"observed/{Path(name).name}" for key, name in built.local.observed.items()}
    lines += [
        "",
        "commuting_times: commuting_times.csv",
        f"commuting_times_within_reach_only: {str(built.within_reach_only).lower()}",
        "municipality_data: municipalities.csv",
        "map: map.geojson",
        "",
        "# Observed figures kept for checks and calibration, never for initialisation.",
        "observed:",
    ]
    lines += [f"  {key}: {value}" for key, value in observed.items()]
    return "\n".join(lines) + "\n"


def baseline_scenario(
    built: BuiltRegion, folder_name: str, region_path: str, calibration: str | None = None, command_name: str = ""
) -> str:
    """The region's baseline scenario: ten years from the latest persons with no new strategy.

    `calibration` is the region's calibrated overlay relative to the scenario, if it has one:
    the baseline extends it (parameters and immigration). Without it the baseline runs on the
    documented defaults, and says how to calibrate.
    """
    year = built.last_year
    residents = int(built.persons.loc[built.persons["year"] == year, "persons"].sum())
    immigration = int(round(IMMIGRATION_PER_RESIDENT * residents, -1))
    command_name = command_name or folder_name
    if calibration is not None:
        calibrated = f"extends: {calibration}   # the region's calibrated parameters and immigration\n"
        immigration_lines = ""
    else:
        calibrated = (
            "# Not calibrated: the parameters are the documented defaults (docs/ODD.md).\n"
            f"# `regionsim region calibrate {command_name}` fits them to this region's history\n"
            f"# and writes calibration/{folder_name}_calibrated.yaml; then add\n"
            f"# `extends: calibration/{folder_name}_calibrated.yaml` here.\n"
        )
        immigration_lines = f"""  # Estimate: Gjovikregionen's baseline immigration per resident (650 a year for
  # 70 875 residents) times this region's {residents} residents.
  immigration_per_year: {immigration}
"""
    return f"""# {built.name} baseline, written by `{BUILT_BY}`. Edit freely: it is an ordinary scenario.
{calibrated}name: {folder_name}_baseline
description: >
  {built.name} as it is: its real residents of 1 January {year} and the jobs
  and commuting of the latest 4th quarter in the data, projected ten years
  with no new strategy. National trends continue and people age.
region: {region_path}
base_year: {year}
years: {{start: {year}, end: {year + 10}}}
seed: 20251
replicates: 10                    # the figures show the mean and the 5-95 % band
context:
  national_job_growth:
    agriculture_food: -0.01
    manufacturing: -0.005
    ict_technical: 0.02
  fertility_scaling: 1.0
  mortality_scaling: 1.0
  mortality_improvement_per_year: 0.01
{immigration_lines}levers:
  cooperation: fragmented         # each municipality on its own
  strategies: []                  # no new strategy
"""
