"""Regions from municipality codes: the national data set, `region create`, its bad input, its snapshots.

Expected numbers are recomputed here from the national data set with plain
pandas, never read back from the builder.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.inputs.errors import InputError
from model.inputs.municipal.create import create_region
from model.inputs.municipal.dataset import DEFAULT_FOLDER, load_municipal_data
from model.inputs.municipal.travel import fit_rule
from model.inputs.region import load_region
from model.inputs.scenario import Scenario, Years
from model.simulation.region_model import RegionModel

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "scenarios" / "regions" / "gjovikregionen"
SEXES = ("female", "male")


def regionsim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the command line in a fresh process."""
    return subprocess.run([sys.executable, "-m", "model.cli", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def data():
    """The national municipal data set, loaded once."""
    return load_municipal_data()


def observed_persons(year: int, codes: list[str]) -> np.ndarray:
    """Persons by municipality, sex and age straight from the national parquet file."""
    table = pd.read_parquet(DEFAULT_FOLDER / "population_age_sex.parquet")
    table = table[(table["year"] == year) & table["municipality_code"].isin(codes)]
    grid = table.pivot_table(index=["municipality_code", "sex"], columns="age", values="population", aggfunc="sum")
    grid = grid.reindex(pd.MultiIndex.from_product([codes, SEXES]), fill_value=0)
    return grid.to_numpy().reshape(len(codes), 2, -1)


# --- the national data set ---------------------------------------------------------------------


def test_the_data_set_holds_346_municipalities_and_its_identities(data):
    """The data set holds 346 municipalities and its identities."""
    assert len(data.municipalities) == 346
    assert data.population_years == list(range(2005, 2027))
    assert data.employment_years == list(range(2017, 2023))
    assert data.municipalities["baregion_code"].nunique() == 156


def _copy_data(tmp_path: Path) -> Path:
    """Copy data."""
    folder = tmp_path / "data"
    shutil.copytree(DEFAULT_FOLDER, folder)
    for path in folder.iterdir():
        path.chmod(0o644)
    return folder


def test_jobs_that_disagree_with_the_commuting_columns_fail_naming_file_and_column(tmp_path):
    """Jobs that disagree with the commuting columns fail naming file and column."""
    folder = _copy_data(tmp_path)
    path = folder / "employment.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[1].split(",")
    column = header.index("jobs_by_workplace_15_74")
    row = next(i for i, line in enumerate(lines) if line.startswith("2020,3407,"))
    cells = lines[row].split(",")
    cells[column] = str(int(cells[column]) + 7)
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_municipal_data(folder)
    message = str(raised.value)
    assert "employment.csv" in message and "jobs_by_workplace_15_74" in message and "3407 in 2020" in message
    assert len(message.splitlines()) == 1


def test_a_count_that_is_text_or_a_missing_row_fails(tmp_path):
    """Text where a count belongs, or a municipality's row missing in a year, is named, never read as missing."""
    folder = _copy_data(tmp_path)
    path = folder / "employment.csv"
    text = path.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("2020,3407,"))
    path.write_text(text.replace(row, row.replace(",", ",abc", 3).replace(",abc", ",", 2), 1), encoding="utf-8")
    with pytest.raises(InputError, match="employment.csv: population_15_74: must hold non-negative numbers, not 'abc"):
        load_municipal_data(folder)
    path.write_text(text.replace(row + "\n", ""), encoding="utf-8")
    with pytest.raises(InputError, match="employment.csv: municipality_code: no row for 3407 in 2020"):
        load_municipal_data(folder)


def test_municipalities_above_the_nation_fail(tmp_path):
    """Municipalities above the nation fail."""
    folder = _copy_data(tmp_path)
    path = folder / "population_age_sex.parquet"
    table = pd.read_parquet(path)
    table.loc[table.index[0], "population"] += 10**6
    table.to_parquet(path)
    with pytest.raises(InputError, match="population_age_sex.parquet: population: the municipalities hold"):
        load_municipal_data(folder)


def test_a_missing_file_or_column_is_named(tmp_path):
    """A missing file or column is named."""
    folder = _copy_data(tmp_path)
    (folder / "commuting_od.parquet").unlink()
    with pytest.raises(InputError, match="commuting_od.parquet: file missing"):
        load_municipal_data(folder)
    folder = _copy_data(tmp_path / "b")
    path = folder / "municipalities.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("label_lat", "lat_label"), encoding="utf-8")
    with pytest.raises(InputError, match="municipalities.csv: label_lat: missing column"):
        load_municipal_data(folder)


def test_the_travel_time_rule_is_the_fit_to_the_ba_times(data):
    """The travel time rule is the fit to the ba times."""
    from model.inputs.municipal import travel

    fit = fit_rule(data.municipalities)
    assert fit["members"] == 175
    assert fit["access_minutes"] == pytest.approx(travel.ACCESS_MINUTES, abs=0.01)
    assert fit["minutes_per_km"] == pytest.approx(travel.MINUTES_PER_KM, abs=1e-4)
    assert fit["internal_minutes"] == pytest.approx(travel.INTERNAL_MINUTES, abs=0.01)
    assert fit["mean_absolute_error"] < 10


# --- the command and its bad input -------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--municipalities", "3407", "3407"], "3407 Gjøvik is listed twice"),
        (["--municipalities", "Gjövik"], "did you mean 'Gjøvik'?"),
        (["--municipalities", "Herøy"], "'Herøy' matches 2 municipalities: Herøy 1515"),
        (["--municipalities", "Aurdal"], "matches 2 municipalities"),
        (["--municipalities", "Kongsvinger"], "municipality 'Kongsvinger' (3401) is not in the data set"),
        (["--ba-region", "018", "Gjøvik"], "BA region 018 Gjøvik is given twice"),
        (["--municipalities", "12345"], "is not a municipality code"),
        (["--municipalities", "9999"], "municipality 9999 is not in the data set"),
        (["--ba-region", "Gjovick"], "did you mean 'Gjøvik'?"),
        (["--ba-region", "999"], "BA region 999 is not in the data set"),
        (["--ba-region", "Gjøvik", "--last-year", "2030"], "--last-year 2030 is outside the data"),
        (["--ba-region", "Gjøvik", "--data", "no/such/folder"], "municipal data folder not found"),
        ([], "no municipalities given"),
    ],
)
def test_bad_choices_get_one_line_and_exit_code_2_and_write_nothing(tmp_path, args, expected):
    """Bad choices get one line and exit code 2 and write nothing."""
    result = regionsim("region", "create", "somewhere", *args, "--out", str(tmp_path))
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_needs_overwrite_and_a_foreign_one_is_never_replaced(tmp_path):
    """An existing folder needs overwrite and a foreign one is never replaced."""
    first = regionsim("region", "create", "rost", "--ba-region", "Røst", "--out", str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert "regionsim compare" in first.stdout
    again = regionsim("region", "create", "rost", "--ba-region", "Røst", "--out", str(tmp_path))
    assert again.returncode == 2 and "exists already" in again.stderr and "--overwrite" in again.stderr
    (tmp_path / "regions" / "rost" / "notes.txt").write_text("mine", encoding="utf-8")
    foreign = regionsim("region", "create", "rost", "--ba-region", "Røst", "--out", str(tmp_path), "--overwrite")
    assert foreign.returncode == 2 and "is not a folder this command built" in foreign.stderr
    assert (tmp_path / "regions" / "rost" / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("name", ["gjovik\n", "..", "a" * 61, "Gjovik"])
def test_a_name_that_is_no_plain_folder_name_is_refused(tmp_path, name):
    """NAME becomes a folder: a newline, dots, upper case or more than 60 characters are refused."""
    result = regionsim("region", "create", name, "--ba-region", "Røst", "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "is not a usable region name" in result.stderr
    assert not (tmp_path / "o").exists()


def test_out_naming_a_file_is_refused(tmp_path):
    """--out must be a folder."""
    (tmp_path / "file").write_text("mine", encoding="utf-8")
    result = regionsim("region", "create", "rost", "--ba-region", "Røst", "--out", str(tmp_path / "file"))
    assert result.returncode == 2 and "--out: is not a folder" in result.stderr
    assert (tmp_path / "file").read_text(encoding="utf-8") == "mine"


def test_region_list_shows_ba_regions_with_their_municipalities():
    """Region list shows ba regions with their municipalities."""
    result = regionsim("region", "list")
    assert result.returncode == 0, result.stderr
    assert "Gjøvik" in result.stdout and "Vestre Toten" in result.stdout and "018" in result.stdout


# --- what a built region holds ------------------------------------------------------------------


@pytest.fixture(scope="module")
def kongsberg(tmp_path_factory):
    """Kongsberg."""
    out = tmp_path_factory.mktemp("kongsberg")
    result = regionsim("region", "create", "kongsberg", "--ba-region", "Kongsberg", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_the_printed_command_gives_a_run_folder_with_figures_and_a_report(tmp_path):
    """`region create` prints the command that runs the baseline; it writes the figures and report.html."""
    created = regionsim("region", "create", "kongsberg", "--ba-region", "Kongsberg", "--out", str(tmp_path))
    assert created.returncode == 0, created.stderr
    command = next(line for line in created.stdout.splitlines() if "regionsim compare" in line)
    words = command.split("regionsim ", 1)[1].split()
    words[words.index("--out") + 1] = str(tmp_path / "run")
    result = regionsim(*words, "--replicates", "2", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    assert "Kongsbergregionen" in report
    assert "Estimate: the base year" in report and "jobs by sector (SSB has no table" in report  # sector figures say so
    assert (tmp_path / "run" / "figures" / "population.png").is_file()
    assert (tmp_path / "run" / "figures" / "jobs.png").is_file()


def test_a_new_region_runs_from_its_printed_command_with_the_observed_residents(kongsberg):
    """A new region runs from its printed command with the observed residents."""
    scenario = Scenario.from_yaml(kongsberg / "kongsberg_baseline.yaml")
    region = load_region(Path(scenario.region_folder))
    assert scenario.base_year == 2026 and region.numbers == ["3303", "3334", "3336"]
    assert np.array_equal(region.snapshot(2026).persons, observed_persons(2026, region.numbers))
    model = RegionModel(scenario.model_copy(update={"years": Years(start=2026, end=2027)}), replicate=0)
    population = np.bincount(model.persons.home, minlength=3)
    assert np.array_equal(population, observed_persons(2026, region.numbers).sum(axis=(1, 2)))
    model.run()
    assert model.persons.home.size > 0


def test_the_snapshot_of_1_january_2018_holds_the_4th_quarter_of_2017():
    """The snapshot of 1 january 2018 holds the 4th quarter of 2017."""
    region = load_region(SHIPPED)
    employment = pd.read_csv(DEFAULT_FOLDER / "employment.csv", comment="#", dtype={"municipality_code": str})
    q4 = employment[employment["year"] == 2017].set_index("municipality_code")
    snapshot = region.snapshot(2018)
    jobs = snapshot.commuting[:, : region.n_municipalities].sum(axis=0)
    assert jobs.tolist() == q4.loc[region.numbers, "jobs_by_workplace_15_74"].tolist()
    employed = snapshot.commuting[: region.n_municipalities].sum(axis=1)
    assert employed.tolist() == q4.loc[region.numbers, "employed_residents_15_74"].tolist()
    assert np.array_equal(snapshot.persons, observed_persons(2018, region.numbers))
    assert not snapshot.derived and region.snapshot(2026).derived and region.snapshot(2017).derived


def test_gjovikregionen_starts_on_1_january_2026_with_exactly_the_observed_residents(baseline):
    """Gjovikregionen starts on 1 january 2026 with exactly the observed residents."""
    region = load_region(SHIPPED)
    assert baseline.base_year == 2026 and region.latest_snapshot == 2026
    assert np.array_equal(region.snapshot(2026).persons, observed_persons(2026, region.numbers))


def test_the_shipped_gjovikregionen_is_the_national_data_plus_its_local_files(tmp_path):
    """The shipped gjovikregionen is the national data plus its local files."""
    stamp = json.loads((SHIPPED / "build.json").read_text(encoding="utf-8"))
    create_region(
        "gjovikregionen",
        tmp_path,
        ba_regions=["Gjøvik"],
        local=ROOT / "scenarios" / "local" / "gjovikregionen",
        scenario=False,
        command=stamp["command"],
    )
    rebuilt = tmp_path / "regions" / "gjovikregionen"
    for name in [*stamp["files"], "build.json"]:
        assert (rebuilt / name).read_bytes() == (SHIPPED / name).read_bytes(), name


def test_a_cut_before_the_first_employment_year_is_flagged_look_ahead(tmp_path):
    """A cut before the first employment year is flagged look ahead."""
    result = regionsim("region", "create", "rost", "--ba-region", "Røst", "--last-year", "2015", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "look-ahead" in result.stdout
    region = load_region(tmp_path / "regions" / "rost")
    assert region.look_ahead and region.latest_snapshot == 2015
    assert max(region.observed_population()) == 2015
    assert region.snapshot(2015).look_ahead and region.snapshot(2015).has_jobs


def test_a_cut_in_2021_keeps_employment_to_the_4th_quarter_of_2020(tmp_path):
    """A cut in 2021 keeps employment to the 4th quarter of 2020."""
    create_region("rost", tmp_path, ba_regions=["Røst"], last_year=2021)
    region = load_region(tmp_path / "regions" / "rost")
    employment = pd.read_csv(tmp_path / "regions" / "rost" / "employment.csv", comment="#")
    assert employment["year"].max() == 2020 and not region.look_ahead
    assert not region.snapshot(2021).derived and region.snapshot(2021).has_jobs


def test_the_map_holds_the_region_and_its_neighbours():
    """The map holds the region and its neighbours."""
    shapes = json.loads((SHIPPED / "map.geojson").read_text(encoding="utf-8"))
    inside = {f["properties"]["municipality_code"] for f in shapes["features"] if f["properties"]["in_region"]}
    around = {f["properties"]["municipality_code"] for f in shapes["features"] if not f["properties"]["in_region"]}
    assert inside == {"3407", "3442", "3443", "3447", "3448"}
    assert {"3405", "3411", "3446"} <= around  # Lillehammer, Ringsaker and Gran border the region
    assert "N5000" in shapes["attribution"]


def test_jobs_by_sector_sum_exactly_to_the_observed_jobs(kongsberg):
    """Jobs by sector sum exactly to the observed jobs."""
    folder = kongsberg / "regions" / "kongsberg"
    split = pd.read_csv(folder / "jobs_by_sector.csv", comment="#", dtype={"knr": str})
    assert "ESTIMATE" in (folder / "jobs_by_sector.csv").read_text(encoding="utf-8").splitlines()[0]
    employment = pd.read_csv(folder / "employment.csv", comment="#", dtype={"knr": str})
    merged = split.merge(employment, on=["year", "knr"])
    sectors = split.columns[3:]
    assert (merged[sectors].sum(axis=1) == merged["jobs_by_workplace_15_74"]).all()
