"""Net jobs split as evaluation guidance counts them, measured on a shipped programme.

Growth culture founds extra start-ups in the market sectors, most of them in
industries that serve local demand: the same demand then has more firms, and
the others lose about what the newcomers gain (displacement), while the
multiplier is only what the extra jobs and residents add to demand.
"""

from __future__ import annotations

import pytest

from model.experiments.comparison import versus_counterfactual
from model.experiments.ensemble import run_ensemble
from model.inputs.scenario import Scenario, Years
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def growth_culture(tmp_path_factory):
    """The region's line of growth_culture.yaml against no strategies in 2031, 5 paired replicates."""
    scenario = Scenario.from_yaml(ROOT / "scenarios" / "growth_culture.yaml")
    scenario = scenario.model_copy(update={"years": Years(start=scenario.base_year, end=2031)})
    pair = [scenario, scenario.without_strategies()]
    ensemble = run_ensemble(pair, replicates=5, out=tmp_path_factory.mktemp("gc") / "run", workers=1)
    outcomes = {s.name: ensemble.outcomes(s.name) for s in pair}
    versus = versus_counterfactual(scenario, outcomes[pair[0].name], outcomes[pair[1].name])
    return versus[versus["municipality"] == "Gjøvikregionen"].iloc[0], outcomes, pair


def test_start_ups_that_serve_local_demand_displace_its_other_firms(growth_culture):
    """Most of the programme's gross jobs are displaced from other firms; the multiplier is small and positive."""
    row, _, _ = growth_culture
    assert row["gross_direct_jobs"] > 100
    assert row["deadweight_jobs"] == 0  # the programme's extra start-up rate is additional by definition
    assert -row["gross_direct_jobs"] < row["displaced_jobs"] < -0.4 * row["gross_direct_jobs"]
    assert 0 < row["indirect_jobs"] < 0.5 * row["gross_direct_jobs"]
    assert abs(row["displaced_basic_jobs"]) < abs(row["displaced_jobs"])  # mostly in the demand-following sectors


def test_the_parts_add_up_and_the_multiplier_is_the_change_of_local_demand(growth_culture):
    """Gross direct - deadweight + indirect + displaced = net jobs; indirect recomputed from jobs_local_demand."""
    row, outcomes, pair = growth_culture
    assert row["net_jobs"] == pytest.approx(
        row["gross_direct_jobs"] - row["deadweight_jobs"] + row["indirect_jobs"] + row["displaced_jobs"]
    )

    def at_horizon(name: str) -> float:
        frame = outcomes[name]
        here = frame[(frame["variable"] == "jobs_local_demand") & (frame["municipality"] == "Gjøvikregionen")]
        return here[here["year"] == here["year"].max()]["value"].mean()

    assert row["indirect_jobs"] == pytest.approx(at_horizon(pair[0].name) - at_horizon(pair[1].name))
