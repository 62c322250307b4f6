"""Ctrl-C during a job that keeps what it finished: where that is, and how to go on.

The executors stop their workers at once (model/experiments/executors.py); the
job raises :class:`Interrupted` with its folder and what it kept, and the
command line prints that and how to resume (exit code 130).
"""

from __future__ import annotations

from pathlib import Path


class Interrupted(KeyboardInterrupt):
    """A job stopped by Ctrl-C; `kept` says what finished and stays in `folder` for --resume."""

    def __init__(self, folder: Path, kept: str):
        self.folder = Path(folder)
        self.kept = kept
        super().__init__(f"interrupted: {kept} kept in {folder}")

    def advice(self) -> str:
        """What finished, where, and how to go on."""
        return (
            f"interrupted: {self.kept} kept in {self.folder}; "
            f"to go on, run the same command with --out {self.folder} --resume"
        )
