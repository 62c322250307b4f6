"""One calibration for every region: the generic config, made concrete for a region as known at an origin.

The generic config (``scenarios/calibration/regions.yaml``) names the free
parameters, the targets and weights, the window and the budget once, for any
region folder. For a region known up to 1 January of an origin year it
becomes an ordinary hindcast scenario and calibration config (written into
the calibration's own folder, so the fit can be rerun or resumed with
``regionsim calibrate``): the hindcast starts `window_years` before the
origin (at the first year with persons if fewer), the fit covers the years
before the origin and the origin itself is the test year. Immigration's
bounds are per 1 000 residents at the origin, so one range serves a region of
any size. Parameters that need jobs (``jobs_free``) are freed only when the
window holds at least ``jobs_years_needed`` observed jobs years; otherwise
they keep their documented defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, field_validator

from model.experiments.calibration.config import FreeValues, Optimiser, Pair, TargetWeights
from model.experiments.calibration.observed import observed_targets
from model.experiments.store import write_atomically
from model.inputs.context import Context
from model.inputs.errors import InputError, Problem
from model.inputs.parameters import Parameters
from model.inputs.region import RegionData
from model.inputs.scenario import Scenario
from model.inputs.validation import Strict, validate_document
from model.inputs.yamlio import read_yaml

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_CONFIG = ROOT / "scenarios" / "calibration" / "regions.yaml"
IMMIGRATION = "context.immigration_per_year"


class RegionCalibration(Strict):
    """The generic calibration: what is free, against what, over which window, with which budget."""

    window_years: int = Field(8, ge=3, le=30)
    """Years of history before the origin that the hindcast replays."""
    free: FreeValues = Field(min_length=1)
    """Free parameters or context keys with [low, high] bounds, for every region."""
    immigration_per_1000: Pair | None = None
    """Bounds of the region's yearly immigration from abroad per 1 000 residents at the origin (free if set)."""
    jobs_free: FreeValues = {}
    """Free only where the window holds observed jobs: firm and labour-market parameters."""
    jobs_years_needed: int = Field(3, ge=2)
    """Observed jobs years in the window (the base year not counted) that free `jobs_free`."""
    context: dict[str, Any] = {}
    """Context keys set in every origin's hindcast and projection (e.g. `immigration_path: national`)."""
    targets: TargetWeights = Field(min_length=1)
    """Weight of each target group (as in a calibration config)."""
    settlement_pull: bool = False
    """Derive each municipality's settlement pull from the fit years' net migration (as in a calibration config)."""
    replicates: int = Field(4, ge=1, le=200)
    report_replicates: int = Field(10, ge=1, le=1000)
    seed: int = Field(1, ge=0)
    optimiser: Optimiser = Optimiser()

    @field_validator("context")
    @classmethod
    def _known_context(cls, context: dict[str, Any]) -> dict[str, Any]:
        Context.model_validate(context)  # unknown keys and bad values are refused as in a scenario
        return context


def origin_context(region: RegionData, origin: int, config: RegionCalibration) -> dict[str, Any]:
    """The config's context keys, with national immigration referred to the hindcast's first year.

    The calibrated immigration is the level of the hindcast's first year, so the
    projection from the origin carries it on with Norway's rate relative to that year.
    """
    start, _ = window(region, origin, config)
    return {**config.context, "immigration_reference_year": start}


def load_region_calibration(path: Path = DEFAULT_CONFIG) -> RegionCalibration:
    """Read and validate the generic calibration config."""
    return validate_document(read_yaml(path), RegionCalibration)


def window(region: RegionData, origin: int, config: RegionCalibration) -> tuple[int, int]:
    """The hindcast's first year and the origin: `window_years` back, or to the first year with persons."""
    first = min(y for y in region.snapshot_years if y >= origin - config.window_years)
    return first, origin


def free_at_origin(region: RegionData, origin: int, config: RegionCalibration) -> dict[str, tuple[float, float]]:
    """The free values and bounds for this region and origin (immigration scaled, jobs parameters if observed)."""
    start, _ = window(region, origin, config)
    free = dict(config.free)
    if config.immigration_per_1000 is not None:
        residents = float(region.snapshot(origin).persons.sum()) / 1000
        low, high = config.immigration_per_1000
        free[IMMIGRATION] = (round(low * residents, 1), round(high * residents, 1))
    observed = observed_targets(region)
    jobs_years = observed[(observed["target"] == "jobs") & observed["year"].between(start + 1, origin)]["year"]
    if jobs_years.nunique() >= config.jobs_years_needed:
        free |= config.jobs_free
    return free


def write_origin_files(
    folder: Path,
    region: RegionData,
    origin: int,
    template: dict[str, Any],
    config: RegionCalibration,
    config_source: Path,
) -> Path:
    """Write the hindcast scenario and calibration config of one origin into `folder`; returns the config."""
    start, _ = window(region, origin, config)
    folder.mkdir(parents=True, exist_ok=True)
    scenario = {
        **template,
        "name": f"hindcast_{start}_{origin}",
        "description": (
            f"{region.name} replayed from 1 January {start} to 1 January {origin}, the region as known at "
            f"{origin}, for the calibration made at that origin (generic config {config_source.name})."
        ),
        "context": {**template.get("context", {}), **origin_context(region, origin, config)},
        "region": str(region.folder),
        "base_year": start,
        "years": {"start": start, "end": origin},
        "uncertainty": {},
    }
    free = free_at_origin(region, origin, config)
    document = {
        "scenario": "hindcast.yaml",
        "free": {name: list(bounds) for name, bounds in free.items()},
        "targets": dict(config.targets),
        "fit_years": [start, origin - 1],
        "test_years": [origin, origin],
        "flow_years": [start, origin - 1],
        "age_structure_years": {"fit": origin - 1, "test": origin},
        "settlement_pull": config.settlement_pull,
        "replicates": config.replicates,
        "report_replicates": config.report_replicates,
        "seed": config.seed,
        "optimiser": config.optimiser.model_dump(),
    }
    header = f"# Written by regionsim backtest from {config_source} for {region.name}, origin {origin}.\n"
    for name, body in (("hindcast.yaml", scenario), ("calibration.yaml", document)):
        text = header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False)
        write_atomically(folder / name, lambda p, text=text: p.write_text(text, encoding="utf-8"))
    return folder / "calibration.yaml"


def shipped_baseline(region: RegionData) -> Path:
    """The region's baseline scenario, wherever `region create` or the project put it.

    <name>_baseline.yaml beside its regions/ folder or in scenarios/, or scenarios/baseline.yaml
    if that is of this region.
    """
    name = region.folder.name
    beside = region.folder.parent.parent
    candidates = [beside / f"{name}_baseline.yaml", ROOT / "scenarios" / f"{name}_baseline.yaml"]
    for path in dict.fromkeys([*candidates, ROOT / "scenarios" / "baseline.yaml"]):
        if path.is_file() and Path(Scenario.from_yaml(path).region_folder).resolve() == region.folder.resolve():
            return path
    raise InputError(
        Problem(
            region.folder,
            "no baseline scenario of this region in scenarios/",
            hint=f"create one with `regionsim region create {name} ...`, or pass --scenario",
        )
    )


def template(shipped_scenario: Scenario, config: RegionCalibration | None = None) -> dict[str, Any]:
    """The shipped baseline as plain data: its parameters, context and levers, without its years and region.

    With a config, every value the config may free is reset to its documented default: a baseline
    that extends the region's own calibration (fitted on the latest years) would otherwise hand
    an early origin values that saw its future, where the origin does not free them.
    """
    plain = shipped_scenario.resolved_dict()
    for key in ("name", "description", "region", "base_year", "years", "uncertainty"):
        plain.pop(key, None)
    if config is not None:
        defaults = Parameters().model_dump(mode="json")
        for name in [*config.free, *config.jobs_free]:
            if name in plain["parameters"]:
                plain["parameters"][name] = defaults[name]
        for key in ("immigration_per_year", "immigration_path", "immigration_reference_year", "settlement_pull"):
            plain["context"][key] = Context.model_fields[key].default
    return plain
