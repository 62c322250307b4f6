"""A region's own calibration: the generic config at the region's last known year.

Every region folder can be calibrated the same way: the last 1 January whose
persons the region knows is the origin, the hindcast replays the config's
window before it (fit on the years before the origin, test on the origin),
and the carried values become the region's overlay,
``calibration/<region>_calibrated.yaml`` beside the region's ``regions/``
folder (``scenarios/calibration/`` for a shipped region), with their provenance in
its header. A scenario uses it with ``extends:``; the region's generated
baseline does so once it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.experiments.calibration.fit import Calibration, calibrate
from model.experiments.calibration.origin import (
    DEFAULT_CONFIG,
    ROOT,
    load_region_calibration,
    shipped_baseline,
    template,
    write_origin_files,
)
from model.experiments.interrupted import Interrupted
from model.experiments.output_folder import claimed
from model.experiments.store import open_work_folder, write_atomically
from model.inputs.errors import InputError, Problem
from model.inputs.region import (
    RegionData,
    cached_region,
    calibration_overlay,
    region_argument,
    resolve_region_folder,
)
from model.inputs.scenario import Scenario

HEADER = "# Calibrated values:"  # the first line of every overlay a calibration writes
STATE = "region_calibration.json"


@dataclass
class RegionFit:
    """A finished region calibration: the fit and where its overlay went."""

    region: RegionData
    calibration: Calibration
    overlay: Path
    origin: int
    config_path: Path


def fit_region(
    region: str,
    out: Path | str | None = None,
    config: Path | str = DEFAULT_CONFIG,
    scenario: Path | str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    **options: Any,
) -> RegionFit:
    """Calibrate a region folder as known today (the options of `calibrate`: executors, progress)."""
    try:
        known = cached_region(resolve_region_folder(region))
    except KeyError as error:
        hint = f"{error.args[0]}; or a path to a region folder"
        raise InputError(
            Problem("regionsim region calibrate", f"no region {region!r}", key="REGION", hint=hint)
        ) from None
    origin = known.last_known_year
    if origin is None:
        raise InputError(Problem(known.folder / "region.yaml", "the region knows no observed persons", key="last_year"))
    target = calibration_overlay(known.folder)
    _check_overlay(target, resume or overwrite)
    config_path = Path(config).resolve()
    generic = load_region_calibration(config_path)
    baseline = Path(scenario) if scenario is not None else shipped_baseline(known)
    base = template(Scenario.from_yaml(baseline), generic)
    folder = Path(out) if out is not None else ROOT / "results" / f"calibrate-{known.folder.name}"
    description = {"region": str(known.folder), "origin": origin, "config": generic.model_dump(mode="json")}
    with claimed(folder, "region-calibration", f"calibrate-{known.folder.name}"):
        open_work_folder(folder, STATE, description, resume, overwrite)
        config_file = write_origin_files(folder / "calibration_input", known, origin, base, generic, config_path)
        out_folder = folder / "calibration"
        try:
            again = (out_folder / "calibration.json").is_file()
            calibration = calibrate(config_file, out=out_folder, resume=again, **options)
        except Interrupted as stopped:  # resumed from this folder, not the inner one
            raise Interrupted(folder, stopped.kept) from None
    return RegionFit(known, calibration, target, origin, config_path)


def install_overlay(fit: RegionFit) -> Path:
    """Copy the calibration's overlay to the region's calibrated file, its provenance extended."""
    text = (fit.calibration.folder / "calibrated.yaml").read_text(encoding="utf-8")
    config = fit.calibration.config
    extra = [
        f"#   region: {fit.region.name} ({fit.region.folder.name}), as known on 1 January {fit.origin}",
        f"#   written by: regionsim region calibrate {region_argument(fit.region.folder)}",
        f"#   generic config: {_shown(fit.config_path)}",
        f"#   calibration folder: {_shown(fit.calibration.folder)}",
        f"#   hindcast: {config.fit_years[0]}-{config.test_years[1]}",
    ]
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.endswith("Provenance:")) + 1
    text = "\n".join([*lines[:at], *extra, *lines[at:]]) + "\n"
    fit.overlay.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(fit.overlay, lambda p: p.write_text(text, encoding="utf-8"))
    return fit.overlay


def _check_overlay(target: Path, replace: bool) -> None:
    """A region's calibrated file is replaced only when asked, and only if a calibration wrote it."""
    if not target.exists():
        return
    if not target.is_file() or not target.read_text(encoding="utf-8").startswith(HEADER):
        raise InputError(Problem(target, "is not a calibration this command wrote", hint="move it away first"))
    if not replace:
        raise InputError(
            Problem(target, "the region is already calibrated", hint="pass --overwrite to calibrate it again")
        )


def _shown(path: Path) -> str:
    """A path relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
