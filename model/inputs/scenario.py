"""The scenario language: one YAML file, validated before anything runs.

A scenario keeps three things apart: ``context`` (exogenous trends, not
chosen), ``parameters`` (agent behaviour, see :mod:`model.inputs.parameters`) and,
in later versions, ``levers`` (strategies). ``extends`` inherits another
scenario and overrides only the keys given. :meth:`Scenario.from_yaml` is the
single entry point.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from model.inputs import uncertain
from model.inputs.context import Context
from model.inputs.errors import InputError, Problem, did_you_mean
from model.inputs.levers import Levers
from model.inputs.parameters import Parameters
from model.inputs.region import (
    RegionData,
    cached_region,
    calibration_overlay,
    region_argument,
    resolve_region_folder,
    year_ranges,
)
from model.inputs.scenario_warnings import implausible, unfunded
from model.inputs.validation import Strict, validate_document
from model.inputs.yamlio import Location, dotted, read_yaml

MAX_HORIZON_YEARS = 100
MAX_EXTENDS_DEPTH = 32  # files in one extends chain; deeper is a mistake (or an attack), not a scenario
MAX_REPLICATES = 10_000  # a scenario's, and the command line's, limit
MAX_SEED = 2**63 - 1
Range = Annotated[tuple[float, float], Field(strict=False)]  # YAML gives [low, high] as a list


class Years(Strict):
    """The reporting window; the run always starts at the base year."""

    start: int = Field(ge=1900, le=2200)
    """First year a planner reads (e.g. 2025)."""
    end: int = Field(ge=1900, le=2200)
    """Horizon: the last simulated year (its row holds 1 January stocks and that year's flows)."""

    @model_validator(mode="after")
    def _ordered(self) -> Years:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self


class Scenario(Strict):
    """A scenario as resolved (after ``extends``)."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w.\- æøåÆØÅ]+$")
    """Short name used in tables and folder names."""
    description: str = ""
    """What the scenario asks, in words a planner understands."""
    region: str = "gjovikregionen"
    """A folder under scenarios/regions/ or a path to a region folder."""
    base_year: int | None = None
    """Snapshot the run starts from; default the region's latest."""
    years: Years
    seed: int = Field(20251, ge=0, le=MAX_SEED)
    """Seed of replicate 0; replicate i uses (seed, i)."""
    replicates: int = Field(1, ge=1, le=MAX_REPLICATES)
    context: Context = Field(default_factory=Context)
    levers: Levers = Field(default_factory=Levers)
    parameters: Parameters = Field(default_factory=Parameters)
    uncertainty: dict[str, Literal["plausible"] | Range] = Field(default_factory=dict)
    """Ranges drawn per replicate with `--uncertainty` (a Latin hypercube): a behavioural
    parameter, `context.<key>` or `context.national_job_growth.<sector>`, each `plausible` (its
    range in docs/ODD.md) or `[low, high]`. Without `--uncertainty` they are not used."""

    # Set by from_yaml, not by users.
    source: str | None = Field(None, exclude=True)
    region_folder: str | None = Field(None, exclude=True)
    warnings: tuple[str, ...] = Field((), exclude=True)

    @classmethod
    def from_yaml(cls, path: Path | str) -> Scenario:
        """Read, merge (``extends``) and validate a scenario file."""
        document = _merged(Path(path), ())
        document.data.pop("extends", None)
        scenario = validate_document(document, cls)
        folder = _region_folder(document, scenario)
        _check_against_region(document, scenario, cached_region(folder))
        region = cached_region(folder)
        notes = (
            document.notes
            + implausible(document, scenario, region)
            + unfunded(document, scenario, region)
            + _uncalibrated(document, Path(path), folder)
        )
        update = {"source": str(Path(path)), "region_folder": str(folder), "warnings": notes}
        return scenario.model_copy(update=update)

    @field_validator("uncertainty")
    @classmethod
    def _known_ranges(cls, ranges: dict[str, Any]) -> dict[str, Any]:
        if faults := uncertain.range_faults(ranges, municipal=True):
            raise ValueError("; ".join(faults))
        return ranges

    def uncertainty_ranges(self) -> dict[str, tuple[float, float]]:
        """The declared uncertainty as [low, high] per name (`plausible` resolved)."""
        return uncertain.resolve(self.uncertainty)

    def resolved_dict(self) -> dict[str, Any]:
        """The scenario as plain data, every default filled in (for manifests)."""
        return self.model_dump(mode="json", by_alias=True)

    def without_strategies(self) -> Scenario:
        """The same scenario with no strategy: the counterfactual its strategies are judged against."""
        return self.model_copy(
            update={"name": f"{self.name} without strategies", "levers": Levers(cooperation=self.levers.cooperation)}
        )

    def with_overrides(self, **parameters: Any) -> Scenario:
        """A copy with some behavioural parameters replaced (validated)."""
        problems = []
        for name in parameters:
            if name not in Parameters.model_fields:
                hint = did_you_mean(name, Parameters.model_fields)
                problems.append(Problem("parameters", f"unknown parameter {name!r}", hint=hint))
        if problems:
            raise InputError(problems)
        merged = self.parameters.model_dump() | {k: _plain(v) for k, v in parameters.items()}
        try:
            return self.model_copy(update={"parameters": Parameters.model_validate(merged)})
        except ValidationError as error:
            raise InputError(
                [Problem("parameters", f"{e['loc'][0]}: {e['msg']} (got {e.get('input')!r})") for e in error.errors()]
            ) from None


def _plain(value: Any) -> Any:
    """Plain Python numbers for numpy scalars (as parameter sweeps pass them)."""
    return value.item() if hasattr(value, "item") else value


class MergedDocument:
    """A scenario and the files it extends, merged; each key remembers its file."""

    def __init__(
        self,
        data: dict[str, Any],
        origins: dict[Location, tuple[Path, int | None]],
        notes: tuple[str, ...] = (),
    ):
        self.data = data
        self.origins = origins
        self.notes = notes
        """What the merge did that a reader of one file would not see (a replaced strategies list)."""

    def where(self, location: Location) -> tuple[Path, int | None]:
        """File and line of a key path (the file that set it)."""
        location = tuple(location)
        while location and location not in self.origins:
            location = location[:-1]
        return self.origins[location]


def _merged(path: Path, chain: tuple[Path, ...]) -> MergedDocument:
    document = read_yaml(path)
    origins = {loc: (path, line) for loc, line in document.lines.items()}
    data = document.data
    parent_name = data.get("extends")
    if parent_name is None:
        return MergedDocument(data, origins)
    line = document.lines.get(("extends",))
    if not isinstance(parent_name, str):
        raise InputError(Problem(path, "extends must be a file name", line=line, key="extends"))
    if not parent_name.lower().endswith((".yaml", ".yml")):
        # Never read (and quote back) a file that is not a scenario: extends: /etc/shadow.
        raise InputError(
            Problem(
                path, "extends must name a .yaml scenario file", line=line, key="extends", hint=f"not {parent_name!r}"
            )
        )
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise InputError(Problem(path, f"extends goes deeper than {MAX_EXTENDS_DEPTH} files", line=line, key="extends"))
    try:
        parent_path = (path.parent / parent_name).resolve()
    except (OSError, RuntimeError) as error:  # a symlink loop
        raise InputError(Problem(path, f"cannot follow extends ({error})", line=line, key="extends")) from None
    if parent_path in chain or parent_path == path.resolve():
        cycle = " -> ".join(p.name for p in (*chain, path.resolve(), parent_path))
        raise InputError(Problem(path, f"extends makes a cycle: {cycle}", line=line, key="extends"))
    if parent_path.exists() and not parent_path.is_file():
        kind = "a folder" if parent_path.is_dir() else "not a regular file (a pipe, a device or a socket)"
        raise InputError(Problem(path, f"extends {parent_name!r}, which is {kind}", line=line, key="extends"))
    if not parent_path.is_file():
        siblings = [p.name for p in path.parent.glob("*.yaml")]
        raise InputError(
            Problem(
                path,
                f"extends a missing file {parent_name!r}",
                line=line,
                key="extends",
                hint=did_you_mean(parent_name, siblings, cutoff=0.8) or "the path is relative to this file's folder",
            )
        )
    parent = _merged(parent_path, (*chain, path.resolve()))
    if "region" in parent.data and "region" not in data:
        # A parent's relative region path stays relative to the parent's folder.
        region = parent.data["region"]
        if isinstance(region, str) and (parent_path.parent / region).is_dir():
            parent.data["region"] = str((parent_path.parent / region).resolve())
    merged_data = _deep_merge(parent.data, data)
    merged_origins = _surviving(parent.origins, data)
    merged_origins.update(origins)
    notes = (*parent.notes, *_replaced_strategies(parent, document.data, path, line_of=document.lines))
    return MergedDocument(merged_data, merged_origins, notes)


def _surviving(origins: dict[Location, tuple[Path, int | None]], override: dict[str, Any]) -> dict:
    """The parent's key lines that the overlay did not replace.

    A value the overlay replaces whole (a list, a number) takes the parent's keys beneath it
    with it: a key missing from the overlay's list must be blamed on the overlay, not on the
    parent line where the replaced list once had it.
    """

    def replaced(location: Location) -> bool:
        value = override
        for depth, part in enumerate(location[:-1]):
            if not isinstance(value, dict) or part not in value:
                return False
            value = value[part]
            if not isinstance(value, dict):
                return depth < len(location) - 1
        return False

    return {location: where for location, where in origins.items() if not replaced(location)}


STRATEGIES = ("levers", "strategies")


def _replaced_strategies(parent: MergedDocument, data: dict[str, Any], path: Path, line_of: dict) -> tuple[str, ...]:
    """A note when an overlay's `levers.strategies` replaces its parent's list, naming what it drops.

    Lists are replaced, not merged (a list has no keys to merge by); the note makes the rule
    visible where it bites: an overlay listing one strategy silently dropping five.
    """
    levers, parent_levers = data.get("levers"), parent.data.get("levers")
    if not (isinstance(levers, dict) and "strategies" in levers and isinstance(parent_levers, dict)):
        return ()
    old = parent_levers.get("strategies")
    if not isinstance(old, list) or not old:
        return ()
    new = levers["strategies"] if isinstance(levers["strategies"], list) else []
    # One that is listed again with other numbers (same type, sector or source, target) is changed, not dropped.
    kept = {_identity(s) for s in new}
    dropped = [(i, s) for i, s in enumerate(old) if _identity(s) not in kept]
    if not dropped:
        return ()
    names = "; ".join(f"{describe_strategy(s)} ({_file_line(parent, (*STRATEGIES, i))})" for i, s in dropped)
    return (
        f"{path}:{line_of.get(STRATEGIES)}: levers.strategies replaces the parent's list of {len(old)} "
        f"(a list is replaced, not merged); {len(dropped)} dropped: {names}. To keep one, list it here too",
    )


def _identity(strategy: Any) -> tuple:
    """What makes a strategy the same one when its numbers change: type, sector or source, target."""
    if not isinstance(strategy, dict):
        return (repr(strategy),)
    return tuple(str(strategy.get(key)) for key in ("type", "sector", "source", "target", "from_node", "to_node"))


def _file_line(document: MergedDocument, location: Location) -> str:
    file, line = document.where(location)
    return f"{file.name}:{line}"


def describe_strategy(strategy: Any) -> str:
    """One strategy in a few words: type, target and budget (a mapping as written, or a model)."""
    if not isinstance(strategy, dict):
        strategy = strategy.model_dump(by_alias=True)
    words = [str(strategy.get("type", "?"))]
    for key in ("sector", "source"):
        if key in strategy:
            words.append(str(strategy[key]))
    words.append(f"-> {strategy.get('target', 'regional')}")
    if strategy.get("budget_mnok_per_year"):
        words.append(f"{strategy['budget_mnok_per_year']:g} MNOK/yr")
    if strategy.get("from") is not None or strategy.get("to") is not None:
        words.append(f"{strategy.get('from') or 'start'}-{strategy.get('to') or 'horizon'}")
    return " ".join(words)


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (lists too) is replaced."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _deep_merge(result[key], value)
        else:
            result[key] = value
    return result


def _region_folder(document: MergedDocument, scenario: Scenario) -> Path:
    path, line = document.where(("region",))
    try:
        return resolve_region_folder(scenario.region, relative_to=path.parent)
    except KeyError as error:
        raise InputError(
            Problem(path, f"unknown region {scenario.region!r}", line=line, key="region", hint=error.args[0])
        ) from None


def _uncalibrated(document: MergedDocument, path: Path, region_folder: Path) -> tuple[str, ...]:
    """A warning when no file of the scenario sets a behavioural parameter: it runs on the defaults.

    The documented defaults are a starting point, not a fit to any region; the note says how
    to calibrate the region (or which calibration to extend, if one exists).
    """
    if document.data.get("parameters"):
        return ()
    overlay = calibration_overlay(region_folder)
    if overlay.is_file():
        how = f"its calibration exists: add `extends: {os.path.relpath(overlay, path.parent)}` to {path}"
    else:
        command = f"regionsim region calibrate {region_argument(region_folder)}"
        how = f"calibrate the region with `{command}`, then extend {overlay}"
    return (f"{path}: no calibrated parameters; the run uses the documented defaults (docs/ODD.md). To fix: {how}",)


def _check_against_region(document: MergedDocument, scenario: Scenario, region: RegionData) -> None:
    """Everything that needs the region: base year, years, targets, nodes, sources."""
    region.outside_persons()  # the outside nodes' members, read and checked before any run
    problems: list[Problem] = []

    def problem(location: tuple, message: str, hint: str | None = None) -> None:
        path, line = document.where(location)
        problems.append(Problem(path, message, line=line, key=dotted(location, document.data), hint=hint))

    base = scenario.base_year if scenario.base_year is not None else region.latest_snapshot
    if base not in region.snapshot_years:
        problem(
            ("base_year",),
            f"the region has no snapshot for {base}",
            "snapshots: " + year_ranges(region.snapshot_years),
        )
    elif not region.snapshot(base).has_persons:
        problem(
            ("base_year",),
            f"the {base} snapshot holds jobs but no persons (a structure after the region's cut)",
            f"use {region.latest_snapshot}",
        )
    elif not region.snapshot(base).has_jobs:
        problem(
            ("base_year",), f"the {base} snapshot has persons but no jobs or commuting", f"use {region.latest_snapshot}"
        )
    if scenario.years.start < base:
        problem(("years", "start"), f"start {scenario.years.start} is before the base year {base}")
    if scenario.years.end - base > MAX_HORIZON_YEARS:
        problem(("years", "end"), f"horizon more than {MAX_HORIZON_YEARS} years after {base}")
    immigration = scenario.context.immigration_per_year
    for name in immigration if isinstance(immigration, dict) else ():
        if name != "regional":
            _known_municipality(region, name, ("context", "immigration_per_year", name), problem)
    for name in scenario.context.settlement_pull:
        _known_municipality(region, name, ("context", "settlement_pull", name), problem)
    for name in scenario.uncertainty:
        if name.startswith(uncertain.PULL):
            _known_municipality(region, name.removeprefix(uncertain.PULL), ("uncertainty", name), problem)
    horizon = scenario.years.end
    for i, strategy in enumerate(scenario.levers.strategies):
        here = ("levers", "strategies", i)
        for key, year in (("from", strategy.start), ("to", strategy.end)):
            if year is not None and not base <= year <= horizon:
                problem((*here, key), f"year {year} is outside the run {base}-{horizon}")
        if strategy.start is not None and strategy.end is not None and strategy.end < strategy.start:
            problem((*here, "to"), f"to ({strategy.end}) is before from ({strategy.start})")
        if strategy.target != "regional":
            _known_municipality(region, strategy.target, (*here, "target"), problem, extra=("regional",))
        if strategy.type == "commercialise_rnd" and strategy.source not in region.rnd_sources:
            problem(
                (*here, "source"),
                f"the region has no research source {strategy.source!r}",
                "sources: " + ", ".join(region.rnd_sources) if region.rnd_sources else "add rnd_sources to region.yaml",
            )
        if strategy.type == "infrastructure":
            _check_link(region, strategy, here, problem)
    if problems:
        raise InputError(problems)


def _known_municipality(region: RegionData, name: str, location: tuple, problem, extra: tuple[str, ...] = ()) -> None:
    try:
        region.municipality(name)
    except KeyError:
        hint = did_you_mean(name, [*region.municipalities, *extra]) or "municipalities: " + ", ".join(
            region.municipalities
        )
        problem(location, f"unknown municipality {name!r}", hint)


def _check_link(region: RegionData, strategy, here: tuple, problem) -> None:
    """An infrastructure link: two daily nodes, one of them in the region, and fewer minutes saved than it takes."""
    known = [
        _known_daily_node(region, getattr(strategy, key), (*here, key), problem) for key in ("from_node", "to_node")
    ]
    if None in known:
        return
    a, b = known
    if a == b:
        problem((*here, "to_node"), "from_node and to_node are the same node")
    elif a >= region.n_municipalities and b >= region.n_municipalities:
        problem((*here, "to_node"), "both nodes lie outside the region", "one end must be a municipality of the region")
    elif strategy.minutes_saved >= region.minutes[a, b]:
        problem(
            (*here, "minutes_saved"),
            f"saves {strategy.minutes_saved:g} minutes on a {region.minutes[a, b]:g}-minute trip",
            "a link cannot save more time than the trip takes",
        )


def _known_daily_node(region: RegionData, name: str, location: tuple, problem) -> int | None:
    """The node's index if it is a municipality or daily node, else a problem and None."""
    index = next((i for i, n in enumerate(region.nodes) if name in (n.name, n.key)), None)
    if index is None:
        hint = did_you_mean(name, [n.name for n in region.nodes if n.kind != "long_distance"])
        problem(location, f"unknown node {name!r}", hint)
    elif region.nodes[index].kind == "long_distance":
        problem(location, f"{name} is a long-distance node: its commuting has no travel time")
        return None
    return index


def load_scenario(path: Path | str) -> Scenario:
    """Read and validate a scenario file (see :meth:`Scenario.from_yaml`)."""
    return Scenario.from_yaml(path)


__all__ = ["Context", "Scenario", "Years", "load_scenario"]
