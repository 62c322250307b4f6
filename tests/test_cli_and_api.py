"""The run command and the Python API, end to end."""

from __future__ import annotations

import json

import matplotlib.image
import mesa
import pandas as pd
import pytest
from typer.testing import CliRunner

from model import RegionModel, load_scenario, run
from model.cli import app
from model.inputs.sectors import SECTOR_KEYS
from model.simulation.outcomes import VARIABLES
from tests.conftest import BASELINE


@pytest.fixture(scope="module")
def short_scenario(tmp_path_factory):
    """A scenario file that extends the baseline with a three-year horizon."""
    path = tmp_path_factory.mktemp("scenarios") / "short.yaml"
    path.write_text(
        f"extends: {BASELINE}\nname: short\nyears: {{start: 2027, end: 2028}}\nreplicates: 2\n", encoding="utf-8"
    )
    return path


@pytest.fixture(scope="module")
def run_folder(short_scenario, tmp_path_factory):
    """A run folder written by `regionsim run` for the short scenario."""
    out = tmp_path_factory.mktemp("results") / "short-run"
    result = CliRunner().invoke(app, ["run", str(short_scenario), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def test_run_writes_tables_manifest_and_plots(run_folder):
    """The run folder holds the tidy tables, the manifest, two readable figures and its marker listing them."""
    names = {p.name for p in run_folder.iterdir()}
    written = {"outcomes.parquet", "outcomes.csv", "commuting.parquet", "manifest.json", "population.png", "jobs.png"}
    assert names == written | {".regionsim-folder.json"}
    marker = json.loads((run_folder / ".regionsim-folder.json").read_text(encoding="utf-8"))
    assert marker["finished"] and set(marker["files"]) == written and len(marker["id"]) == 32
    for figure in ("population.png", "jobs.png"):
        assert matplotlib.image.imread(run_folder / figure).shape[0] > 500


def test_outcome_table_is_tidy_and_complete(run_folder):
    """Columns, places, years 2026-2028, both replicates, every required variable."""
    table = pd.read_parquet(run_folder / "outcomes.parquet")
    assert list(table.columns) == ["scenario", "replicate", "year", "municipality", "variable", "value"]
    assert set(table["municipality"]) == {
        "Gjøvik",
        "Østre Toten",
        "Vestre Toten",
        "Søndre Land",
        "Nordre Land",
        "Gjøvikregionen",
    }
    assert sorted(table["year"].unique()) == [2026, 2027, 2028]
    assert sorted(table["replicate"].unique()) == [0, 1]
    required = {
        "population",
        "births",
        "deaths",
        "in_migrants",
        "out_migrants",
        "jobs",
        "employed_residents",
        "unemployed",
        "in_commuters",
        "out_commuters",
        "firms",
        "vacancies",
    }
    required |= {f"jobs_{k}" for k in SECTOR_KEYS} | {f"vacancies_{k}" for k in SECTOR_KEYS}
    assert required <= set(table["variable"]) == set(VARIABLES)
    csv = pd.read_csv(run_folder / "outcomes.csv")
    assert len(csv) == len(table)


def test_commuting_table_covers_every_node(run_folder):
    """commuting.parquet: residence x workplace over all nodes, every year."""
    table = pd.read_parquet(run_folder / "commuting.parquet")
    assert list(table.columns) == ["scenario", "replicate", "year", "residence", "workplace", "persons"]
    assert {"Oslo/Bærum region", "Hamar region", "Lillehammer region", "Outside the mainland", "Rest of Norway"} <= set(
        table["workplace"]
    )
    assert sorted(table["year"].unique()) == [2026, 2027, 2028]


def test_manifest_records_what_ran(run_folder):
    """Scenario as resolved, seed, versions, timings."""
    manifest = json.loads((run_folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"]["name"] == "short"
    assert manifest["scenario"]["parameters"]["commute_time_decay_per_min"] == 0.06
    assert manifest["seed"] == 20251
    assert manifest["replicates"] == [0, 1]
    assert manifest["versions"]["mesa"].startswith("3.")
    assert manifest["wall_time_seconds"] > 0
    assert 0.8 < manifest["participation_factor"] < 1.2


def test_existing_folder_is_never_overwritten_without_flag(run_folder, short_scenario):
    """A second run into the same folder is refused (exit 2) unless --overwrite."""
    before = (run_folder / "manifest.json").read_text(encoding="utf-8")
    refused = CliRunner().invoke(app, ["run", str(short_scenario), "--out", str(run_folder), "--quiet"])
    assert refused.exit_code == 2
    assert "--overwrite" in refused.stderr
    assert (run_folder / "manifest.json").read_text(encoding="utf-8") == before
    replaced = CliRunner().invoke(
        app,
        [
            "run",
            str(short_scenario),
            "--out",
            str(run_folder),
            "--quiet",
            "--overwrite",
            "--seed",
            "5",
            "--replicates",
            "1",
        ],
    )
    assert replaced.exit_code == 0, replaced.output
    assert json.loads((run_folder / "manifest.json").read_text(encoding="utf-8"))["seed"] == 5


def test_python_api_returns_the_outcome_table(short_scenario):
    """run(scenario, seed=...) gives one replicate's tidy table as a DataFrame."""
    table = run(load_scenario(short_scenario), seed=3)
    assert isinstance(table, pd.DataFrame)
    assert set(table["replicate"]) == {0}
    assert (
        table.query("year == 2026 and municipality == 'Gjøvikregionen' and variable == 'population'")["value"].item()
        == 72000  # SSB 07459, 1 January 2026
    )


def test_mesa_batch_run_drives_the_model():
    """RegionModel takes flat parameters and a seed, so mesa.batch_run can sweep it."""
    results = mesa.batch_run(
        RegionModel,
        parameters={"commute_time_decay_per_min": [0.04, 0.08], "seed": [1]},
        iterations=1,
        max_steps=2,
        number_processes=1,
        display_progress=False,
    )
    assert len(results) == 2
    assert {r["commute_time_decay_per_min"] for r in results} == {0.04, 0.08}


def test_strategy_run_is_judged_against_the_same_scenario_without_strategies(tmp_path):
    """A run with strategies writes both scenarios, versus_no_strategies.csv, and prints the region's line."""
    overlay = tmp_path / "attract.yaml"
    overlay.write_text(
        f"extends: {BASELINE.parent / 'attract_businesses.yaml'}\nyears: {{start: 2026, end: 2029}}\nreplicates: 3\n",
        encoding="utf-8",
    )
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(overlay), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "against no strategies, 2029 (90 % intervals): net jobs" in result.stdout
    outcomes = pd.read_parquet(out / "outcomes.parquet")
    assert set(outcomes["scenario"]) == {"attract_businesses", "attract_businesses without strategies"}
    versus = pd.read_csv(out / "versus_no_strategies.csv")
    assert len(versus) == 6
    assert (out / "additionality.png").stat().st_size > 10_000  # the waterfall from gross direct to net jobs
    assert {
        "net_jobs",
        "net_jobs_p5",
        "net_jobs_p95",
        "net_population",
        "net_employed_residents",
        "gross_direct_jobs",
        "deadweight_jobs",
        "displaced_jobs",
        "displaced_basic_jobs",
        "indirect_jobs",
        "budget_mnok",
        "mnok_per_net_job",
        "mnok_per_net_job_year",
        "net_in_commuters",
        "in_commuter_share_of_net_jobs",
    } <= set(versus.columns)
    region = versus[versus["municipality"] == "Gjøvikregionen"].iloc[0]
    # The in-commuters' part of net jobs, recomputed from the two runs' outcomes at the horizon.
    final = outcomes[(outcomes["variable"] == "in_commuters") & (outcomes["municipality"] == "Gjøvikregionen")]
    final = final[final["year"] == final["year"].max()].groupby("scenario")["value"].mean()
    net = final["attract_businesses"] - final["attract_businesses without strategies"]
    assert region["net_in_commuters"] == pytest.approx(net, abs=2e-3)
    if region["net_jobs_p5"] > 0:
        assert region["in_commuter_share_of_net_jobs"] == pytest.approx(net / region["net_jobs"], abs=1e-3)
    assert region["budget_mnok"] == 12 * 2  # 2027 and 2028: spending in 2029 acts after its 1 January
    assert region["net_jobs"] == pytest.approx(  # each part is rounded to 0.001 in the table
        region["gross_direct_jobs"] - region["deadweight_jobs"] + region["displaced_jobs"] + region["indirect_jobs"],
        abs=4e-3,
    )
    # Deadweight: the jobs of the ordinary arrivals the programme courted, in the run with it only.
    courted = outcomes[(outcomes["variable"] == "jobs_deadweight") & (outcomes["municipality"] == "Gjøvikregionen")]
    courted = courted[courted["year"] == courted["year"].max()].groupby("scenario")["value"].mean()
    assert courted["attract_businesses without strategies"] == 0
    assert region["deadweight_jobs"] == pytest.approx(courted["attract_businesses"], abs=2e-3)
    # Joint cooperation: the regional budget is the region's, not the municipalities'.
    assert (versus[versus["municipality"] != "Gjøvikregionen"]["budget_mnok"] == 0).all()


@pytest.mark.parametrize(
    "option", [["--replicates", "1000000"], ["--seed", "99999999999999999999999"], ["--replicates", "0"]]
)
@pytest.mark.parametrize("command", ["run", "compare"])
def test_the_command_line_keeps_the_scenarios_limits(command, option, tmp_path):
    """--replicates beyond the scenario's 10 000, or a seed beyond 2**63 - 1, stops before anything runs (exit 2)."""
    result = CliRunner().invoke(app, [command, str(BASELINE), "--out", str(tmp_path / "x"), *option])
    assert result.exit_code == 2 and "Invalid value for" in result.output, result.output
    assert not (tmp_path / "x").exists()
