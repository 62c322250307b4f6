"""Calibration: the hindcast, recovery of known parameters, the shipped overlay and the report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from model import calibrate
from model.experiments.calibration.fit import load_config
from model.experiments.calibration.observed import observed_targets, simulated_targets
from model.experiments.runner import simulate
from model.inputs.errors import InputError
from model.inputs.region import cached_region
from model.inputs.scenario import Scenario
from model.inputs.uncertain import set_values
from model.inputs.yamlio import read_yaml
from tests.conftest import ROOT

HINDCAST = ROOT / "scenarios" / "hindcast_2005_2017.yaml"
OVERLAY = ROOT / "scenarios" / "calibration" / "calibrated.yaml"
CONFIG = ROOT / "scenarios" / "calibration" / "hindcast.yaml"


@pytest.fixture(scope="module")
def hindcast() -> Scenario:
    """The hindcast scenario as shipped."""
    return Scenario.from_yaml(HINDCAST)


def test_hindcast_starts_from_the_real_2005_residents_and_tracks_the_region(hindcast):
    """The hindcast starts from 2005's persons exactly and ends near 2017's population (not a target)."""
    region = cached_region(Path(hindcast.region_folder))
    outcomes = simulate(hindcast, replicate=0).outcomes
    population = outcomes[(outcomes["variable"] == "population") & (outcomes["municipality"] == region.name)]
    by_year = population.set_index("year")["value"]
    observed = {y: p.sum() for y, p in region.observed_population().items()}
    assert by_year[2005] == observed[2005]
    assert abs(by_year[2017] / observed[2017] - 1) < 0.03
    assert hindcast.base_year == 2005


def test_fertility_before_2008_follows_norways_infants(hindcast):
    """Years before the fertility data scale 2008's rates to Norway's births then (TFR 1.84 in 2005, 1.96 in 2008)."""
    national = cached_region(Path(hindcast.region_folder)).national
    assert national.fertility_rate(2005).sum() / national.fertility_rate(2008).sum() == pytest.approx(0.935, abs=0.01)
    assert national.fertility_rate(2012).sum() == pytest.approx(1.85, abs=0.02)


def test_calibration_recovers_parameters_that_produced_its_targets(tmp_path):
    """Targets made by the model with known values are fitted back to those values (two parameters)."""
    short = tmp_path / "short_hindcast.yaml"
    short.write_text(f"name: short_hindcast\nextends: {HINDCAST}\nyears: {{start: 2005, end: 2010}}\n")
    config = tmp_path / "synthetic.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "scenario": short.name,
                "free": {"migration_peak_rate": [0.10, 0.18], "in_migration_rate": [0.024, 0.040]},
                "targets": {"population": 1.0, "in_migrants": 0.5, "out_migrants": 0.5},
                "fit_years": [2005, 2008],
                "test_years": [2009, 2010],
                "flow_years": [2005, 2008],
                "age_structure_years": {"fit": 2008, "test": 2010},
                "replicates": 2,
                "report_replicates": 2,
                "seed": 5,
                "optimiser": {"maxiter": 7, "popsize": 6, "seed": 2},
            }
        )
    )
    truth = {"migration_peak_rate": 0.145, "in_migration_rate": 0.029}
    scenario = set_values(Scenario.from_yaml(short), truth)
    region = cached_region(Path(scenario.region_folder))
    runs = pd.concat([simulate(scenario, replicate=r, seed=5).outcomes for r in range(2)])
    synthetic = simulated_targets(runs, region)

    result = calibrate(config, out=tmp_path / "fit", workers=2, observed=synthetic)

    for name, (low, high) in load_config(config).free.items():
        assert abs(result.best[name] - truth[name]) < 0.1 * (high - low), (name, result.best[name])
    assert result.loss < 1e-4
    assert (tmp_path / "fit" / "calibrated.yaml").is_file()


def _tiny_config(tmp_path: Path, optimiser: dict) -> tuple[Path, dict]:
    """A calibration of two free values over a four-year hindcast, one replicate a candidate."""
    short = tmp_path / "short_hindcast.yaml"
    short.write_text(f"name: short_hindcast\nextends: {HINDCAST}\nyears: {{start: 2005, end: 2008}}\n")
    settings = {
        "scenario": short.name,
        "free": {"migration_peak_rate": [0.10, 0.18], "context.fertility_scaling": [0.8, 1.1]},
        "targets": {"population": 1.0},
        "fit_years": [2005, 2006],
        "test_years": [2007, 2008],
        "age_structure_years": {"fit": 2006, "test": 2008},
        "replicates": 1,
        "report_replicates": 1,
        "optimiser": optimiser,
    }
    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(settings))
    return config, settings


def test_an_interrupted_calibration_resumes_from_its_evaluations(tmp_path):
    """A second run with --resume finds every evaluation on disk and ends with the same best values."""
    config, _ = _tiny_config(tmp_path, {"maxiter": 1, "popsize": 3})
    first = calibrate(config, out=tmp_path / "fit", workers=1)
    evaluations = pd.read_csv(tmp_path / "fit" / "evaluations.csv")
    evaluations.iloc[: len(evaluations) // 2].to_csv(tmp_path / "fit" / "evaluations.csv", index=False)
    (tmp_path / "fit" / "calibrated.yaml").unlink()
    with pytest.raises(InputError, match="already holds a calibration"):
        calibrate(config, out=tmp_path / "fit", workers=1)
    again = calibrate(config, out=tmp_path / "fit", workers=1, resume=True)
    assert again.best == first.best
    assert again.evaluations == first.evaluations
    report = (tmp_path / "fit" / "fit_report.html").read_text(encoding="utf-8")
    assert "test period" in report


def test_the_baseline_uses_the_shipped_calibrated_values_with_provenance(baseline):
    """calibrated.yaml is a loadable overlay, records its provenance, and the baseline carries its values."""
    overlay = read_yaml(OVERLAY).data
    text = OVERLAY.read_text(encoding="utf-8")
    for field in ("config:", "date:", "loss:", "fit MAPE population", "test MAPE population"):
        assert field in text
    assert overlay["parameters"]
    for name, value in overlay["parameters"].items():
        assert getattr(baseline.parameters, name) == value
    for name, value in overlay.get("context", {}).items():
        assert getattr(baseline.context, name) == value
    carried = set(load_config(CONFIG).carried())
    assert set(overlay["parameters"]) | {f"context.{k}" for k in overlay.get("context", {})} == carried


def test_observed_targets_hold_every_year_and_municipality():
    """Population targets exist for every observed year (2005-2026) in all five municipalities; flows for 2005-06.

    The config chooses the years it fits and tests (2005-2017); the targets are what the data hold.
    """
    region = cached_region(Path(Scenario.from_yaml(HINDCAST).region_folder))
    targets = observed_targets(region)
    population = targets[targets["target"] == "population"]
    assert sorted(population["year"].unique()) == list(range(2005, 2027))
    assert set(population["municipality"]) == set(region.municipalities)
    births = targets[targets["target"] == "births"]
    assert sorted(births["year"].unique()) == [2005, 2006]
    assert np.isclose(births[births["year"] == 2005]["value"].sum(), 651)


def test_bad_calibration_config_is_a_located_error_with_exit_code_2(tmp_path):
    """A misspelt free parameter names file, line, key and the likely meaning; nothing is written."""
    from typer.testing import CliRunner

    from model.cli import app

    config = tmp_path / "bad.yaml"
    config.write_text(
        f"scenario: {HINDCAST}\nfree:\n  migration_peak: [0.1, 0.2]\ntargets: {{population: 1}}\n"
        "fit_years: [2005, 2012]\ntest_years: [2013, 2017]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["calibrate", str(config), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "bad.yaml:3: free.migration_peak" in result.output and "migration_peak_rate" in result.output
    assert not (tmp_path / "out").exists()


def test_a_small_count_is_judged_against_a_floor_not_its_own_size():
    """3 observed infants, 20 simulated: an error of 17 on 100, not on 3; shares and large counts keep their scale."""
    from model.experiments.calibration.observed import COUNT_FLOOR, errors

    keys = {"municipality": ["Gildeskål", "Bodø", "Bodø"], "year": [2021, 2021, 2021]}
    observed = pd.DataFrame({"target": ["infants", "population", "share_0_5"], **keys, "value": [3.0, 52560.0, 0.05]})
    simulated = observed.assign(value=[20.0, 52034.4, 0.06])
    table = errors(simulated, observed).set_index("target")["relative_error"]
    assert COUNT_FLOOR == 100
    assert table["infants"] == pytest.approx(17 / 100)
    assert table["population"] == pytest.approx(-525.6 / 52560)
    assert table["share_0_5"] == pytest.approx(0.01 / 0.05)


def test_ctrl_c_keeps_each_finished_candidate_and_says_how_to_resume(tmp_path):
    """SIGINT mid-batch: exit 130 with the resume command, candidates finished so far on disk, --resume re-uses them."""
    import signal
    import subprocess
    import sys
    import time

    config, settings = _tiny_config(tmp_path, {"maxiter": 2, "popsize": 10})  # batches of 20 candidates
    out = tmp_path / "fit"
    command = [sys.executable, "-m", "model.cli", "calibrate", str(config), "--out", str(out), "--workers", "2"]
    job = subprocess.Popen([*command, "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    evaluations = out / "evaluations.csv"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and (not evaluations.is_file() or len(pd.read_csv(evaluations)) < 2):
        time.sleep(0.2)
    job.send_signal(signal.SIGINT)
    assert job.wait(timeout=30) == 130
    stderr = job.stderr.read()
    assert f"kept in {out}; to go on, run the same command with --out {out} --resume" in stderr, stderr
    kept = pd.read_csv(evaluations)
    assert 2 <= len(kept) < 20  # inside the first batch: each candidate was written as it finished
    resumed = subprocess.run([*command, "--quiet", "--resume"], capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    final = pd.read_csv(evaluations)
    merged = kept.merge(final, on=list(settings["free"]), suffixes=("_kept", "_final"))
    assert len(merged) == len(kept) and (merged["loss_kept"] == merged["loss_final"]).all()
