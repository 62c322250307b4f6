"""Reading the data tables of a region: CSV files whose first lines cite a source.

Every table starts with one or more ``#`` lines naming its source; the header
follows. Problems name the file and the line, as for scenarios.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

from model.inputs.errors import InputError, Problem


def read_table(
    path: Path, columns: Sequence[str], numeric: Sequence[str] = (), positive: Sequence[str] = ()
) -> pd.DataFrame:
    """Read a sourced CSV table and check its columns and numbers (a copy of a cached read).

    A region reads its large tables (persons, commuting) once per snapshot; the
    cache is keyed by the file's path, size and modification time, so an edited
    file is read again.

    Args:
        path: the CSV file.
        columns: columns that must be present.
        numeric: columns that must hold finite, non-negative numbers.
        positive: numeric columns that must be above zero.

    Returns:
        The table with a ``source_line`` column holding each row's line in the file.
    """
    if not path.is_file():
        raise InputError(Problem(path, "data file not found", hint="check the region's region.yaml"))
    stat = path.stat()
    key = (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns, tuple(columns), tuple(numeric), tuple(positive))
    return _cached_read(*key).copy()


@lru_cache(maxsize=16)
def _cached_read(
    path: str, size: int, mtime: int, columns: tuple[str, ...], numeric: tuple[str, ...], positive: tuple[str, ...]
) -> pd.DataFrame:
    return _read(Path(path), columns, numeric, positive)


def comment_lines(path: Path) -> int:
    """How many `#` lines (the source) open a file."""
    count = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            count += 1
    return count


def check_columns(path: Path, table: pd.DataFrame, columns: Sequence[str], line: int | None = None) -> None:
    """Refuse a table that lacks any of `columns`, naming the first missing one and the header it has."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(
            Problem(
                path,
                f"missing column(s) {', '.join(missing)}",
                line=line,
                key=missing[0],
                hint=f"the header has {', '.join(map(str, table.columns))}",
            )
        )


def _read(path: Path, columns: Sequence[str], numeric: Sequence[str], positive: Sequence[str]) -> pd.DataFrame:
    comments = comment_lines(path)
    if comments == 0:
        raise InputError(Problem(path, "the first line must cite the source (a line starting with #)", line=1))
    try:
        table = pd.read_csv(path, skiprows=comments, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputError(Problem(path, f"not a readable CSV table: {error}")) from None
    check_columns(path, table, columns, line=comments + 1)
    table["source_line"] = range(comments + 2, comments + 2 + len(table))
    for column in numeric:
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna() | (values < 0) | ~values.abs().lt(float("inf"))
        if bad.any():
            row = table[bad].iloc[0]
            raise InputError(
                Problem(
                    path,
                    f"{column} must be a non-negative number, not {row[column]!r}",
                    line=int(row["source_line"]),
                    key=column,
                )
            )
        table[column] = values
    for column in positive:
        zero = table[table[column] <= 0]
        if not zero.empty:
            row = zero.iloc[0]
            raise InputError(Problem(path, f"{column} must be above zero", line=int(row["source_line"]), key=column))
    return table
