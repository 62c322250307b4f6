"""Writing a run folder: all or nothing, and never over an existing result.

Everything is written into a hidden temporary folder beside the target and
renamed into place at the end, so an interrupted run leaves no half-written
folder. An existing folder is replaced only when the caller asks to.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from model.experiments.output_folder import check_replaceable, default_candidates, lock_path, mark
from model.experiments.runner import RunResult
from model.inputs.errors import InputError, Problem
from model.inputs.scenario import Scenario


def default_run_folder(scenario: Scenario) -> Path:
    """results/<scenario>-<date-time> under the working folder, made unique if needed (not claimed)."""
    for folder in default_candidates(scenario.name):
        if not folder.exists() and not lock_path(folder).exists():
            return folder
    raise AssertionError("unreachable: the candidates never end")


def check_target(folder: Path, overwrite: bool) -> None:
    """Refuse to write over anything but an earlier run folder of regionsim's, and that only when asked to.

    Also makes sure the folder can be created, before any simulation runs.
    """
    check_replaceable(folder, overwrite)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        probe = folder.parent / f".{folder.name}.probe-{os.getpid()}"
        probe.mkdir()
        probe.rmdir()
    except OSError as error:
        raise InputError(
            Problem(folder, f"cannot write there ({error.strerror})", hint="choose another --out")
        ) from None


@contextmanager
def atomic_folder(folder: Path, overwrite: bool = False, kind: str = "run") -> Iterator[Path]:
    """A temporary folder that becomes `folder` only if the block completes; removed on every failure.

    The finished folder carries its marker with the files written, so a later --overwrite can prove it
    is this run's. A failure to write (a full disk, a busy mount point) is reported as one line.
    """
    check_target(folder, overwrite)
    temporary = folder.parent / f".{folder.name}.partial-{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)
    try:
        temporary.mkdir()
        yield temporary
        mark(temporary, kind, finished=True)
        if folder.exists():
            check_replaceable(folder, overwrite)  # again: something may have been added meanwhile
            retired = folder.parent / f".{folder.name}.replaced-{os.getpid()}"
            folder.rename(retired)
            try:
                temporary.rename(folder)
            except OSError:
                retired.rename(folder)
                raise
            shutil.rmtree(retired, ignore_errors=True)
        else:
            temporary.rename(folder)
    except OSError as error:
        raise InputError(
            Problem(
                folder,
                f"cannot write the results ({error.strerror or error})",
                hint="free space or choose another --out",
            )
        ) from None
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def write_run(
    folder: Path,
    scenario: Scenario,
    results: list[RunResult],
    plot: Callable[[pd.DataFrame, Scenario, Path], None] | None = None,
    overwrite: bool = False,
    command: list[str] | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
    manifest_extra: dict[str, Any] | None = None,
) -> Path:
    """Write the outcome tables, the manifest and the plots of a run.

    Args:
        folder: the run folder to create.
        scenario: the scenario as resolved.
        results: every replicate run (of the scenario and, if any, its counterfactual).
        plot: writes figures from the outcome table into a folder.
        overwrite: replace an existing folder.
        command: the command line, for the manifest.
        tables: further tables to write as CSV, by file name.
        manifest_extra: further entries of the manifest (e.g. uncertainty draws).

    Returns:
        The run folder.
    """
    outcomes = pd.concat([r.outcomes for r in results], ignore_index=True)
    commuting = pd.concat([r.commuting for r in results], ignore_index=True)
    with atomic_folder(folder, overwrite) as target:
        outcomes.to_parquet(target / "outcomes.parquet", index=False)
        outcomes.to_csv(target / "outcomes.csv", index=False)
        commuting.to_parquet(target / "commuting.parquet", index=False)
        for name, table in (tables or {}).items():
            table.round(3).to_csv(target / name, index=False)
        if plot is not None:
            plot(outcomes, scenario, target)
        manifest = build_manifest(scenario, results, command) | (manifest_extra or {})
        (target / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return folder


def build_manifest(scenario: Scenario, results: list[RunResult], command: list[str] | None) -> dict[str, Any]:
    """What a run was: the scenario as resolved, seeds, versions, commit, timings."""
    return {
        "scenario": scenario.resolved_dict(),
        "scenario_file": scenario.source,
        "region_folder": scenario.region_folder,
        "seed": results[0].seed if results else scenario.seed,
        "replicates": sorted({r.replicate for r in results}),
        "runs": [{"scenario": r.scenario, "replicate": r.replicate, "seconds": round(r.seconds, 3)} for r in results],
        "wall_time_seconds": round(sum(r.seconds for r in results), 3),
        "participation_factor": results[0].participation_factor if results else None,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "versions": build_versions(),
        "git_commit": git_commit(),
    }


def build_versions() -> dict[str, str | None]:
    """Versions of the package, Python and the libraries that shape the results."""
    return {
        "regionsim": _version("regionsim"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        **{name: _version(name) for name in ("mesa", "numpy", "pandas", "scipy", "pydantic")},
    }


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def git_commit() -> str | None:
    """The commit of the code that ran, with '+dirty' if it had local changes; None outside git."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")
