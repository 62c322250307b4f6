"""Output folders: claimed before any work, replaced only when provably regionsim's own.

Every command that writes a folder (run, compare, calibrate, sensitivity,
backtest) goes through here:

- **claim**: a lock file beside the folder (``.<name>.lock``), created
  exclusively, holds the writer's process and host until the command ends, so
  two processes never write one folder and a running job's folder cannot be
  replaced under it. A lock left by a process that no longer runs on this host
  is taken over.
- **mark**: the folder's marker (``.regionsim-folder.json``) names the kind of
  folder, a random identity and, once the command has finished, the files it
  wrote. A common file name such as ``manifest.json`` proves nothing.
- **replace**: ``--overwrite`` removes a folder only if it has a marker and
  holds nothing but the files that marker lists (an unfinished folder: the
  kinds of files regionsim writes as it works); anything else in it, a thesis
  or an app, stops the command with the name of the foreign file.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import socket
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from model.inputs.errors import InputError, Problem

MARKER = ".regionsim-folder.json"
WRITER = "regionsim"

# What an unfinished folder may hold besides its marker's list: the tables, states and pages regionsim writes
# while it works (replicates, evaluations, per-origin runs) and their temporaries. A finished folder lists its files.
WORKING_FILES = re.compile(
    r"(.*/)?(\.[^/]+\.(tmp-[\d-]+|lock)|[^/.][^/]*\.(json|csv|yaml|parquet|html|png|geojson|md|txt))"
)


def lock_path(folder: Path) -> Path:
    """The claim of a folder: a hidden file beside it."""
    return folder.parent / f".{folder.name}.lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _take_lock(path: Path, kind: str) -> bool:
    """Create the lock exclusively; False if it exists."""
    record = {"pid": os.getpid(), "host": socket.gethostname(), "kind": kind, "started": _now()}
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(record, handle)
    return True


def _holder(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _stale(holder: dict | None) -> bool:
    """A lock whose process is gone from this host (or an unreadable, half-written one)."""
    if holder is None:
        return True
    return holder.get("host") == socket.gethostname() and not _alive(int(holder.get("pid", -1)))


_HELD: set[Path] = set()  # locks this process holds through `claimed` (an outer step holds it for inner ones)


def default_candidates(name: str) -> Iterator[Path]:
    """results/<name>-<date-time> under the working folder, then -2, -3, ... ."""
    results = Path.cwd() / "results"
    stem = f"{slug(name)}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    yield results / stem
    suffix = 2
    while True:
        yield results / f"{stem}-{suffix}"
        suffix += 1


def slug(name: str) -> str:
    """A name as a file or folder name: no separators, no leading dots ('..' is not a name)."""
    return re.sub(r"[^\w.\-æøåÆØÅ]+", "_", name).strip("._") or "scenario"


@contextmanager
def claimed(folder: Path | None, kind: str, name: str = "") -> Iterator[Path]:
    """Hold the folder's lock for the block; refuse if another living process holds it.

    Without a folder, the first free default folder for `name` (see `default_candidates`) is taken.
    """
    if folder is None:
        folder = claim_new(default_candidates(name or kind), kind)
    folder = Path(folder)
    path = lock_path(folder.absolute())
    if path in _HELD:
        yield folder
        return
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        taken = (_holder(path) or {}).get("pid") == os.getpid() or _take_lock(path, kind)  # claim_new's
        if not taken and _stale(_holder(path)):
            path.unlink(missing_ok=True)
            taken = _take_lock(path, kind)
    except OSError as error:
        raise InputError(
            Problem(folder, f"cannot write there ({error.strerror})", hint="choose another --out")
        ) from None
    if not taken:
        holder = _holder(path) or {}
        raise InputError(
            Problem(
                folder,
                f"another regionsim process (pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
                f"started {holder.get('started', '?')}) is writing this folder",
                hint=f"wait for it to finish, or choose another --out; if no such process runs, delete {path}",
            )
        )
    _HELD.add(path)
    try:
        yield folder
    finally:
        _HELD.discard(path)
        if (_holder(path) or {}).get("pid") == os.getpid():
            path.unlink(missing_ok=True)


def claim_new(candidates: Iterable[Path], kind: str) -> Path:
    """The first candidate folder that does not exist and whose lock this process takes (default folder names).

    Runs started in the same second thus get different folders. The caller holds the lock by entering
    `claimed(folder)` (which finds it its own) and so releases it at the end.
    """
    for folder in itertools.islice(candidates, 10_000):
        if folder.exists() or lock_path(folder).exists():
            continue
        folder.parent.mkdir(parents=True, exist_ok=True)
        if _take_lock(lock_path(folder), kind):
            if folder.exists():  # made between the check and the lock
                lock_path(folder).unlink(missing_ok=True)
                continue
            return folder
    raise InputError(Problem(Path(), "no free results folder name", hint="pass --out"))


def files_in(folder: Path) -> list[str]:
    """Every file (and link) under a folder, relative, with '/' separators, markers left out."""
    found = []
    for root, directories, names in os.walk(folder, followlinks=False):
        here = Path(root)
        for name in names + [d for d in directories if (here / d).is_symlink()]:
            if name != MARKER:  # its own marker, or that of a folder it made inside (a backtest's runs)
                found.append((here / name).relative_to(folder).as_posix())
    return sorted(found)


def mark(folder: Path, kind: str, finished: bool, files: Iterable[str] | None = None) -> None:
    """Write the folder's marker: its kind, its identity, and whether it is finished with the files it holds.

    A new (empty) folder is marked unfinished when the command starts; the command marks it finished with
    the files it wrote (`files`, default: every file there now) when it ends.
    """
    earlier = read_marker(folder) or {}
    record = {
        "written_by": WRITER,
        "kind": kind,
        "id": earlier.get("id") or uuid.uuid4().hex,
        "created": earlier.get("created") or _now(),
        "finished": finished,
        "files": (sorted(files) if files is not None else files_in(folder)) if finished else [],
    }
    temporary = folder / f"{MARKER}.tmp-{os.getpid()}"
    temporary.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.replace(temporary, folder / MARKER)


def read_marker(folder: Path) -> dict | None:
    """The folder's marker, if it has a valid one."""
    try:
        record = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("written_by") == WRITER else None


def foreign_files(folder: Path) -> list[str]:
    """Files in the folder its marker does not account for (everything, without a marker)."""
    record = read_marker(folder)
    present = files_in(folder)
    if record is None:
        return present or [MARKER + " (missing)"]
    if not record.get("finished"):
        return [f for f in present if not WORKING_FILES.fullmatch(f)]
    own = set(record.get("files", []))
    return [f for f in present if f not in own]


def check_replaceable(folder: Path, overwrite: bool, what: str = "results") -> bool:
    """Whether the folder holds an earlier result to replace (True) or is new or empty (False).

    Raises InputError for a file in the way, for a folder regionsim did not write (naming a foreign
    file), and for an earlier result without --overwrite.
    """
    if folder.exists() and not folder.is_dir():
        raise InputError(Problem(folder, "the output path is a file, not a folder", hint="choose another --out"))
    if not folder.exists() or not any(folder.iterdir()):
        return False
    foreign = foreign_files(folder)
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise InputError(
            Problem(
                folder,
                f"the folder holds files regionsim did not write there ({shown}); it is never replaced",
                hint="choose a new or empty folder",
            )
        )
    if not overwrite:
        raise InputError(
            Problem(folder, f"the output folder already holds {what}", hint="choose another --out or pass --overwrite")
        )
    return True


def remove_own(folder: Path) -> None:
    """Remove a folder that check_replaceable found to be regionsim's own."""
    if foreign_files(folder):  # checked again right before: something may have been added since
        raise InputError(Problem(folder, "files were added to the folder meanwhile; it is not replaced"))
    shutil.rmtree(folder)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
