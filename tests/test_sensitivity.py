"""Global sensitivity analysis (SALib) and the model as a function (evaluate, mesa.batch_run)."""

from __future__ import annotations

import mesa
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from model import RegionModel, evaluate, sensitivity
from model.cli import app
from model.experiments.sensitivity import load_config
from model.inputs.errors import InputError
from tests.conftest import BASELINE, ROOT

REGION = "Gjøvikregionen"


@pytest.fixture(scope="module")
def short(tmp_path_factory):
    """A baseline to 2029 and a strategy scenario to 2029 (one attraction strategy from 2027)."""
    folder = tmp_path_factory.mktemp("scenarios")
    (folder / "short.yaml").write_text(f"name: short\nextends: {BASELINE}\nyears: {{start: 2026, end: 2029}}\n")
    (folder / "strategy.yaml").write_text(
        f"name: strategy\nextends: {ROOT / 'scenarios' / 'byregion_strategy.yaml'}\n"
        "years: {start: 2026, end: 2029}\n"
        "levers:\n  cooperation: joint\n  strategies:\n"
        "    - {type: attract_businesses, sector: manufacturing, firms_per_year: 4, mean_jobs_per_firm: 30, "
        "from: 2027, budget_mnok_per_year: 48}\n"  # works on all four prospects at any plausible cost
    )
    return folder


def _config(folder, name: str, **settings) -> str:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"scenario": "short.yaml", **settings}), encoding="utf-8")
    return str(path)


TINY = {
    "context.fertility_scaling": [0.6, 1.4],
    "newborn_male_share": [0.510, 0.518],
    "migration_peak_rate": "plausible",
}


def test_tiny_problem_gives_indices_in_range_and_ranks_what_matters(short, tmp_path):
    """Morris mu* >= 0, Sobol S1 and ST in [0, 1] up to their intervals; out-migration outranks the sex ratio."""
    config = _config(
        short, "tiny", parameters=TINY, morris={"trajectories": 4, "levels": 4}, sobol={"base_samples": 16}, seed=3
    )
    result = sensitivity(config, out=tmp_path / "sa", workers=2)
    morris, sobol = result.morris, result.sobol
    assert (morris["mu_star"] >= 0).all() and (morris["mu_star_conf"] >= 0).all()
    assert (sobol["S1"] - sobol["S1_conf"] <= 1.0).all() and (sobol["S1"] + sobol["S1_conf"] >= 0).all()
    assert (sobol["ST"] + sobol["ST_conf"] >= 0).all() and (sobol["ST"] - sobol["ST_conf"] <= 1.0).all()
    population = morris[morris["outcome"] == f"population_{REGION}"].set_index("parameter")["mu_star"]
    assert (
        population["migration_peak_rate"] > population["context.fertility_scaling"] > population["newborn_male_share"]
    )
    for name in ("morris.csv", "sobol.csv", "ranking.csv", "samples.csv", "morris.png", "sobol.png"):
        assert (tmp_path / "sa" / name).is_file()
    samples = pd.read_csv(tmp_path / "sa" / "samples.csv")
    assert len(samples) == 4 * (3 + 1) + 16 * (3 + 2)


def test_strategy_outcomes_net_jobs_and_the_cooperation_gap(short, tmp_path):
    """With a strategy: net jobs against it without strategies, and joint minus fragmented, per sample."""
    config = _config(
        short,
        "strategy_sa",
        strategy="strategy.yaml",
        parameters={"attraction_cost_mnok": "plausible", "newborn_male_share": "plausible"},
        method="morris",
        morris={"trajectories": 2, "levels": 4},
    )
    result = sensitivity(config, out=tmp_path / "sa", workers=2)
    outcomes = set(result.morris["outcome"])
    assert {f"net_jobs_{REGION}", f"cooperation_gap_jobs_{REGION}"} <= outcomes
    samples = pd.read_csv(tmp_path / "sa" / "samples.csv")
    assert (samples[f"net_jobs_{REGION}"] > 0).all()  # 4 firms of 30 a year: jobs whatever the cost
    cost = result.morris.set_index(["outcome", "parameter"])["mu_star"]
    assert cost[(f"net_jobs_{REGION}", "attraction_cost_mnok")] > cost[(f"net_jobs_{REGION}", "newborn_male_share")]


def test_an_interrupted_analysis_resumes_to_the_same_indices(short, tmp_path):
    """Runs on disk are kept: --resume runs only the missing ones and ends with the same tables."""
    config = _config(short, "resume", parameters=TINY, method="morris", morris={"trajectories": 2})
    first = sensitivity(config, out=tmp_path / "sa", workers=1)
    runs = pd.read_csv(tmp_path / "sa" / "runs.csv")
    runs.iloc[:3].to_csv(tmp_path / "sa" / "runs.csv", index=False)
    with pytest.raises(InputError, match="already holds a sensitivity"):
        sensitivity(config, out=tmp_path / "sa", workers=1)
    again = sensitivity(config, out=tmp_path / "sa", workers=1, resume=True)
    pd.testing.assert_frame_equal(first.morris, again.morris)


def test_bad_config_names_the_file_line_and_key(short, tmp_path):
    """An unknown parameter or a Sobol base that is not a power of two is a located error; the CLI exits 2."""
    config = _config(short, "bad", parameters={"migration_peak": "plausible", "housing_pull": [0, 6]})
    with pytest.raises(InputError) as error:
        load_config(config)
    assert "parameters.migration_peak" in str(error.value) and "migration_peak_rate" in str(error.value)
    config = _config(short, "bad2", parameters=TINY, sobol={"base_samples": 10})
    result = CliRunner().invoke(app, ["sensitivity", config, "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "power of 2" in result.output
    assert not (tmp_path / "x").exists()


def test_evaluate_and_batch_run_drive_the_same_model(short):
    """evaluate() returns plain numbers; mesa.batch_run with flat keywords gives the same region totals."""
    scenario = str(short / "short.yaml")
    values = evaluate({"migration_peak_rate": 0.2}, scenario, seed=7)
    assert all(type(v) is float for v in values.values())
    rows = mesa.batch_run(
        RegionModel,
        parameters={"scenario": scenario, "migration_peak_rate": [0.12, 0.2], "seed": 7},
        number_processes=1,
        display_progress=False,
    )
    final = {row["migration_peak_rate"]: row for row in rows}
    assert final[0.2]["population"] == values[f"population_{REGION}"]
    assert final[0.2]["jobs"] == values[f"jobs_{REGION}"]
    assert final[0.12]["population"] > final[0.2]["population"]  # fewer leave: more stay
    strategy = evaluate({"attraction_cost_mnok": 4.0}, str(short / "strategy.yaml"), seed=7)
    assert strategy[f"net_jobs_{REGION}"] > 0


def test_cooperation_acts_only_through_strategies(short):
    """Without strategies, joint and fragmented runs are identical: the analysis reuses the baseline's runs."""
    from model.experiments.runner import simulate
    from model.experiments.sensitivity import runs_alike
    from model.inputs.scenario import Scenario

    baseline = Scenario.from_yaml(short / "short.yaml")
    joint = Scenario.from_yaml(short / "strategy.yaml").without_strategies()
    assert baseline.levers.cooperation == "fragmented" and joint.levers.cooperation == "joint"
    assert runs_alike(joint, baseline)
    a, b = simulate(baseline, replicate=0, seed=3).outcomes, simulate(joint, replicate=0, seed=3).outcomes
    assert a["value"].to_numpy().tolist() == b["value"].to_numpy().tolist()
