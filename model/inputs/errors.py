"""Input errors that name the file, the line and the key, with a hint.

Every problem with a user's files (scenarios, region data) is raised as an
:class:`InputError`. The command line prints its lines and exits with code 2,
without a traceback; the Python API lets it propagate.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem in one input file."""

    file: Path | str
    message: str
    line: int | None = None
    key: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = str(self.file) + (f":{self.line}" if self.line else "")
        key = f" {self.key}:" if self.key else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}:{key} {self.message}{hint}"


class InputError(Exception):
    """One or more problems with input files, reported all at once."""

    def __init__(self, problems: Problem | Sequence[Problem]):
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """A "did you mean ..." hint for a misspelt word, or None."""
    choices = [str(c) for c in choices]
    folded = {_fold(c): c for c in choices}
    if _fold(word) in folded:
        return f"did you mean {folded[_fold(word)]!r}?"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    if not close:
        close = [folded[c] for c in difflib.get_close_matches(_fold(word), folded, n=1, cutoff=cutoff)]
    return f"did you mean {close[0]!r}?" if close else None


def _fold(text: str) -> str:
    """Lower case with Norwegian letters spelt in ASCII, for lenient matching."""
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "-": "_", " ": "_"})
    return text.lower().translate(table)
