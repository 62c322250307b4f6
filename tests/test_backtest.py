"""A tiny backtest end to end, every number of its errors.csv recomputed here by independent code.

Region: Søndre Land and Nordre Land (about 12 000 persons), origins 2016 and
2019, a calibration of a handful of evaluations, two replicates. The test
reads the SSB tables itself (pandas on the data set's files, not the model's
readers), recomputes the observations (stocks, jobs, the cohort residual of
net migration with the documented death rates), each origin's model forecast
from its run folder's tidy table, every naive forecast by its formula, and
every error; then checks labels, the summary, and that a resumed backtest
evaluates nothing again and writes the same table.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from model.cli import app
from model.experiments.backtest.run import run_backtest
from model.experiments.calibration.persistence import migration_persistence
from model.inputs.municipal.create import create_region
from model.inputs.municipal.dataset import load_municipal_data
from model.inputs.region import cached_region

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "scenarios" / "national" / "norway" / "municipal"
RATES = ROOT / "scenarios" / "national" / "norway" / "death_rates_2008_2017.csv"
CODES = {"3447": "Søndre Land", "3448": "Nordre Land"}
ORIGINS = [2016, 2019]
REGION = "Landregionen"
BANDS = {"0_5": (0, 5), "6_15": (6, 15), "16_19": (16, 19), "20_66": (20, 66), "67_79": (67, 79), "80_plus": (80, 200)}


@pytest.fixture(scope="module")
def backtest(tmp_path_factory):
    """The tiny backtest, run once for the module."""
    base = tmp_path_factory.mktemp("backtest")
    create_region("land", base, municipalities=list(CODES), title=REGION)
    config = yaml.safe_load((ROOT / "scenarios" / "calibration" / "regions.yaml").read_text(encoding="utf-8"))
    config |= {"optimiser": {"maxiter": 0, "popsize": 2, "seed": 1}, "replicates": 1, "report_replicates": 2}
    (base / "tiny.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    options = dict(
        out=base / "bt",
        replicates=2,
        scenario=base / "land_baseline.yaml",
        config=base / "tiny.yaml",
        workers=1,
    )
    result = run_backtest(str(base / "regions" / "land"), ORIGINS, **options)
    return result, options, base


def _population() -> pd.DataFrame:
    table = pd.read_parquet(DATA / "population_age_sex.parquet")
    return table[table["municipality_code"].isin(list(CODES))].assign(
        place=lambda t: t["municipality_code"].map(CODES), age=lambda t: t["age"].clip(upper=105)
    )


def _death_probability(year: int) -> pd.DataFrame:
    """q(sex, age) by the documented rule: m of the year (2008's before, 2017's improved 1 %/yr after)."""
    rates = pd.read_csv(RATES, comment="#")
    data_year = min(max(year, 2008), 2017)
    rows = rates[rates["year"] == data_year].set_index("age")
    factor = 0.99 ** max(0, year - 2017)
    out = {}
    for sex, column in (("female", "mx_female"), ("male", "mx_male")):
        m = pd.to_numeric(rows[column], errors="coerce").reindex(range(106)).to_numpy() * factor
        pooled = np.nanmean(
            [pd.to_numeric(rates[rates["year"] == y].set_index("age")[column], errors="coerce").reindex(range(100, 105))
             for y in range(2008, 2018)]
        ) * factor  # fmt: skip
        m[100:] = pooled
        m_next = np.append(m[1:], m[-1])
        out[sex] = 1 - np.exp(-(m + m_next) / 2)
    return pd.DataFrame(out)


def _observed() -> dict[tuple[str, str, int], tuple[float, float]]:
    """(place, variable, year) -> (observed, scale), recomputed from the tables."""
    people = _population()
    result: dict[tuple[str, str, int], tuple[float, float]] = {}
    grid = people.groupby(["place", "year", "sex", "age"])["population"].sum()
    totals = people.groupby(["place", "year"])["population"].sum()
    for (place, year), total in totals.items():
        result[(place, "population", year)] = (float(total), float(total))
        infants = float(
            people[(people["place"] == place) & (people["year"] == year) & (people["age"] == 0)]["population"].sum()
        )
        result[(place, "infants", year)] = (infants, infants)
        here = people[(people["place"] == place) & (people["year"] == year)]
        for band, (low, high) in BANDS.items():
            persons = float(here[here["age"].between(low, high)]["population"].sum())
            result[(place, f"population_{band}", year)] = (persons, persons)
        if (place, year + 1) in totals.index:
            q = _death_probability(year)
            net = 0.0
            for sex in ("female", "male"):
                start = grid[place][year][sex].reindex(range(106), fill_value=0).to_numpy(dtype=float)
                end = grid[place][year + 1][sex].reindex(range(106), fill_value=0).to_numpy(dtype=float)
                survivors = start * (1 - q[sex].to_numpy())
                expected = np.append(0.0, survivors[:-1])
                expected[105] += survivors[105]
                net += float((end[1:] - expected[1:]).sum())
            result[(place, "net_migration", year)] = (net, float(total))
    employment = pd.read_csv(DATA / "employment.csv", comment="#", dtype={"municipality_code": str})
    for row in employment[employment["municipality_code"].isin(list(CODES))].itertuples():
        place = CODES[row.municipality_code]
        result[(place, "jobs", row.year + 1)] = (float(row.jobs_by_workplace_15_74),) * 2
        result[(place, "employed_residents", row.year + 1)] = (float(row.employed_residents_15_74),) * 2
    for key in list(result):
        place, variable, year = key
        if place == CODES["3447"] and (CODES["3448"], variable, year) in result:
            a, b = result[key], result[(CODES["3448"], variable, year)]
            result[(REGION, variable, year)] = (a[0] + b[0], a[1] + b[1])
    return result


def _model(folder: Path, origin: int) -> dict[tuple[str, str, int], float]:
    """The replicate mean of each variable in an origin's run folder (net migration = in - out)."""
    outcomes = pd.read_csv(folder / "origins" / str(origin) / "run" / "outcomes.csv")
    mean = outcomes.groupby(["municipality", "variable", "year"])["value"].mean()
    forecasts = {key: float(value) for key, value in mean.items()}
    for (place, variable, year), value in list(forecasts.items()):
        if variable == "in_migrants":
            forecasts[(place, "net_migration", year)] = value - forecasts[(place, "out_migrants", year)]
    return forecasts


def _naive(series: dict[int, float], origin: int, year: int, method: str) -> float:
    known = {y: v for y, v in series.items() if y <= origin}
    at = known[origin]
    linear_from = max(origin - 5, min(known))
    slope = (at - known[linear_from]) / (origin - linear_from) if origin > linear_from else 0.0
    if method == "no_change":
        return at
    if method == "linear":
        return at + slope * (year - origin)
    if method == "mean_no_change_linear":
        return at + slope * (year - origin) / 2
    start_year = max(origin - 12, min(known))
    return at * (at / known[start_year]) ** ((year - origin) / (origin - start_year))


def test_every_number_in_errors_csv_is_recomputed(backtest):
    """Observation, scale, horizon, forecast (model and naive) and error of every row, from the tables."""
    result, _options, _base = backtest
    table = pd.read_csv(result.folder / "errors.csv")
    observed = _observed()
    models = {origin: _model(result.folder, origin) for origin in ORIGINS}
    national = pd.read_csv(DATA / "employment.csv", comment="#", dtype={"municipality_code": str})
    national = national[national["municipality_code"] == "0000"].set_index("year")
    assert set(table["method"]) == {
        "model",
        "no_change",
        "linear",
        "geometric",
        "mean_no_change_linear",
        "national_share",
    }
    for row in table.itertuples():
        flow = row.variable == "net_migration"
        value, scale = observed[(row.place, row.variable, row.year)]
        assert row.observed == pytest.approx(value, abs=1e-6), row
        assert row.scale == pytest.approx(scale, abs=1e-6), row
        assert row.horizon == row.year - row.origin + (1 if flow else 0)
        if row.method == "model":
            expected = models[row.origin][(row.place, row.variable, row.year)]
        elif row.method == "national_share":
            column = "jobs_by_workplace_15_74" if row.variable == "jobs" else "employed_residents_15_74"
            share = observed[(row.place, row.variable, row.origin)][0] / national.loc[row.origin - 1, column]
            expected = share * national.loc[row.year - 1, column]
        else:
            # A flow is known once its year has ended: the series up to the year before the origin.
            shift = 1 if flow else 0
            series = {
                y + shift: v for (p, var, y), (v, _s) in observed.items() if p == row.place and var == row.variable
            }
            expected = _naive(series, row.origin, row.year + shift, row.method)
        assert row.forecast == pytest.approx(expected, rel=1e-5, abs=1e-3), row
        assert row.error == pytest.approx(row.forecast - row.observed, rel=1e-5, abs=1e-3)
        assert row.error_pct == pytest.approx(100 * (row.forecast - row.observed) / row.scale, rel=1e-4, abs=1e-6)


def test_labels_and_cells(backtest):
    """Calibrated: not in-sample; a start before the jobs series looks ahead; national share is conditional."""
    result, _options, _base = backtest
    table = pd.read_csv(result.folder / "errors.csv")
    model = table[table["method"] == "model"]
    assert not model["in_sample"].any()  # calibrated before each origin
    # The jobs series starts in the 4th quarter of 2017: the start of 2016 looks ahead, that of 2019 does not.
    assert model.groupby("origin")["look_ahead"].all().to_dict() == {2016: True, 2019: False}
    assert table.loc[table["method"] == "national_share", "conditional"].all()
    assert not table.loc[table["method"] != "national_share", "conditional"].any()
    # Every observed stock after each origin is scored, to 1 January 2026.
    population = model[(model["variable"] == "population") & (model["place"] == REGION)]
    assert sorted(population["year"]) == sorted([*range(2017, 2027), *range(2020, 2027)])
    # No jobs naive forecast from 2016: nothing was observed at that origin.
    jobs_naive = table[(table["variable"] == "jobs") & (table["method"] != "model")]
    assert set(jobs_naive["origin"]) == {2019}
    # No geometric forecast of a flow that can change sign.
    assert not ((table["variable"] == "net_migration") & (table["method"] == "geometric")).any()


def test_summary_is_the_mean_of_the_cells(backtest):
    """MAPE, MALPE and the share within 5 % at one horizon, from the cells."""
    result, _options, _base = backtest
    table = pd.read_csv(result.folder / "errors.csv")
    summary = pd.read_csv(result.folder / "summary.csv")
    cells = table[(table["variable"] == "population") & (table["place"] != REGION) & (table["horizon"] == 3)]
    for method, group in cells.groupby("method"):
        row = summary[
            (summary["variable"] == "population")
            & (summary["level"] == "municipalities")
            & (summary["horizon"] == 3)
            & (summary["method"] == method)
        ].iloc[0]
        assert row["mape"] == pytest.approx(group["error_pct"].abs().mean(), rel=1e-3)
        assert row["malpe"] == pytest.approx(group["error_pct"].mean(), rel=1e-3, abs=1e-4)
        assert row["within_5_pct"] == pytest.approx(100 * (group["error_pct"].abs() <= 5).mean())
        assert row["cells"] == 4  # two municipalities, two origins


def test_the_jobs_panel_keeps_look_ahead_starts_apart(backtest):
    """The figure's clean model jobs line comes from the origin 2019 only; 2016's start looked ahead."""
    from model.report.backtest_report import LOOK_AHEAD, jobs_rows

    result, _options, _base = backtest
    table = pd.read_csv(result.folder / "errors.csv")
    rows = jobs_rows(table, REGION)
    jobs = table[(table["variable"] == "jobs") & (table["place"] != REGION) & (table["method"] == "model")]
    clean, ahead = jobs[jobs["origin"] == 2019], jobs[jobs["origin"] == 2016]
    model = rows[rows["method"] == "model"].set_index("horizon")
    assert sorted(model.index) == sorted(clean["horizon"].unique())
    for horizon, group in clean.groupby("horizon"):
        assert model.loc[horizon, "mape"] == pytest.approx(group["error_pct"].abs().mean())
    assert sorted(rows.loc[rows["method"] == LOOK_AHEAD, "horizon"]) == sorted(ahead["horizon"].unique())
    assert set(rows["method"]) - {"model", LOOK_AHEAD} == set(table.loc[table["variable"] == "jobs", "method"]) - {
        "model"
    }


def test_calibration_sees_only_years_before_the_origin(backtest):
    """Fit years end before the origin, the region knows persons up to it, jobs parameters need jobs years."""
    result, _options, _base = backtest
    for origin in ORIGINS:
        config = yaml.safe_load(
            (result.folder / "origins" / str(origin) / "calibration_input" / "calibration.yaml").read_text()
        )
        assert config["fit_years"][1] == origin - 1 and config["test_years"] == [origin, origin]
        region = result.folder / "origins" / str(origin) / "regions" / f"land-{origin}"
        persons = pd.read_csv(region / "population_age_sex.csv", comment="#")
        assert persons["year"].max() == origin  # the region as known then
        free = set(config["free"])
        # Jobs parameters are freed only with three jobs years before the origin (2018, 2019 for 2019: not enough).
        assert "exit_hazard_mature" not in free
        # The settlement pull derived at the origin is the projection's: fitted before it, carried after it.
        assert config["settlement_pull"] is True
        projection = yaml.safe_load((result.folder / "origins" / str(origin) / "projection.yaml").read_text())
        pull = projection["context"]["settlement_pull"]
        assert set(pull) == set(CODES.values()) and all(0.25 <= v <= 4 for v in pull.values())
        assert pull != {name: 1.0 for name in CODES.values()}
        # After the origin the pull fades by Norway's persistence measured before it; each
        # municipality's pull gets a range for --uncertainty around its fitted value.
        national = cached_region(region).national
        persistence = migration_persistence(load_municipal_data(), national, origin, 8)
        assert persistence.later.stop == origin
        assert projection["parameters"]["settlement_pull_persistence"] == round(persistence.slope, 3)
        for name, value in pull.items():
            low, high = projection["uncertainty"][f"context.settlement_pull.{name}"]
            assert low < value < high


def test_a_backtest_template_forgets_the_values_the_region_fitted_on_later_years(tmp_path):
    """A baseline extending a region's calibration hands no origin its immigration or settlement pull."""
    from model.experiments.calibration.origin import load_region_calibration, template
    from model.inputs.scenario import Scenario

    path = tmp_path / "fitted.yaml"
    path.write_text(
        f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\nparameters: {{centrality_weight: 0.5}}\n"
        "context: {immigration_per_year: 900, settlement_pull: {Gjøvik: 1.5}, immigration_path: national}\n",
        encoding="utf-8",
    )
    plain = template(Scenario.from_yaml(path), load_region_calibration())
    assert plain["context"]["settlement_pull"] == {} and plain["context"]["immigration_path"] == "constant"
    assert plain["context"]["immigration_per_year"] == 350.0 and plain["parameters"]["centrality_weight"] == 0.0


def test_resume_evaluates_nothing_again_and_writes_the_same(backtest):
    """A resumed backtest keeps each calibration's evaluations and ends with the same errors.csv."""
    result, options, _base = backtest
    before = (result.folder / "errors.csv").read_bytes()
    evaluations = {
        o: (result.folder / "origins" / str(o) / "calibration" / "evaluations.csv").read_bytes() for o in ORIGINS
    }
    again = run_backtest(str(_base / "regions" / "land"), ORIGINS, resume=True, **options)
    assert (again.folder / "errors.csv").read_bytes() == before
    for origin in ORIGINS:
        assert (
            result.folder / "origins" / str(origin) / "calibration" / "evaluations.csv"
        ).read_bytes() == evaluations[origin]


def test_the_command_writes_the_page_and_refuses_bad_origins(backtest, tmp_path):
    """The command prints the table and writes backtest.html; an origin before 2008 exits with code 2."""
    result, options, base = backtest
    target = result.folder
    runner = CliRunner()
    args = [
        "backtest", str(base / "regions" / "land"), "--origins", "2016", "2019", "--out", str(target), "--resume",
        "--replicates", "2", "--scenario", str(options["scenario"]), "--config", str(options["config"]),
        "--workers", "1",
    ]  # fmt: skip
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert "MAPE" in done.output and (target / "backtest.html").is_file()
    page = (target / "backtest.html").read_text(encoding="utf-8")
    assert "look-ahead" in page and "data:image/png;base64," in page
    assert "coverage of 90 % band (chance only)" in page  # no --uncertainty: the bands show chance alone
    bad = runner.invoke(
        app,
        ["backtest", str(base / "regions" / "land"), "--origins", "2003", "--out", str(tmp_path / "x"),
         "--scenario", str(options["scenario"])],
    )  # fmt: skip
    assert bad.exit_code == 2 and "--origins" in bad.output and "Traceback" not in bad.output
    assert not (tmp_path / "x").exists()
    unknown = runner.invoke(
        app, ["backtest", "gjovikregionen-nowhere", "--origins", "2018", "--out", str(tmp_path / "y")]
    )
    assert unknown.exit_code == 2 and "no region" in unknown.output and "Traceback" not in unknown.output
    assert math.isfinite(pd.read_csv(target / "summary.csv")["mape"].max())


def test_the_generic_calibration_scales_to_the_region_and_frees_jobs_parameters_where_jobs_are_observed():
    """Immigration bounds per 1 000 residents at the origin; exit and in-commuting freed from three jobs years."""
    from model.experiments.calibration.origin import IMMIGRATION, free_at_origin, load_region_calibration, window
    from model.inputs.region import load_region

    config = load_region_calibration()
    region = load_region(ROOT / "scenarios" / "regions" / "lillehammer")
    residents = region.snapshot(2021).persons.sum() / 1000
    free = free_at_origin(region, 2021, config)
    low, high = config.immigration_per_1000
    assert free[IMMIGRATION] == (round(low * residents, 1), round(high * residents, 1))
    assert set(config.jobs_free) <= set(free)  # jobs observed on 1 January 2018-2021: four years
    assert not set(config.jobs_free) & set(free_at_origin(region, 2019, config))  # 2018-2019: two
    assert window(region, 2011, config) == (2005, 2011)  # eight years back, but persons start in 2005
    assert window(region, 2021, config) == (2013, 2021)
