"""Calibration against the region's history, with a test period the optimiser never sees.

The loss of a candidate is the weighted mean, over target groups (population
and infants per municipality and year, births, deaths and migration, age
structure), of the mean
squared relative error of the simulated values (the mean of `replicates` runs
with the same seeds for every candidate: common random numbers) against the
observed ones, over the fit period only:

    loss = sum_g w_g * mean((sim - obs)^2 / max(obs, 100)^2 over the group's cells) / sum_g w_g

(a count below 100 persons is judged relative to 100, see observed.COUNT_FLOOR; shares
of the age structure relative to themselves).

Candidates are proposed by scipy's differential evolution and evaluated on
the ensemble executors (process pool or Dask). Every evaluation is written to
evaluations.csv as soon as its batch is done; an interrupted calibration
resumes by replaying the optimiser, which asks for the same candidates again
and finds them in that file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import differential_evolution

from model.experiments.calibration import settlement
from model.experiments.calibration.config import TARGET_GROUPS, CalibrationConfig
from model.experiments.calibration.observed import FLOWS, errors, observed_targets, simulated_targets
from model.experiments.executors import ExecutorChoice, Task, executor
from model.experiments.fingerprint import fingerprints
from model.experiments.interrupted import Interrupted
from model.experiments.run_folder import default_run_folder
from model.experiments.store import open_work_folder, write_atomically
from model.inputs.errors import InputError, Problem
from model.inputs.region import RegionData, cached_region
from model.inputs.scenario import Scenario
from model.inputs.uncertain import set_values, value_of
from model.inputs.validation import validate_document
from model.inputs.yamlio import read_yaml

STATE = "calibration.json"
EVALUATIONS = "evaluations.csv"


@dataclass
class Calibration:
    """A finished calibration: the best values, its loss and errors, its folder, and what its report shows.

    Attributes:
        folder: the calibration folder (state, evaluations; the report layer adds the overlay and the fit report).
        best: the best value of each free parameter.
        loss: the best candidate's loss.
        errors: errors per period and target of the best candidate (MAPE %, RMSE).
        config: the calibration config as validated.
        config_path: its file.
        scenario: the hindcast scenario the candidates were set on.
        runs: the best candidate's errors per place, year and target over the report replicates; its
            ``attrs["outcomes"]`` holds their outcome table.
        region: the region data set.
        history: the loss of every evaluated candidate, this session and earlier ones, by its free values.
        settlement_pull: each municipality's settlement pull derived after the fit (empty unless the
            config asks for it); `runs` were made with it.
    """

    folder: Path
    best: dict[str, float]
    loss: float
    errors: pd.DataFrame
    config: CalibrationConfig
    config_path: Path
    scenario: Scenario
    runs: pd.DataFrame
    region: RegionData
    history: dict[tuple, float]
    settlement_pull: dict[str, float] = field(default_factory=dict)

    @property
    def evaluations(self) -> int:
        """Candidates evaluated, this session and earlier ones."""
        return len(self.history)


def load_config(path: Path | str) -> CalibrationConfig:
    """Read and validate a calibration config."""
    return validate_document(read_yaml(Path(path)), CalibrationConfig)


def group_errors(
    table: pd.DataFrame, config: CalibrationConfig, base_year: int, period: str
) -> dict[str, pd.DataFrame]:
    """The error rows of each target group in the fit or test period."""
    first, last = config.fit_years if period == "fit" else config.test_years
    years = table["year"].between(max(first, base_year + 1), last)
    groups = {name: table[(table["target"] == name) & years] for name in ("population", "infants", "jobs")}
    if period == "fit":
        for flow in FLOWS:
            groups[flow] = table[(table["target"] == flow) & table["year"].between(*config.flow_years)]
    age_year = config.age_structure_years[period]
    groups["age_structure"] = table[table["target"].str.startswith("share_") & (table["year"] == age_year)]
    return groups


def loss_of(table: pd.DataFrame, config: CalibrationConfig, base_year: int) -> float:
    """The documented loss over the fit period."""
    groups = group_errors(table, config, base_year, "fit")
    total = weights = 0.0
    for name, weight in config.targets.items():
        rows = groups.get(name)
        if rows is None or rows.empty or weight == 0:
            continue
        total += weight * float((rows["relative_error"] ** 2).mean())
        weights += weight
    return total / weights


def summarise(table: pd.DataFrame, config: CalibrationConfig, base_year: int) -> pd.DataFrame:
    """MAPE (%) and RMSE per target group and period."""
    rows = []
    for period in ("fit", "test"):
        for name, group in group_errors(table, config, base_year, period).items():
            if group.empty:
                continue
            rows.append(
                {
                    "period": period,
                    "target": name,
                    "cells": len(group),
                    "mape_percent": 100 * float(group["relative_error"].abs().mean()),
                    "rmse": float(np.sqrt((group["error"] ** 2).mean())),
                }
            )
    return pd.DataFrame(rows)


def calibrate(
    config_path: Path | str,
    out: Path | str | None = None,
    workers: int | None = None,
    dask_local: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
    observed: pd.DataFrame | None = None,
) -> Calibration:
    """Fit the free parameters to the hindcast's fit period; measure fit and test errors.

    The folder gets the state and the evaluations (so an interrupted fit can
    resume); ``model.workflows.calibrate`` (the API's ``calibrate``) then writes
    the overlay and the fit report from the returned result.

    `observed` replaces the region's observed targets (same columns as
    :func:`observed_targets`), e.g. by targets the model itself produced with
    known parameters, to check that calibration recovers them.
    """
    config_path = Path(config_path)
    config = load_config(config_path)
    scenario = Scenario.from_yaml(config.scenario_path(config_path))
    region = cached_region(Path(scenario.region_folder))
    base_year = scenario.base_year or region.latest_snapshot
    observed = observed_targets(region) if observed is None else observed
    folder = Path(out) if out is not None else default_run_folder(scenario.model_copy(update={"name": "calibrate"}))
    description = {
        "config": config.model_dump(mode="json"),
        "scenario": scenario.resolved_dict(),
        "fingerprints": fingerprints(scenario.region_folder),
    }
    cache = _open(folder, description, resume, overwrite)
    names = list(config.free)
    choice = ExecutorChoice(workers=workers, dask_local=dask_local, scheduler=scheduler)
    budget = config.optimiser.popsize * len(names) * (config.optimiser.maxiter + 1)

    def key(x: np.ndarray) -> tuple[float, ...]:
        return tuple(round(float(v), 12) for v in x)

    total_runs = budget * config.replicates  # the bar counts runs: every candidate is `replicates` of them
    if progress:
        progress(len(cache) * config.replicates, total_runs)
    try:
        with executor(choice) as run:
            if config.settlement_pull:  # first at the centre of the free ranges, so the optimiser fits with it
                centre = {name: (low + high) / 2 for name, (low, high) in config.free.items()}
                derived, _ = _pull(run, set_values(scenario, centre), config, region, base_year)
                scenario = settlement.with_pull(scenario, region, settlement.pull_of(derived, region))

            def evaluate(_func, candidates) -> list[float]:
                candidates = [np.asarray(c) for c in candidates]
                missing = list({key(c): c for c in candidates if key(c) not in cache}.values())
                tasks = [
                    Task(set_values(scenario, dict(zip(names, c, strict=True))), r, config.seed)
                    for c in missing
                    for r in range(config.replicates)
                ]
                by_candidate: dict[tuple, list] = {key(c): [] for c in missing}
                runs_done = len(cache) * config.replicates
                for outcome in run(tasks):
                    if outcome.error:
                        raise InputError(Problem(config_path, f"a candidate run failed: {outcome.error}"))
                    candidate = _candidate_of(outcome.task.scenario, names)
                    by_candidate[candidate].append(outcome.result.outcomes)
                    # A candidate is kept as soon as its runs are in: Ctrl-C loses none that finished.
                    if len(by_candidate[candidate]) == config.replicates:
                        table = errors(simulated_targets(pd.concat(by_candidate[candidate]), region), observed)
                        cache[candidate] = loss_of(table, config, base_year)
                        _save(folder, names, cache)
                    runs_done += 1
                    if progress:
                        progress(runs_done, total_runs)
                return [cache[key(c)] for c in candidates]

            result = differential_evolution(
                lambda x: 0.0,  # the real objective is evaluated in batches by `evaluate`
                bounds=[config.free[n] for n in names],
                maxiter=config.optimiser.maxiter,
                popsize=config.optimiser.popsize,
                seed=config.optimiser.seed,
                tol=config.optimiser.tolerance,
                polish=False,
                updating="deferred",
                workers=evaluate,
            )
            best = dict(zip(names, map(float, result.x), strict=True))
            fitted, outcomes = set_values(scenario, best), None
            if config.settlement_pull:  # again with the best values
                fitted, outcomes = _pull(run, fitted, config, region, base_year)
            table = _report_runs(run, fitted, config, region, observed, outcomes)
    except KeyboardInterrupt:
        raise Interrupted(folder, f"{len(cache)} of about {budget} evaluations") from None
    summary = summarise(table, config, base_year)
    pull = dict(fitted.context.settlement_pull) if config.settlement_pull else {}
    return Calibration(
        folder, best, float(result.fun), summary, config, config_path, scenario, table, region, cache, pull
    )


def _pull(run, scenario: Scenario, config: CalibrationConfig, region, base_year: int) -> tuple[Scenario, pd.DataFrame]:
    """The scenario with its settlement pull derived from the fit years, and its last runs."""
    years = range(max(config.fit_years[0], base_year), config.fit_years[1])
    replicates = max(config.replicates, config.report_replicates)
    return settlement.derive_pull(run, scenario, region, years, replicates, config.seed)


def _candidate_of(scenario: Scenario, names: list[str]) -> tuple[float, ...]:
    """The free values a candidate scenario was built with (its cache key)."""
    return tuple(round(value_of(scenario, name), 12) for name in names)


def _report_runs(
    run, scenario: Scenario, config: CalibrationConfig, region, observed: pd.DataFrame, table: pd.DataFrame | None
) -> pd.DataFrame:
    """Errors of the best candidate over more replicates, fit and test periods alike (`table`: its runs, if made)."""
    if table is None:
        table = settlement.outcomes(run, scenario, max(config.replicates, config.report_replicates), config.seed)
    joined = errors(simulated_targets(table, region), observed)
    joined.attrs["outcomes"] = table
    return joined


def _open(folder: Path, description: dict, resume: bool, overwrite: bool) -> dict[tuple, float]:
    """Start a calibration folder or reopen one; returns the evaluations already made."""
    return _load(folder) if open_work_folder(folder, STATE, description, resume, overwrite) else {}


def _load(folder: Path) -> dict[tuple, float]:
    path = folder / EVALUATIONS
    if not path.is_file():
        return {}
    table = pd.read_csv(path)
    names = [c for c in table.columns if c not in ("evaluation", "loss")]
    return {tuple(round(float(v), 12) for v in row[names]): float(row["loss"]) for _, row in table.iterrows()}


def _save(folder: Path, names: list[str], cache: dict[tuple, float]) -> None:
    table = pd.DataFrame([list(k) for k in cache], columns=names)
    table.insert(0, "evaluation", range(1, len(table) + 1))
    table["loss"] = list(cache.values())
    write_atomically(folder / EVALUATIONS, lambda p: table.to_csv(p, index=False, float_format="%.17g"))


__all__ = ["TARGET_GROUPS", "Calibration", "calibrate", "load_config", "loss_of", "summarise"]
