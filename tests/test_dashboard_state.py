"""The dashboard's scenario logic: controls from the schema, the edited scenario, its validation and saving."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from model.cli import app
from model.dashboard import controls, library, state
from model.inputs.errors import InputError
from model.inputs.region import cached_region
from model.inputs.scenario import Scenario
from model.inputs.strategies import BASIC_KEYS, STRATEGY_CLASSES, STRATEGY_TYPES
from model.report.odd import allowed
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A copy of the scenario library (saving must not touch the project's own)."""
    target = tmp_path_factory.mktemp("scenarios")
    for path in (ROOT / "scenarios").glob("*.yaml"):
        shutil.copy(path, target / path.name)
    shutil.copytree(ROOT / "scenarios" / "calibration", target / "calibration")
    return target


@pytest.fixture(scope="module")
def shelf(folder) -> library.Library:
    """The library of the copied folder."""
    return library.load_library(folder)


@pytest.fixture()
def edited(shelf) -> state.Draft:
    """The baseline with the library's attract_businesses strategy, a short window and two replicates."""
    draft = state.draft_from(shelf.baseline, state.BASELINE_FILE)
    draft = state.add_strategy(draft, controls.new_strategy("attract_businesses", library.examples(shelf)))
    return replace(draft, replicates=2, start=2027, end=2029)


def test_every_strategy_field_gets_a_control_with_the_schemas_documentation(shelf):
    """Controls come from the schema: every field but `type`, with its docstring, bounds and choices."""
    region = cached_region(Path(shelf.baseline.region_folder))
    examples = library.examples(shelf)
    for kind, cls in zip(STRATEGY_TYPES, STRATEGY_CLASSES, strict=True):
        made = {c.key: c for c in controls.strategy_controls(kind, region, examples.get(kind))}
        fields = {f.alias or n: f for n, f in cls.model_fields.items() if n != "type"}
        assert set(made) == set(fields), kind
        for key, field in fields.items():
            assert made[key].help == " ".join(field.description.split())
            assert made[key].allowed == allowed(field)
    restructure = {
        c.key: c for c in controls.strategy_controls("restructure_industry", region, examples["restructure_industry"])
    }
    assert restructure["sector"].choices == BASIC_KEYS  # the schema's own validator filters the sectors
    rnd = {c.key: c for c in controls.strategy_controls("commercialise_rnd", region, examples["commercialise_rnd"])}
    assert rnd["source"].choices == ("campus", "industrial_research")
    assert rnd["lag_years"].integer and rnd["lag_years"].kind == "number"
    assert controls.cooperation_control().choices == ("joint", "fragmented")
    assert [c.key for c in controls.run_controls()] == ["replicates", "years.start", "years.end"]


def test_a_new_strategy_of_every_type_is_valid_before_anyone_edits_it(shelf, folder):
    """New strategies start from the library's example of their type, so the draft validates."""
    examples = library.examples(shelf)
    draft = replace(state.draft_from(shelf.baseline, state.BASELINE_FILE), start=2027, end=2029)
    for kind in STRATEGY_TYPES:
        draft = state.add_strategy(draft, controls.new_strategy(kind, examples))
    checked = state.check(draft, folder)
    assert checked.ok, checked.problems
    assert [s.type for s in checked.scenario.levers.strategies] == list(STRATEGY_TYPES)


def test_typed_text_is_read_as_yaml_would_read_it():
    """Numbers become numbers, the rest stays text for the schema to judge; empty means not given."""
    assert state.parse("5") == 5
    assert state.parse(" 0.3 ") == 0.3
    assert state.parse("1e3") == 1000.0
    assert state.parse("abc") == "abc"
    assert state.parse("") is None
    assert state.parse("inf") == "inf"
    assert state.parse("[1, 2]") == "[1, 2]"
    assert state.shown(25.0) == "25" and state.shown(None) == ""


def test_an_invalid_lever_gets_the_schemas_message_at_its_key(edited, folder):
    """Out of range and text in a number field: the messages `regionsim check` gives, located by key."""
    draft = state.set_strategy_value(edited, 0, "firms_per_year", 5000)
    draft = state.set_strategy_value(draft, 0, "mean_jobs_per_firm", "many")
    checked = state.check(draft, folder)
    assert not checked.ok
    assert checked.at("levers.strategies[0].firms_per_year") == "must be at most 1000 (got 5000)"
    assert "must be a number, not the text 'many'" in checked.at("levers.strategies[0].mean_jobs_per_firm")
    assert state.check(replace(edited, end=2025), folder).at("years") == "end (2025) is before start (2027)"
    window = state.check(replace(edited, start=2025), folder)
    assert "before the base year 2026" in window.at("years.start")


def test_the_run_plan_pairs_the_draft_with_the_baseline_on_common_seeds(edited, folder, shelf):
    """The baseline runs with the draft's window and replicates; both take the baseline's seed."""
    planned = state.plan(replace(edited, name="five_firms"), folder, shelf.scenarios)
    assert [s.name for s in planned] == ["baseline", "five_firms"]
    assert {(s.years.start, s.years.end, s.replicates, s.seed) for s in planned} == {(2027, 2029, 2, 20251)}
    assert planned[1].levers.strategies and not planned[0].levers.strategies
    refused = state.plan(replace(edited, name="baseline"), folder, shelf.scenarios)
    assert refused == {"name": ["'baseline' is taken by the baseline; choose another name"]}
    full = replace(edited, start=2034, end=2035)
    compared = state.plan(full, folder, shelf.scenarios, ("housing.yaml", "infrastructure.yaml"))
    assert [s.name for s in compared] == ["baseline", "housing", "infrastructure"]
    # A saved scenario whose strategy starts after the session's horizon is refused, not silently run.
    assert "infrastructure.yaml: " in str(
        state.plan(replace(edited, end=2029), folder, shelf.scenarios, ("infrastructure.yaml",))
    )


def test_saved_overlay_passes_regionsim_check_and_keeps_the_levers(edited, folder):
    """The saved file extends its base, validates with `regionsim check`, and resolves to the draft."""
    draft = state.set_strategy_value(replace(edited, cooperation="joint"), 0, "firms_per_year", 5)
    path = library.save(draft, folder, "five_firms")
    assert path == folder / "five_firms.yaml"
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    saved = Scenario.from_yaml(path)
    assert saved.name == "five_firms" and saved.levers.cooperation == "joint"
    assert saved.levers.strategies[0].firms_per_year == 5
    assert "extends: baseline.yaml" in path.read_text(encoding="utf-8")
    assert not list(folder.glob(".*"))  # no temporary file left behind


def test_an_existing_file_is_replaced_only_when_confirmed(edited, folder):
    """Saving over a file asks first (FileExistsError); the file changes only with overwrite."""
    library.save(edited, folder, "asked_first")
    before = (folder / "asked_first.yaml").read_text(encoding="utf-8")
    changed = state.set_strategy_value(edited, 0, "firms_per_year", 7)
    with pytest.raises(FileExistsError):
        library.save(changed, folder, "asked_first")
    assert (folder / "asked_first.yaml").read_text(encoding="utf-8") == before
    library.save(changed, folder, "asked_first", overwrite=True)
    assert Scenario.from_yaml(folder / "asked_first.yaml").levers.strategies[0].firms_per_year == 7


@pytest.mark.parametrize(
    "name", ["../escaped", "/tmp/escaped", "sub/escaped", "..", ".hidden", "escaped.yaml", "", "a b", "x" * 65]
)
def test_names_that_could_leave_the_scenarios_folder_are_refused(edited, folder, tmp_path, name):
    """Only plain words become file names: nothing is written outside (or hidden inside) the folder."""
    before = set(folder.parent.rglob("*"))
    with pytest.raises(InputError) as raised:
        library.save(edited, folder, name)
    assert raised.value.problems[0].key == "name"
    assert str(raised.value).startswith(f"{folder}: name: ")  # the folder, then the key: never "name: name:"
    assert set(folder.parent.rglob("*")) == before


def test_a_symlink_or_an_extended_file_is_never_overwritten(edited, folder, tmp_path, shelf):
    """A link out of the folder is refused; so is saving over a file the draft extends (it would extend itself)."""
    outside = tmp_path / "outside.yaml"
    outside.write_text("kept\n", encoding="utf-8")
    (folder / "linked.yaml").symlink_to(outside)
    with pytest.raises(InputError):
        library.save(edited, folder, "linked", overwrite=True)
    assert outside.read_text(encoding="utf-8") == "kept\n"
    based = state.draft_from(shelf.scenarios["attract_businesses.yaml"], "attract_businesses.yaml", run=edited)
    with pytest.raises(InputError, match="extend itself"):
        library.save(based, folder, "baseline", overwrite=True)
    (folder / "linked.yaml").unlink()


def test_the_library_lists_comparable_scenarios_and_says_why_others_are_not(shelf):
    """The hindcast starts in 2005 and cannot run against the 2026 baseline."""
    assert next(iter(shelf.scenarios)) == "baseline.yaml"
    assert "attract_businesses.yaml" in shelf.scenarios
    assert "hindcast_2005_2017.yaml" in shelf.skipped


def test_a_saved_scenario_never_carries_its_bases_description_unasked(edited, folder):
    """Without a description of its own, the file says it was edited from its base; with one, it keeps it."""
    plain = Scenario.from_yaml(library.save(edited, folder, "no_words"))
    assert plain.description == "Edited in the workshop dashboard from baseline.yaml."
    worded = Scenario.from_yaml(library.save(replace(edited, description="Five firms a year"), folder, "words"))
    assert worded.description == "Five firms a year"


def test_the_room_is_told_addresses_it_can_reach():
    """Bound to every address, the server names the machine's non-loopback IPv4 addresses before its name."""
    from model.dashboard.server import _reachable_hosts

    hosts = _reachable_hosts()
    assert hosts[-1] and not any(host.startswith("127.") for host in hosts)


def test_axis_numbers_are_whole_and_never_minus_zero():
    """Persons and jobs on the figures' axes: '30 000', '0' (not '-0'), no fractions."""
    from model.report.figures import thousands

    assert [thousands(v) for v in (30_000.0, -0.4, -0.0, 1.6)] == ["30\u2009000", "0", "0", "2"]
