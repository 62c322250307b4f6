"""The calibration config: free parameters with bounds, targets with weights, budget.

```yaml
scenario: ../hindcast_2005_2017.yaml             # relative to this file
free:                                            # parameters or context keys (docs/ODD.md)
  migration_peak_rate: [0.10, 0.18]
  context.fertility_scaling: [0.75, 1.05]
targets: {population: 1.0, births: 0.25, deaths: 0.25, in_migrants: 0.25, out_migrants: 0.25, age_structure: 0.5}
fit_years: [2005, 2012]
test_years: [2013, 2017]
age_structure_years: {fit: 2012, test: 2017}
replicates: 4
optimiser: {maxiter: 10, popsize: 6, seed: 1}
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from model.inputs import uncertain
from model.inputs.errors import did_you_mean
from model.inputs.validation import Strict

Pair = Annotated[tuple[float, float], Field(strict=False)]  # YAML gives [a, b] as a list
YearPair = Annotated[tuple[int, int], Field(strict=False)]
TARGET_GROUPS = ("population", "infants", "jobs", "births", "deaths", "in_migrants", "out_migrants", "age_structure")


def known_free(free: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Free values that can be set by name, each with a valid [low, high] (a calibration config's check)."""
    if faults := uncertain.range_faults(free):
        raise ValueError("; ".join(faults))
    return free


def known_targets(targets: dict[str, float]) -> dict[str, float]:
    """Target groups that exist, none with a negative weight (a calibration config's check)."""
    for name, weight in targets.items():
        if name not in TARGET_GROUPS:
            hint = did_you_mean(name, TARGET_GROUPS) or "targets: " + ", ".join(TARGET_GROUPS)
            raise ValueError(f"unknown target {name!r} ({hint})")
        if weight < 0:
            raise ValueError(f"the weight of {name} must not be negative")
    return targets


FreeValues = Annotated[dict[str, Pair], AfterValidator(known_free)]
TargetWeights = Annotated[dict[str, float], AfterValidator(known_targets)]


class Optimiser(Strict):
    """scipy.optimize.differential_evolution settings."""

    maxiter: int = Field(10, ge=0, le=1000)
    """Generations after the first."""
    popsize: int = Field(6, ge=2, le=100)
    """Population size per free parameter."""
    seed: int = Field(1, ge=0)
    """Seed of the optimiser (the model's seeds are `seed` and the replicates)."""
    tolerance: float = Field(0.0, ge=0, le=1)
    """Relative convergence tolerance (0: run the whole budget)."""


class CalibrationConfig(Strict):
    """What to fit, against what, with which budget."""

    scenario: str
    """The hindcast scenario file, relative to this config."""
    free: FreeValues = Field(min_length=1)
    """Free parameters or region-wide context keys (`context.fertility_scaling`) with [low, high] bounds."""
    targets: TargetWeights = Field(min_length=1)
    """Weight of each target group: population, infants, jobs, births, deaths, in_migrants, out_migrants,
    age_structure."""
    fit_years: YearPair
    """First and last year of the fit period (population)."""
    test_years: YearPair
    """First and last year of the test period, never seen by the optimiser."""
    flow_years: YearPair = (2005, 2006)
    """Years of the observed births, deaths and migration used as targets."""
    age_structure_years: dict[str, int] = {"fit": 2012, "test": 2017}
    """Year of the age structure fitted, and of the one tested."""
    carry: list[str] | None = None
    """Free values written to the calibrated overlay (default: all); the others describe the
    hindcast period only (e.g. its immigration trend) and are not carried into projections."""
    settlement_pull: bool = False
    """After the fit, derive each municipality's settlement pull from the net migration of the fit
    years (model/experiments/calibration/settlement.py); the overlay carries it."""
    replicates: int = Field(4, ge=1, le=200)
    """Replicates per evaluation (the same seeds for every candidate)."""
    report_replicates: int = Field(10, ge=1, le=1000)
    """Replicates of the best candidate behind the fit report."""
    seed: int = Field(1, ge=0)
    """Seed of the model runs."""
    optimiser: Optimiser = Optimiser()
    """Optimiser budget."""

    @model_validator(mode="after")
    def _periods(self) -> CalibrationConfig:
        if self.fit_years[1] >= self.test_years[0]:
            raise ValueError("the test period must come after the fit period")
        strays = [name for name in self.carry or () if name not in self.free]
        if strays:
            raise ValueError(f"carry names values that are not free: {', '.join(strays)}")
        return self

    def carried(self) -> list[str]:
        """The free values the calibrated overlay carries into projections."""
        return list(self.free) if self.carry is None else list(self.carry)

    def scenario_path(self, config_path: Path) -> Path:
        """The scenario file, resolved against the config's folder."""
        return (config_path.parent / self.scenario).resolve()
