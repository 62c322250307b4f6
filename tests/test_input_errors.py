"""Bad region files and command-line input give one clear line per problem, exit code 2, nothing written.

Malformed scenarios have their own corpus: tests/bad_scenarios/ (test_bad_scenarios.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from model.cli import app
from model.inputs.errors import InputError
from model.inputs.scenario import Scenario
from tests.conftest import ROOT

BASELINE = ROOT / "scenarios" / "baseline.yaml"
REGION = ROOT / "scenarios" / "regions" / "gjovikregionen"


def test_missing_file(tmp_path):
    """A scenario path that does not exist is named, with a hint."""
    with pytest.raises(InputError, match="file not found"):
        Scenario.from_yaml(tmp_path / "nope.yaml")


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
            "Gjøvik,Oslo/Bærum region,110",
            "Gjovik,Oslo/Bærum region,110",
            ["commuting_times.csv:", "unknown node 'Gjovik'", "did you mean 'Gjøvik'"],
        ),
        (
            "commuting_times.csv",
            "Gjøvik,Oslo/Bærum region,110",
            "Gjøvik,Oslo/Bærum region,-5",
            ["commuting_times.csv:", "minutes must be a non-negative number"],
        ),
        (
            "jobs_by_sector.csv",
            "2022,3443,Vestre Toten,202,2777",
            "2022,3443,Vestre Toten,202,3777",
            ["jobs_by_sector.csv:", "Vestre Toten", "7781 jobs", "6781"],
        ),
        (
            "municipalities.csv",
            "knr,municipality,dwellings,",
            "knr,municipality,homes,",
            ["municipalities.csv:", "missing column(s) dwellings"],
        ),
        (
            "region.yaml",
            "commuting_times: commuting_times.csv",
            "commuting_time: commuting_times.csv",
            ["region.yaml", "unknown key", "did you mean 'commuting_times'"],
        ),
        (
            "region.yaml",
            'members: ["3405", "3440", "3441"]',
            'members: ["0501", "3440", "3441"]',
            ["region.yaml", "outside_nodes", "members 0501 have no persons"],
        ),
        (
            "region.yaml",
            'members: ["3403", "3411"',
            'members: ["3407", "3411"',
            ["region.yaml", "outside_nodes", "members 3407 are municipalities of the region itself"],
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


def test_a_damaged_population_file_of_the_outside_nodes_is_named(tmp_path):
    """The neighbours' persons come from the national municipal data set: a file that is not a table is refused."""
    scenario = broken_region(tmp_path, "region.yaml", "national: norway", "national: ../../national/norway")
    (tmp_path / "national" / "norway" / "municipal" / "population_age_sex.parquet").write_text("not a table")
    with pytest.raises(InputError, match="population_age_sex.parquet: cannot read it as a parquet table"):
        Scenario.from_yaml(scenario)


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


def _check(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check", str(path)])
    return result.exit_code, result.output


def test_extends_that_cannot_be_followed_is_one_located_line(tmp_path, monkeypatch):
    """A symlink loop, a non-YAML file, an unreadable file, a pipe, a chain 900 files deep: exit 2, no traceback."""
    import os

    (tmp_path / "loop1.yaml").symlink_to(tmp_path / "loop2.yaml")
    (tmp_path / "loop2.yaml").symlink_to(tmp_path / "loop1.yaml")
    cases = {
        "loop.yaml": ("extends: loop1.yaml\n", "Symlink loop"),
        "shadow.yaml": ("extends: /etc/passwd\n", "extends must name a .yaml scenario file"),
        "device.yaml": ("extends: /proc/self/mem\n", "extends must name a .yaml scenario file"),
        "pipe.yaml": ("extends: pipe-parent.yaml\n", "not a regular file"),
    }
    os.mkfifo(tmp_path / "pipe-parent.yaml")
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        code, output = _check(tmp_path / name)
        assert code == 2 and message in output and "Traceback" not in output, (name, output)
    assert "root:" not in _check(tmp_path / "shadow.yaml")[1]  # the file's lines are never echoed
    (tmp_path / "n0.yaml").write_text(f"extends: {BASELINE}\n", encoding="utf-8")
    for i in range(1, 900):
        (tmp_path / f"n{i}.yaml").write_text(f"extends: n{i - 1}.yaml\n", encoding="utf-8")
    code, output = _check(tmp_path / "n899.yaml")
    assert code == 2 and "extends goes deeper than 32 files" in output
    (tmp_path / "secret.yaml").write_text("name: x\n", encoding="utf-8")
    (tmp_path / "private.yaml").write_text("extends: secret.yaml\n", encoding="utf-8")
    real = Path.read_text

    def refuse(self, *args, **kwargs):
        if self.name == "secret.yaml":
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refuse)
    code, output = _check(tmp_path / "private.yaml")
    assert code == 2 and "cannot read it (Permission denied)" in output


def test_an_overlay_that_replaces_the_strategies_says_what_it_drops(tmp_path):
    """A list is replaced, not merged: `check` names each dropped strategy and prints the resolved list."""
    parent = ROOT / "scenarios" / "byregion_strategy.yaml"
    overlay = tmp_path / "one.yaml"
    overlay.write_text(
        f"extends: {parent}\nname: one\nlevers:\n  strategies:\n"
        "    - {type: growth_culture, startup_rate_multiplier: 1.08, budget_mnok_per_year: 3, from: 2027}\n",
        encoding="utf-8",
    )
    scenario = Scenario.from_yaml(overlay)
    parent_strategies = Scenario.from_yaml(parent).levers.strategies
    assert len(scenario.levers.strategies) == 1 and len(parent_strategies) == 6
    [note] = [w for w in scenario.warnings if "replaces the parent's list" in w]
    assert note.startswith(f"{overlay}:4: ") and "5 dropped" in note
    for kind in ("attract_businesses manufacturing", "commercialise_rnd campus", "business_services"):
        assert kind in note
    assert "byregion_strategy.yaml:13" in note  # each dropped strategy at its line in the parent
    result = CliRunner().invoke(app, ["check", str(overlay)])
    assert result.exit_code == 0
    assert "strategies (joint): 1\n  - growth_culture -> regional 3 MNOK/yr 2027-horizon" in result.stdout
    assert "5 dropped" in result.stderr
    # Keeping the parent's list (or extending without `strategies`) gives no note.
    keep = tmp_path / "keep.yaml"
    keep.write_text(f"extends: {parent}\nname: keep\nlevers:\n  cooperation: fragmented\n", encoding="utf-8")
    assert not any("replaces" in w for w in Scenario.from_yaml(keep).warnings)


def test_an_employment_rate_the_participation_table_cannot_reach_is_a_message():
    """The backstop behind the data check: no root-finder error, a named problem with a hint."""
    import numpy as np

    from model.simulation.labour_supply import scaled_participation

    table, population = np.full((2, 106), 0.7), np.full((2, 106), 1000.0)
    assert scaled_participation(table, population, 0.68, 0.03)[1] > 0
    with pytest.raises(InputError, match="employment rate of 0.010 is out of reach"):
        scaled_participation(table, population, 0.01, 0.03)


def test_a_region_s_own_national_folder_is_never_shadowed_by_the_shipped_one(tmp_path):
    """`national: ../national/norway` is the region's copy, even though scenarios/national/../national/norway exists."""
    region = tmp_path / "gj"
    shutil.copytree(REGION, region)
    shutil.copytree(REGION.parent.parent / "national", tmp_path / "national")
    spec = region / "region.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("national: norway", "national: ../national/norway", 1))
    (tmp_path / "national" / "norway" / "fertility_rates_2008_2017.csv").write_text("garbage\n", encoding="utf-8")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(f"extends: {BASELINE}\nregion: {region}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(scenario)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'national' / 'norway' / 'fertility_rates_2008_2017.csv'}:1:" in result.output


def test_a_strategy_listed_again_with_other_numbers_is_changed_not_dropped(tmp_path):
    """Same type, sector or source and target: the overlay changes it; only the others are named as dropped."""
    parent = ROOT / "scenarios" / "byregion_strategy.yaml"
    overlay = tmp_path / "more.yaml"
    overlay.write_text(
        f"extends: {parent}\nname: more\nlevers:\n  strategies:\n"
        "    - {type: growth_culture, startup_rate_multiplier: 1.08, from: 2027, budget_mnok_per_year: 5}\n",
        encoding="utf-8",
    )
    [note] = [w for w in Scenario.from_yaml(overlay).warnings if "replaces the parent's list" in w]
    assert "5 dropped" in note and "growth_culture" not in note
