"""Uncertainty beyond chance: declared ranges drawn per replicate, the same draws in every scenario."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from model import compare, run_ensemble
from model.cli import app
from model.experiments.ensemble import uncertainty_draws
from model.inputs.errors import InputError
from model.inputs.scenario import Scenario
from model.inputs.uncertain import latin_hypercube, plausible, resolve, set_values
from tests.conftest import BASELINE, ROOT

HORIZON = 2029
RANGES = "{migration_peak_rate: plausible, context.immigration_per_year: [150, 650]}"


def _scenario(folder, name: str, extra: str = "") -> Scenario:
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\nextends: {BASELINE}\nyears: {{start: 2026, end: {HORIZON}}}\nuncertainty: {RANGES}\n{extra}",
        encoding="utf-8",
    )
    return Scenario.from_yaml(path)


def _width(ensemble, scenario: str) -> float:
    """The 5-95 % width of the region's population at the horizon."""
    table = ensemble.outcomes(scenario, ["population"])
    region = table[(table["municipality"] == table["municipality"].iloc[-1]) & (table["year"] == HORIZON)]
    return float(region["value"].quantile(0.95) - region["value"].quantile(0.05))


def test_latin_hypercube_fills_every_stratum_and_is_reproducible():
    """Each of n draws lies in its own n-th of every range; the same seed gives the same draws."""
    ranges = {"migration_peak_rate": (0.1, 0.25), "context.fertility_scaling": (0.8, 1.1)}
    draws = latin_hypercube(ranges, 8, seed=3)
    for name, (low, high) in ranges.items():
        strata = np.floor((draws[name] - low) / (high - low) * 8).astype(int)
        assert sorted(strata) == list(range(8))
    assert draws.equals(latin_hypercube(ranges, 8, seed=3))
    assert not draws.equals(latin_hypercube(ranges, 8, seed=4))


def test_plausible_ranges_come_from_the_documented_parameters():
    """`plausible` resolves to the range in docs/ODD.md, and values are set where they belong."""
    assert resolve({"migration_peak_rate": "plausible"}) == {"migration_peak_rate": plausible("migration_peak_rate")}
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    low, high = plausible("context.immigration_per_year")
    assert f"{low:g} – {high:g}" in odd
    scenario = set_values(
        Scenario.from_yaml(BASELINE),
        {
            "migration_peak_rate": 0.2,
            "context.fertility_scaling": 0.9,
            "context.national_job_growth.manufacturing": -0.02,
        },
    )
    assert scenario.parameters.migration_peak_rate == 0.2
    assert scenario.context.fertility_scaling == 0.9
    assert scenario.context.national_job_growth["manufacturing"] == -0.02
    assert scenario.context.national_job_growth["ict_technical"] == 0.02
    context = scenario.context.model_copy(update={"immigration_per_year": {"Gjøvik": 100.0, "regional": 300.0}})
    placed = scenario.model_copy(update={"context": context})
    drawn = set_values(placed, {"context.immigration_per_year": 800}).context.immigration_per_year
    assert drawn == {"Gjøvik": 200, "regional": 600}  # a mapping is scaled to the drawn total


def test_uncertainty_widens_the_bands_against_chance_alone(tmp_path):
    """The same replicates with --uncertainty spread wider than with chance only."""
    scenario = _scenario(tmp_path, "wide")
    chance = run_ensemble([scenario], replicates=8, out=tmp_path / "chance", workers=2, report=False)
    both = run_ensemble([scenario], replicates=8, out=tmp_path / "both", workers=2, report=False, uncertainty=True)
    assert _width(both, "wide") > 3 * _width(chance, "wide")
    assert chance.draws is None and len(both.draws) == 8


def test_every_scenario_of_a_comparison_gets_the_same_draws(tmp_path):
    """Replicate i of each scenario runs with row i; the report says what the bands show."""
    base = _scenario(tmp_path, "base")
    housing = _scenario(
        tmp_path,
        "homes",
        "levers:\n  strategies:\n    - {type: housing, target: Gjøvik, dwellings_per_year: 80, amenity_gain: 0.05, "
        "from: 2027, budget_mnok_per_year: 5}\n",
    )
    ensemble = compare(base, housing, replicates=5, out=tmp_path / "cmp", workers=2, uncertainty=True)
    manifest = json.loads((tmp_path / "cmp" / "manifest.json").read_text(encoding="utf-8"))
    drawn = pd.read_csv(tmp_path / "cmp" / "uncertainty_draws.csv", index_col="replicate")
    assert manifest["uncertainty"]["draws"]["migration_peak_rate"] == pytest.approx(list(drawn["migration_peak_rate"]))
    assert drawn.equals(uncertainty_draws(ensemble.scenarios, 5, ensemble.seed))
    # Paired: the housing strategy's effect varies far less than the levels do.
    base_pop = ensemble.outcomes("base", ["population"]).query("year == @HORIZON and municipality == 'Gjøvik'")
    homes_pop = ensemble.outcomes("homes", ["population"]).query("year == @HORIZON and municipality == 'Gjøvik'")
    difference = homes_pop["value"].to_numpy() - base_pop["value"].to_numpy()
    assert np.ptp(difference) < 0.5 * np.ptp(base_pop["value"])
    report = (tmp_path / "cmp" / "report.html").read_text(encoding="utf-8")
    assert "chance and parameter and context uncertainty" in report


def test_other_ranges_in_a_compared_scenario_are_an_error(tmp_path):
    """A comparison draws one set of values for all; a scenario declaring others is refused."""
    base = _scenario(tmp_path, "base")
    other = base.model_copy(update={"name": "other", "uncertainty": {"migration_peak_rate": (0.1, 0.2)}})
    with pytest.raises(InputError, match="other uncertainty ranges than the baseline"):
        uncertainty_draws([base, other], 4, 1)
    bare = Scenario.from_yaml(BASELINE).model_copy(update={"uncertainty": {}})
    with pytest.raises(InputError, match="declares none"):
        uncertainty_draws([bare], 4, 1)


def test_run_with_uncertainty_records_the_draws_and_says_so_in_the_figures(tmp_path):
    """`regionsim run --uncertainty` writes each replicate's values into the manifest."""
    scenario = _scenario(tmp_path, "cli")
    result = CliRunner().invoke(
        app,
        ["run", scenario.source, "--replicates", "5", "--workers", "1", "--out", str(tmp_path / "run"), "--quiet"]
        + ["--uncertainty"],
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["uncertainty"]["draws"]["context.immigration_per_year"]) == 5
    assert manifest["uncertainty"]["ranges"]["context.immigration_per_year"] == [150, 650]
