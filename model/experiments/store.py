"""The on-disk ensemble: one Parquet file per finished replicate, written atomically.

    <folder>/ensemble.json                          what is being run (checked on --resume)
    <folder>/replicates/<scenario>/outcomes-r0007.parquet
    <folder>/replicates/<scenario>/commuting-r0007.parquet

A replicate's files appear only when complete (temporary file, then rename),
so an ensemble killed at any moment resumes where it stopped and ends with
the same tables as an uninterrupted one. Summaries are built from these files,
never from replicates held in memory.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from model.experiments.output_folder import check_replaceable, mark, remove_own, slug
from model.experiments.runner import RunResult
from model.inputs.errors import InputError, Problem

MANIFEST = "ensemble.json"


def write_atomically(path: Path, write) -> None:
    """Write a file through a temporary name, so it is either whole or absent.

    The temporary name is the writer's own (process and thread), so two threads
    writing the same file (the dashboard's dispatchers) never share one.
    """
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


class EnsembleStore:
    """The replicate files of an ensemble folder."""

    def __init__(self, folder: Path):
        self.folder = folder

    def open(self, description: dict[str, Any], resume: bool, overwrite: bool) -> None:
        """Start a new ensemble folder, or check that a resumed one asks for the same runs."""
        manifest = self.folder / MANIFEST
        if self.folder.exists() and not self.folder.is_dir():
            raise InputError(
                Problem(self.folder, "the output path is a file, not a folder", hint="choose another --out")
            )
        occupied = self.folder.exists() and any(self.folder.iterdir())
        if occupied and resume and manifest.is_file():
            earlier = json.loads(manifest.read_text(encoding="utf-8"))
            if _comparable(earlier) != _comparable(description):
                raise InputError(
                    Problem(
                        self.folder,
                        "--resume asks for other scenarios, seed or settings than the folder holds, or the "
                        "region's data or the model's code changed since",
                        hint="use the same command, or --overwrite to start again",
                    )
                )
        elif check_replaceable(self.folder, overwrite, "results (pass --resume to finish it)"):
            remove_own(self.folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InputError(Problem(self.folder, f"cannot write there ({error.strerror})")) from None
        mark(self.folder, "ensemble", finished=False)
        write_atomically(
            manifest, lambda p: p.write_text(json.dumps(description, indent=2, ensure_ascii=False), "utf-8")
        )

    def _paths(self, scenario: str, replicate: int) -> tuple[Path, Path]:
        folder = self.folder / "replicates" / slug(scenario)
        return folder / f"outcomes-r{replicate:05d}.parquet", folder / f"commuting-r{replicate:05d}.parquet"

    def done(self, scenario: str, replicate: int) -> bool:
        """Whether a replicate's tables are on disk."""
        return all(path.is_file() for path in self._paths(scenario, replicate))

    def save(self, result: RunResult) -> None:
        """Write one finished replicate (commuting first: outcomes mark it complete)."""
        outcomes, commuting = self._paths(result.scenario, result.replicate)
        outcomes.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(commuting, lambda p: result.commuting.to_parquet(p, index=False))
        write_atomically(outcomes, lambda p: result.outcomes.to_parquet(p, index=False))

    def replicates(self, scenario: str) -> list[int]:
        """Replicate numbers of a scenario on disk."""
        folder = self.folder / "replicates" / slug(scenario)
        found = [int(p.stem.split("-r")[1]) for p in folder.glob("outcomes-r*.parquet")]
        return sorted(r for r in found if self.done(scenario, r))

    def outcomes(
        self, scenario: str, replicates: list[int], variables: list[str] | None = None, years: list[int] | None = None
    ) -> pd.DataFrame:
        """A scenario's outcome rows, only the variables and years asked for (memory stays small)."""
        filters = []
        if variables is not None:
            filters.append(("variable", "in", list(variables)))
        if years is not None:
            filters.append(("year", "in", list(years)))
        frames = [pq.read_table(self._paths(scenario, r)[0], filters=filters or None).to_pandas() for r in replicates]
        return pd.concat(frames, ignore_index=True)

    def commuting(self, scenario: str, replicates: list[int], year: int) -> Iterator[pd.DataFrame]:
        """A scenario's commuting flows in one year, replicate by replicate."""
        for r in replicates:
            yield pq.read_table(self._paths(scenario, r)[1], filters=[("year", "=", year)]).to_pandas()


def _comparable(description: dict[str, Any]) -> dict[str, Any]:
    """What must not change between a run and its resumption."""
    return {
        key: description.get(key) for key in ("scenarios", "seed", "replicates", "uncertainty_draws", "fingerprints")
    }


def open_work_folder(folder: Path, state: str, description: dict[str, Any], resume: bool, overwrite: bool) -> bool:
    """Start a calibration or sensitivity folder, or reopen one with --resume (returns True then).

    The folder's `state` file holds what is being computed; a resumed folder must ask for the same.
    """
    path = folder / state
    if folder.exists() and not folder.is_dir():
        raise InputError(Problem(folder, "the output path is a file, not a folder", hint="choose another --out"))
    if folder.exists() and any(folder.iterdir()) and path.is_file() and resume:
        if json.loads(path.read_text(encoding="utf-8")) != description:
            raise InputError(
                Problem(
                    folder,
                    "--resume with another config or scenario, or the data or the model's code changed since",
                    hint="use --overwrite to start again",
                )
            )
        return True
    if check_replaceable(folder, overwrite, f"a {path.stem} (pass --resume to finish it)"):
        remove_own(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(Problem(folder, f"cannot write there ({error.strerror})")) from None
    mark(folder, path.stem, finished=False)
    write_atomically(path, lambda p: p.write_text(json.dumps(description, indent=2, ensure_ascii=False), "utf-8"))
    return False
