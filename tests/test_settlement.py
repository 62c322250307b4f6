"""Where movers and newcomers settle: the gravity of staying in the region, and the settlement pull.

The share of movers who stay in the region follows the population of the
rest of the region against the pull of places outside it; its default gives
Gjovikregionen the mean share its hindcast calibration fitted, and a
municipality that is nearly its whole region sends few movers to the rest.
The settlement pull a calibration derives recovers a pull the model itself
was run with, from its net migration alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.experiments.calibration import settlement
from model.experiments.executors import ExecutorChoice, executor
from model.inputs.parameters import Parameters
from model.inputs.region import cached_region
from model.inputs.scenario import Years
from model.simulation.migration import _internal_share

ROOT = Path(__file__).resolve().parent.parent
REGIONS = ROOT / "scenarios" / "regions"


def _residents(region_name: str, year: int) -> np.ndarray:
    return cached_region(REGIONS / region_name).observed_population()[year].sum(axis=(1, 2))


def _home(residents: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(residents)), residents.astype(int))


def test_default_outside_pull_gives_gjovikregionen_its_fitted_share_of_movers_staying():
    """0.1104 of movers stayed in the region in the 2005-2012 hindcast fit: the default is its equivalent."""
    residents = _residents("gjovikregionen", 2005)
    share = _internal_share(_home(residents), len(residents), Parameters().outside_mover_pull)
    assert np.average(share, weights=residents) == pytest.approx(0.1104, abs=0.002)
    assert share.argmin() == 0  # Gjøvik, the largest, keeps the fewest of its movers in the region


def test_a_municipality_that_is_nearly_its_region_sends_few_movers_to_the_rest():
    """Bodø (96 % of Bodøregionen) sends under 1 % of its movers to Gildeskål; Gildeskål 5-20 % to Bodø."""
    residents = _residents("bodo", 2026)
    share = _internal_share(_home(residents), len(residents), Parameters().outside_mover_pull)
    bodo, gildeskal = share
    assert bodo < 0.01 < 0.05 < gildeskal < 0.20
    flows = residents * share  # movers a year per unit of the moving rate
    assert flows[0] == pytest.approx(flows[1], rel=0.15)  # gravity: the two flows about balance


def test_the_settlement_pull_recovers_a_pull_the_model_was_run_with(baseline):
    """Net migration made under a known pull, handed to the rule as observed: it finds that pull again."""
    short = baseline.model_copy(update={"base_year": 2018, "years": Years(start=2018, end=2022)})
    region = cached_region(Path(short.region_folder))
    known = np.array([0.7, 1.0, 1.3, 1.8, 0.8])
    truth = settlement.with_pull(short, region, known)
    years = range(2018, 2022)
    with executor(ExecutorChoice(workers=1)) as run:
        made = settlement.outcomes(run, truth, 4, 7)
        inflow, outflow = settlement.modelled_flows(made, region, years)
        start_in, start_out = settlement.modelled_flows(settlement.outcomes(run, short, 4, 7), region, years)
        fitted, _ = settlement.derive_pull(run, short, region, years, 4, 7, observed=inflow - outflow)
    found = settlement.pull_of(fitted, region)
    assert found / found[0] == pytest.approx(known / known[0], rel=0.05)
    assert np.abs((inflow - outflow) - (start_in - start_out)).sum() > 300  # the known pull mattered
