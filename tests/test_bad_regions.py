"""The corpus of corrupt data tables in tests/bad_regions/ gives exactly the expected located lines, exit code 2.

Each case edits one file of a copy of Gjøvikregionen (or of its national
folder): rows repeated, ages missing or out of range, counts that are not
whole, impossible times, amenities and rates, another text encoding. Before
these checks every one of them passed `check` and changed the results
silently (a repeated year doubled Gjøvik to 60 638 residents). A case
without expected lines must pass (a byte-order mark is harmless).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from model.cli import app
from tests.conftest import ROOT

CORPUS = Path(__file__).resolve().parent / "bad_regions"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))


def corrupt_copy(tmp_path: Path, case: dict) -> Path:
    """A copy of the region and the national folder with the case's edit; returns a scenario that uses it."""
    region = tmp_path / "regions" / "region"
    shutil.copytree(ROOT / "scenarios" / "regions" / "gjovikregionen", region)
    shutil.copytree(ROOT / "scenarios" / "national", tmp_path / "national")
    spec = region / "region.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("national: norway", "national: ../../national/norway", 1), "utf-8"
    )
    target = tmp_path / case["file"]
    text = target.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if "replace" in case:
        old, new = case["replace"]
        assert old in text, old
        text = text.replace(old, new, 1)
    if "duplicate" in case:
        text = "".join(line + (line if re.match(case["duplicate"], line) else "") for line in lines)
    if "delete" in case:
        text = "".join(line for line in lines if not re.match(case["delete"], line))
    if "substitute" in case:  # a regular expression on every line: [pattern, replacement]
        pattern, replacement = case["substitute"]
        text = "".join(re.sub(pattern, replacement, line) for line in lines)
    if "append" in case:
        text += case["append"] + "\n"
    if case.get("prepend_bom"):
        text = "\ufeff" + text
    target.write_bytes(text.encode(case.get("encode", "utf-8"), errors="replace"))
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\nregion: {region}\n", encoding="utf-8")
    return scenario


@pytest.mark.parametrize("name", sorted(CASES))
def test_corrupt_data_gives_exactly_the_expected_lines(name, tmp_path):
    """Exit 2 and exactly the expected lines, or exit 0 where the file is acceptable."""
    case = CASES[name]
    result = CliRunner().invoke(app, ["check", str(corrupt_copy(tmp_path, case))])
    printed = [line.replace(f"{tmp_path}/", "") for line in result.stderr.splitlines() if line.startswith("error:")]
    if not case["expected"]:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2, result.output
    assert printed == [f"error: {line}" for line in case["expected"]]
    assert "Traceback" not in result.output


def test_text_in_a_number_of_the_employment_fragments_is_a_located_line(tmp_path):
    """'6 232 persons' where a count belongs: one located line when the region is read, no ValueError."""
    from model.inputs.errors import InputError
    from model.inputs.region import load_region

    case = {
        "file": "regions/region/observed/municipal_employment_fragments.csv",
        "replace": ["2011,employed_by_workplace_total,6232,", "2011,employed_by_workplace_total,6 232 persons,"],
    }
    corrupt_copy(tmp_path, case)
    with pytest.raises(InputError) as raised:
        load_region(tmp_path / "regions" / "region")
    assert [str(p) for p in raised.value.problems] == [
        f"{tmp_path}/regions/region/observed/municipal_employment_fragments.csv:8: value: "
        "value must be a non-negative number, not '6 232 persons'"
    ]
