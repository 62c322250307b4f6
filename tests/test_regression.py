"""The baseline's tidy tables, cell for cell, against a committed reference.

A refactor that moves code must not change a single number: this test runs
the shipped baseline for its own seed, two replicates, to a near horizon and
compares the whole outcome and commuting tables with files committed before
the move. When a change is *meant* to alter results, regenerate the reference
with ``python -m tests.test_regression`` and say why in the commit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.experiments.runner import simulate
from model.inputs.scenario import Scenario
from tests.conftest import BASELINE, with_horizon

REFERENCE = Path(__file__).resolve().parent / "reference"
HORIZON = 2029
REPLICATES = (0, 1)
TABLES = ("outcomes", "commuting")


def _tables(scenario: Scenario) -> dict[str, pd.DataFrame]:
    """The baseline's outcome and commuting tables over the reference replicates."""
    short = with_horizon(scenario, HORIZON)
    runs = [simulate(short, replicate=replicate) for replicate in REPLICATES]
    return {name: pd.concat([getattr(r, name) for r in runs], ignore_index=True) for name in TABLES}


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / f"baseline_{name}.csv")


def test_baseline_tables_match_the_committed_reference(baseline):
    """Every cell of the baseline's outcome and commuting tables equals the reference exactly."""
    for name, table in _tables(baseline).items():
        # Exact values; dtypes may differ (a whole-number column reads back from CSV as integers).
        pd.testing.assert_frame_equal(table, _read(name), check_exact=True, check_dtype=False, obj=name)


def main() -> None:
    """Write the reference tables from the code as it is now."""
    REFERENCE.mkdir(exist_ok=True)
    for name, table in _tables(Scenario.from_yaml(BASELINE)).items():
        path = REFERENCE / f"baseline_{name}.csv"
        table.to_csv(path, index=False, float_format="%.17g")
        print(f"{path}: {len(table)} rows")


if __name__ == "__main__":
    main()
