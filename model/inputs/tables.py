"""Reading the data tables of a region: CSV files whose first lines cite a source.

Every table starts with one or more ``#`` lines naming its source; the header
follows. Problems name the file and the line, as for scenarios.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

from model.inputs.errors import InputError, Problem

MAX_PROBLEMS = 20  # located lines shown per table; more are counted


def read_table(
    path: Path,
    columns: Sequence[str],
    numeric: Sequence[str] = (),
    positive: Sequence[str] = (),
    whole: Sequence[str] = (),
    unique: Sequence[str] = (),
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """Read a sourced CSV table and check its columns and numbers (a copy of a cached read).

    A region reads its large tables (persons, commuting) once per snapshot; the
    cache is keyed by the file's path, size and modification time, so an edited
    file is read again. Every problem found is one located line (up to MAX_PROBLEMS).

    Args:
        path: the CSV file.
        columns: columns that must be present.
        numeric: columns that must hold finite, non-negative numbers.
        positive: numeric columns that must be above zero.
        whole: numeric columns of counts: whole numbers (212.9 persons is a mistake, not 212).
        unique: columns whose values together identify a row (a repeated row would be counted twice).
        ranges: numeric columns with their plausible range, inclusive (a minute of 0, a birth rate of 5).

    Returns:
        The table with a ``source_line`` column holding each row's line in the file.
    """
    if not path.is_file():
        raise InputError(Problem(path, "data file not found", hint="check the region's region.yaml"))
    stat = path.stat()
    checks = (tuple(columns), tuple(numeric), tuple(positive), tuple(whole), tuple(unique))
    bounds = tuple(sorted((ranges or {}).items()))
    key = (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns, checks, bounds)
    return _cached_read(*key).copy()


@lru_cache(maxsize=16)
def _cached_read(path: str, size: int, mtime: int, checks: tuple[tuple[str, ...], ...], bounds: tuple) -> pd.DataFrame:
    return _read(Path(path), *checks, dict(bounds))


def comment_lines(path: Path) -> int:
    """How many `#` lines (the source) open a file (a byte-order mark before the first is allowed)."""
    count = 0
    try:
        with path.open(encoding="utf-8-sig") as handle:
            for line in handle:
                if not line.startswith("#"):
                    break
                count += 1
    except UnicodeDecodeError as error:
        raise InputError(
            Problem(path, f"not UTF-8 text ({error.reason} at byte {error.start})", hint="save the file as UTF-8")
        ) from None
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


def _read(
    path: Path,
    columns: Sequence[str],
    numeric: Sequence[str],
    positive: Sequence[str],
    whole: Sequence[str],
    unique: Sequence[str],
    ranges: Mapping[str, tuple[float, float]],
) -> pd.DataFrame:
    comments = comment_lines(path)
    if comments == 0:
        raise InputError(Problem(path, "the first line must cite the source (a line starting with #)", line=1))
    try:
        table = pd.read_csv(path, skiprows=comments, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(Problem(path, f"not UTF-8 text ({error.reason})", hint="save the file as UTF-8")) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputError(Problem(path, f"not a readable CSV table: {error}")) from None
    check_columns(path, table, columns, line=comments + 1)
    table["source_line"] = range(comments + 2, comments + 2 + len(table))
    problems: list[Problem] = []

    def each(bad: pd.Series, column: str, message) -> None:
        for _, row in table[bad].iterrows():
            problems.append(Problem(path, message(row), line=int(row["source_line"]), key=column))

    for column in numeric:
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna() | (values < 0) | ~values.abs().lt(float("inf"))
        each(bad, column, lambda row, c=column: f"{c} must be a non-negative number, not {row[c]!r}")
        table[column] = values.where(~bad, 0.0)
    for column in positive:
        each(table[column] <= 0, column, lambda row, c=column: f"{c} must be above zero")
    for column in whole:
        fraction = table[column] % 1 != 0
        each(fraction, column, lambda row, c=column: f"{c} is a count: a whole number, not {row[c]:g}")
    for column, (low, high) in ranges.items():
        outside = (table[column] < low) | (table[column] > high)
        each(
            outside,
            column,
            lambda row, c=column, lo=low, hi=high: f"{c} {row[c]:g} is outside the plausible {lo:g}-{hi:g}",
        )
    if unique:
        repeated = table.duplicated(list(unique), keep="first")
        first_line = table.groupby(list(unique))["source_line"].transform("min")
        each(
            repeated,
            unique[0],
            lambda row: (
                f"repeats the row of line {first_line[row.name]} ("
                + ", ".join(f"{c} {row[c]}" for c in unique)
                + "): each is counted once"
            ),
        )
    if problems:
        shown = sorted(problems, key=lambda p: p.line or 0)[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(Problem(path, f"... and {len(problems) - MAX_PROBLEMS} more problems in this table"))
        raise InputError(shown)
    return table


def read_numbers(table: pd.DataFrame, path: Path, column: str, rows: pd.Series | slice) -> pd.DataFrame:
    """The selected rows with `column` as finite, non-negative numbers (a table whose other rows hold text)."""
    chosen = table.loc[rows].copy()
    values = pd.to_numeric(chosen[column], errors="coerce")
    bad = values.isna() | (values < 0) | ~values.abs().lt(float("inf"))
    if bad.any():
        raise InputError(
            [
                Problem(
                    path,
                    f"{column} must be a non-negative number, not {row[column]!r}",
                    line=int(row["source_line"]),
                    key=column,
                )
                for _, row in chosen[bad].iterrows()
            ][:MAX_PROBLEMS]
        )
    chosen[column] = values
    return chosen
