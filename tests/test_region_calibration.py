"""A region's own calibration: `regionsim region calibrate` on a small region, end to end.

The generic config at a tiny budget fits Søndre and Nordre Land as known
today; the overlay lands beside the region's baseline with its provenance,
the baseline that extends it runs on the fitted values (and says nothing),
and one that does not says how to calibrate.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from model.cli import app
from model.experiments.calibration.origin import free_at_origin, load_region_calibration, window
from model.inputs.errors import InputError
from model.inputs.municipal.create import create_region
from model.inputs.scenario import Scenario
from model.workflows import calibrate_region

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tiny_config(tmp_path_factory) -> Path:
    """The generic config with a window of 3 years and a budget of a few evaluations of one replicate."""
    document = yaml.safe_load((ROOT / "scenarios" / "calibration" / "regions.yaml").read_text(encoding="utf-8"))
    document |= {"window_years": 3, "replicates": 1, "report_replicates": 2}
    document["optimiser"] = {"maxiter": 1, "popsize": 2, "seed": 1}
    path = tmp_path_factory.mktemp("config") / "regions.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory, tiny_config):
    """A region built in a temporary scenarios folder, then calibrated there."""
    out = tmp_path_factory.mktemp("scenarios")
    created = create_region("land", out, municipalities=["3447", "3448"])
    fit = calibrate_region(str(created.folder), config=tiny_config, out=out / "results" / "calibrate-land", workers=1)
    return created, fit, out


def test_the_overlay_carries_the_fit_and_its_provenance(calibrated, tiny_config):
    """Within the config's bounds, beside the baseline, with the region, the origin and the folders named."""
    created, fit, out = calibrated
    assert fit.overlay == out / "calibration" / "land_calibrated.yaml"
    text = fit.overlay.read_text(encoding="utf-8")
    body = yaml.safe_load(text)
    config = load_region_calibration(tiny_config)
    start, origin = window(fit.region, 2026, config)
    assert origin == fit.origin == 2026
    bounds = free_at_origin(fit.region, 2026, config)
    for name, value in body["parameters"].items():
        low, high = bounds[name]
        assert low <= value <= high, name
    low, high = bounds["context.immigration_per_year"]
    assert low <= body["context"]["immigration_per_year"] <= high
    assert body["context"]["immigration_path"] == "national"
    assert body["context"]["immigration_reference_year"] == start == 2023
    pull = body["context"]["settlement_pull"]  # derived after the fit, from the fit years' net migration
    assert sorted(pull) == sorted(fit.region.municipalities) and all(0.25 <= v <= 4 for v in pull.values())
    assert pull == fit.calibration.settlement_pull
    for line in ("as known on 1 January 2026", "generic config:", "calibration folder:", "loss:", "git commit:"):
        assert line in text, line
    assert (fit.calibration.folder / "fit_report.html").is_file()


def test_the_baseline_warns_until_it_extends_the_calibration(calibrated):
    """The baseline written before the calibration warns; with `extends:`, or rebuilt, it runs on the fitted values."""
    created, fit, out = calibrated
    before = Scenario.from_yaml(created.scenario)
    assert any("no calibrated parameters" in note and "calibration exists" in note for note in before.warnings)
    text = created.scenario.read_text(encoding="utf-8")
    extended = out / "land_extended.yaml"
    extended.write_text("extends: calibration/land_calibrated.yaml\n" + text, encoding="utf-8")
    after = Scenario.from_yaml(extended)
    assert not after.warnings
    body = yaml.safe_load(fit.overlay.read_text(encoding="utf-8"))
    for name, value in body["parameters"].items():
        assert getattr(after.parameters, name) == value
    assert after.context.immigration_path == "national"
    rebuilt = create_region("land", out, municipalities=["3447", "3448"], overwrite=True)
    fresh = Scenario.from_yaml(rebuilt.scenario)
    assert "extends: calibration/land_calibrated.yaml" in rebuilt.scenario.read_text(encoding="utf-8")
    assert not fresh.warnings
    assert fresh.context.immigration_per_year == body["context"]["immigration_per_year"]
    assert fresh.parameters.migration_peak_rate == body["parameters"]["migration_peak_rate"]


def test_a_calibration_is_replaced_only_when_asked_and_only_if_ours(calibrated, tiny_config, tmp_path):
    """Again without --overwrite: refused before anything is written; a hand-made file there: refused."""
    created, fit, _ = calibrated
    again = tmp_path / "again"
    with pytest.raises(InputError, match="already calibrated"):
        calibrate_region(str(created.folder), config=tiny_config, out=again, workers=1)
    assert not again.exists()
    before = fit.overlay.read_text(encoding="utf-8")
    fit.overlay.write_text("parameters: {migration_peak_rate: 0.1}\n", encoding="utf-8")
    try:
        with pytest.raises(InputError, match="not a calibration this command wrote"):
            calibrate_region(str(created.folder), config=tiny_config, out=again, overwrite=True, workers=1)
        assert not again.exists()
    finally:
        fit.overlay.write_text(before, encoding="utf-8")


def test_an_unknown_region_is_one_clear_line():
    """Exit 2, the known regions listed, no traceback."""
    result = CliRunner().invoke(app, ["region", "calibrate", "nowhere"])
    assert result.exit_code == 2
    assert "no region 'nowhere'" in result.output and "gjovikregionen" in result.output
    assert "Traceback" not in result.output
