"""The scenarios folder: the scenarios a session may start from, and saving overlays into it.

A saved scenario is a YAML overlay that ``extends`` its base, validated where
it will live before it takes its name, and written atomically. Names are
plain words, so a file can never leave the folder; an existing file is
replaced only when the caller says so (the page asks first), and never if the
new overlay would extend itself.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from model.dashboard.state import BASELINE_FILE, Draft, overlay_yaml
from model.inputs.errors import InputError, Problem
from model.inputs.scenario import Scenario
from model.inputs.yamlio import read_yaml

NAME = re.compile(r"^[A-Za-z0-9æøåÆØÅ][A-Za-z0-9æøåÆØÅ_-]{0,63}$")
NAME_HINT = "use letters, digits, '-' and '_' (at most 64): the file is saved as scenarios/<name>.yaml"


@dataclass(frozen=True)
class Library:
    """The scenarios of a folder that can run against its baseline.

    Attributes:
        folder: the scenarios folder.
        scenarios: file name -> validated scenario, the baseline first.
        skipped: file name -> why it cannot be compared with the baseline.
    """

    folder: Path
    scenarios: dict[str, Scenario]
    skipped: dict[str, str]

    @property
    def baseline(self) -> Scenario:
        """The baseline every scenario is compared with."""
        return self.scenarios[BASELINE_FILE]


def load_library(folder: Path) -> Library:
    """Read every scenario file of a folder (not its subfolders).

    Raises:
        InputError: the folder has no valid baseline.yaml.
    """
    baseline = Scenario.from_yaml(folder / BASELINE_FILE)
    scenarios, skipped = {BASELINE_FILE: baseline}, {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name == BASELINE_FILE:
            continue
        try:
            scenario = Scenario.from_yaml(path)
        except InputError as error:
            skipped[path.name] = str(error.problems[0])
            continue
        if scenario.region_folder != baseline.region_folder or scenario.base_year != baseline.base_year:
            skipped[path.name] = "starts from another region or base year than the baseline"
        else:
            scenarios[path.name] = scenario
    return Library(folder, scenarios, skipped)


def examples(library: Library) -> dict[str, dict[str, Any]]:
    """One example strategy per type: from the overlay named after the type, else the first found."""
    found: dict[str, dict[str, Any]] = {}
    files = sorted(library.scenarios, key=lambda name: name.removesuffix(".yaml") not in _types(library, name))
    for name in files:
        for strategy in library.scenarios[name].levers.strategies:
            found.setdefault(strategy.type, strategy.model_dump(mode="json", by_alias=True, exclude_none=True))
    return found


def _types(library: Library, name: str) -> set[str]:
    return {s.type for s in library.scenarios[name].levers.strategies}


def target(folder: Path, name: str) -> Path:
    """The file a name saves to, inside the folder.

    Raises:
        InputError: the name is not a plain word (it could leave the folder) or the path is not a plain file.
    """
    if not NAME.fullmatch(name or ""):
        raise InputError(Problem(folder, f"{name!r} cannot be a file name here", key="name", hint=NAME_HINT))
    path = folder / f"{name}.yaml"
    if path.resolve().parent != folder.resolve() or path.is_symlink() or (path.exists() and not path.is_file()):
        raise InputError(Problem(path, "not a plain file in the scenarios folder", key="name", hint=NAME_HINT))
    return path


def extends_chain(path: Path) -> list[Path]:
    """The file and every file it extends, resolved."""
    chain: list[Path] = []
    current: Path | None = path
    while current is not None and current.resolve() not in chain:
        chain.append(current.resolve())
        parent = read_yaml(current).data.get("extends")
        current = current.parent / parent if isinstance(parent, str) else None
    return chain


def save(draft: Draft, folder: Path, name: str, overwrite: bool = False) -> Path:
    """Write the draft as ``<folder>/<name>.yaml``, validated there first; returns the path.

    Raises:
        FileExistsError: the file exists and `overwrite` is False (ask, then call again).
        InputError: a bad name, a file the overlay extends, or a scenario the schema refuses.
    """
    path = target(folder, name)
    if path.resolve() in extends_chain(folder / draft.base):
        raise InputError(
            Problem(
                path.name,
                f"{draft.base} extends {path.name}, so the scenario would extend itself",
                key="name",
                hint="choose another name",
            )
        )
    if path.exists() and not overwrite:
        raise FileExistsError(path)
    stamp = datetime.now().isoformat(timespec="seconds")
    header = f"Saved from the regionsim workshop dashboard on {stamp}.\nRun it: regionsim run {folder.name}/{path.name}"
    text = overlay_yaml(replace(draft, name=name), draft.base, header)
    temporary = folder / f".{path.name}.saving-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        temporary.write_text(text, encoding="utf-8")
        try:
            Scenario.from_yaml(temporary)
        except InputError as error:
            problems = [replace(p, file=path.name) if Path(p.file) == temporary else p for p in error.problems]
            raise InputError(problems) from None
        if overwrite:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # fails if the file appeared meanwhile: never overwrite silently
    finally:
        temporary.unlink(missing_ok=True)
    return path
