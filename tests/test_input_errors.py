"""Bad scenario and region files give one clear line per problem, exit code 2, and nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from model.cli import app
from model.errors import InputError
from model.scenario import Scenario
from tests.conftest import ROOT

BASELINE = ROOT / "scenarios" / "baseline.yaml"
REGION = ROOT / "scenarios" / "regions" / "gjovikregionen"

# (file content, what the message must contain). The file extends the baseline
# where it needs a complete scenario around the fault.
CASES = {
    "empty": ("", ["file is empty"]),
    "not_a_mapping": ("- just\n- a list\n", ["not a mapping", ":1:"]),
    "syntax": ("name: x\nyears: {start: 2025, end: 2035\n", ["YAML syntax error", ":3:"]),
    "duplicate_key": (
        "name: a\nname: b\nyears: {start: 2025, end: 2035}\n",
        ["duplicate key", ":2:", "first given on line 1"],
    ),
    "python_tag": (
        "name: !!python/object/apply:os.system ['echo hi']\n",
        ["name: the tag !!python/object/apply:os.system is not allowed", ":1:"],
    ),
    "misspelt_top_key": (
        f"extends: {BASELINE}\nreplicate: 3\n",
        ["replicate: unknown key", "did you mean 'replicates'", ":2:"],
    ),
    "misspelt_parameter": (
        f"extends: {BASELINE}\nparameters:\n  commute_time_decay: 0.05\n",
        ["parameters.commute_time_decay: unknown key", "did you mean 'commute_time_decay_per_min'", ":3:"],
    ),
    "unknown_sector": (
        f"extends: {BASELINE}\ncontext:\n  national_job_growth: {{manufactoring: 0.01}}\n",
        ["context.national_job_growth", "unknown sector 'manufactoring'", "did you mean 'manufacturing'"],
    ),
    "probability_out_of_range": (
        f"extends: {BASELINE}\nparameters:\n  job_separation_rate: 1.5\n",
        ["parameters.job_separation_rate", "less than or equal to 1", ":3:"],
    ),
    "nan": (f"extends: {BASELINE}\nparameters:\n  job_separation_rate: .nan\n", ["finite", ":3:"]),
    "unknown_region": (
        f"extends: {BASELINE}\nregion: gjovikregion\n",
        ["unknown region 'gjovikregion'", "did you mean 'gjovikregionen'", ":2:"],
    ),
    "base_year_without_jobs": (f"extends: {BASELINE}\nbase_year: 2005\n", ["base_year", "no jobs or commuting"]),
    "base_year_missing": (f"extends: {BASELINE}\nbase_year: 2010\n", ["no snapshot for 2010", "2005, 2017"]),
    "start_before_base": (
        f"extends: {BASELINE}\nyears: {{start: 2010, end: 2035}}\n",
        ["years.start", "before the base year"],
    ),
    "end_before_start": (
        f"extends: {BASELINE}\nyears: {{start: 2030, end: 2025}}\n",
        ["end (2025) is before start (2030)"],
    ),
    "missing_years": ("name: x\n", ["years: required key is missing"]),
    "missing_extends": ("extends: basline.yaml\nname: x\n", ["extends a missing file 'basline.yaml'"]),
    "negative_immigration": (
        f"extends: {BASELINE}\ncontext:\n  immigration_per_year: -5\n",
        ["context.immigration_per_year", "greater than or equal to 0"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_scenario_gives_located_message(tmp_path, case):
    """Each malformed file raises an InputError naming the file, the line or key, and a hint."""
    content, expected = CASES[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as error:
        Scenario.from_yaml(path)
    message = str(error.value)
    assert str(path) in message
    for fragment in expected:
        assert fragment in message, (fragment, message)


def test_missing_file(tmp_path):
    """A scenario path that does not exist is named, with a hint."""
    with pytest.raises(InputError, match="file not found"):
        Scenario.from_yaml(tmp_path / "nope.yaml")


def test_extends_cycle(tmp_path):
    """Scenarios that extend each other in a circle are refused."""
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nname: a\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nname: b\n", encoding="utf-8")
    with pytest.raises(InputError, match="extends makes a cycle"):
        Scenario.from_yaml(tmp_path / "a.yaml")


def test_alias_bomb_is_refused(tmp_path):
    """Nested aliases that would expand to millions of nodes stop early."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefgh"):
        previous = "abcdefgh"[i]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="too large"):
        Scenario.from_yaml(path)


def broken_region(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """A copy of the region with one file altered, and a scenario that uses it."""
    folder = tmp_path / "regions" / "region"
    shutil.copytree(REGION, folder)
    shutil.copytree(REGION.parent.parent / "national", tmp_path / "national")
    target = folder / file
    target.write_text(target.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(f"extends: {BASELINE}\nregion: {folder}\n", encoding="utf-8")
    return scenario


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "commuting_times.csv",
            "Gjøvik,Oslo,110",
            "Gjovik,Oslo,110",
            ["commuting_times.csv:", "unknown node 'Gjovik'", "did you mean 'Gjøvik'"],
        ),
        (
            "commuting_times.csv",
            "Gjøvik,Oslo,110",
            "Gjøvik,Oslo,-5",
            ["commuting_times.csv:", "minutes must be a non-negative number"],
        ),
        (
            "jobs_by_sector_2017.csv",
            "0529,Vestre Toten,200,2750",
            "0529,Vestre Toten,200,3750",
            ["jobs_by_sector_2017.csv:", "Vestre Toten", "7716 jobs", "6716"],
        ),
        (
            "municipalities.csv",
            "knr,municipality,dwellings_2017",
            "knr,municipality,dwellings",
            ["municipalities.csv:", "missing column(s) dwellings_2017"],
        ),
        (
            "region.yaml",
            "commuting_times: commuting_times.csv",
            "commuting_time: commuting_times.csv",
            ["region.yaml", "unknown key", "did you mean 'commuting_times'"],
        ),
    ],
)
def test_broken_region_file_is_named(tmp_path, file, old, new, expected):
    """A broken region file is named with the line and the problem."""
    scenario = broken_region(tmp_path, file, old, new)
    with pytest.raises(InputError) as error:
        Scenario.from_yaml(scenario)
    for fragment in expected:
        assert fragment in str(error.value), (fragment, str(error.value))


def test_cli_bad_input_exits_2_without_traceback_or_folder(tmp_path):
    """Regionsim run on a bad file: one line per problem on stderr, exit 2, no run folder."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {BASELINE}\nreplicate: 3\nparameters:\n  commute_time_decay: 1\n", encoding="utf-8")
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("error: ") and str(bad) in line for line in lines)
    assert "Traceback" not in result.output + result.stderr
    assert not out.exists()
    assert not any(tmp_path.glob(".run*"))


def test_cli_check_reports_every_file(tmp_path):
    """Regionsim check validates several files and names each bad one."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(BASELINE), str(bad)])
    assert result.exit_code == 2
    assert f"ok: {BASELINE}" in result.stdout
    assert "years: required key is missing" in result.stderr
