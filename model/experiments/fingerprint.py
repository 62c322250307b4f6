"""Fingerprints of what a result rests on: the region's data, Norway's data and the model's code.

A resumed comparison, calibration or sensitivity analysis re-uses the replicates
on disk; they are only the same experiment if the data and the code behind them
are unchanged. The fingerprints go into the folder's state file, and --resume
checks them as it checks the scenario.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from model.inputs.region import cached_region

PACKAGE = Path(__file__).resolve().parents[1]


def digest(folders: list[Path], pattern: str = "*") -> str:
    """SHA-256 over the relative names and bytes of every file under the folders (sorted, hidden files left out)."""
    hasher = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
            relative = path.relative_to(folder)
            if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
                continue
            hasher.update(relative.as_posix().encode() + b"\0")
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


def fingerprints(region_folder: str | Path) -> dict[str, str]:
    """Fingerprints of a region's data (its folder and its national folder) and of the model's code."""
    region = cached_region(Path(region_folder))
    return {
        "region_data": digest([region.folder]),
        "national_data": digest([region.national.folder]),
        "model_code": digest([PACKAGE], "*.py"),
    }
