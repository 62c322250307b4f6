"""`regionsim backtest`: project from past origins, each as known then, and score against what followed.

For each origin: build the region with persons up to it, calibrate on the
years before it with the generic config (unless ``calibrate=False``), project
to the last observed year with the context assumed at the origin, and keep
the projection as a run folder (its tidy table and manifest). Then score the
model and the naive benchmarks on the same cells (errors.csv, one row per
origin, horizon, place, variable and method) and summarise by horizon
(summary.csv). Labels: ``in_sample`` (parameters that saw the years after the
origin), ``look_ahead`` (a start whose jobs structure was observed after the
origin), ``conditional`` (a forecast that uses the observed national outcome:
the national-share benchmark, and the model under ``ex_post``, which feeds
Norway's observed fertility and age structure after the origin).

An interrupted backtest, run again with ``resume=True``, keeps every origin's
region, calibration evaluations and finished replicates.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from model.experiments.backtest.forecasts import MODEL, model_forecasts, naive_table
from model.experiments.backtest.observed import FLOWS, national_labour, observed_series
from model.experiments.backtest.origins import (
    OriginRun,
    build_at_origin,
    calibrate_at_origin,
    projection_scenario,
)
from model.experiments.backtest.scores import by_horizon, cell_errors
from model.experiments.calibration.fit import Calibration
from model.experiments.calibration.origin import (
    DEFAULT_CONFIG,
    ROOT,
    load_region_calibration,
    origin_context,
    shipped_baseline,
    template,
    window,
)
from model.experiments.calibration.persistence import migration_persistence
from model.experiments.ensemble import manifest, run_ensemble
from model.experiments.fingerprint import fingerprints
from model.experiments.interrupted import Interrupted
from model.experiments.output_folder import claimed
from model.experiments.run_folder import build_versions, git_commit
from model.experiments.store import open_work_folder, write_atomically
from model.inputs.errors import InputError, Problem
from model.inputs.municipal.dataset import load_municipal_data
from model.inputs.region import cached_region, resolve_region_folder
from model.inputs.scenario import Scenario

STATE = "backtest.json"
FIRST_ORIGIN = 2008  # three years of persons before it (from 2005) for a calibration window


@dataclass
class Backtest:
    """A finished backtest: its folder, the scored cells and their summary by horizon."""

    folder: Path
    region: str
    origins: list[int]
    calibrated: bool
    errors: pd.DataFrame
    summary: pd.DataFrame
    uncertainty: bool = False
    """Whether the bands draw the calibrated values' ranges too (else they show chance only)."""


def check_origins(origins: list[int], last_year: int) -> list[int]:
    """Origins sorted, each with a calibration window before it and an observed year after it."""
    bad = [o for o in origins if not FIRST_ORIGIN <= o < last_year]
    if bad or not origins:
        raise InputError(
            Problem(
                "regionsim backtest",
                f"origin(s) {', '.join(map(str, bad)) or 'none'} outside {FIRST_ORIGIN}-{last_year - 1}",
                key="--origins",
                hint="an origin needs persons from 2005 before it and an observed year after it, e.g. 2014 2018",
            )
        )
    return sorted(set(origins))


def run_backtest(
    region: str,
    origins: list[int],
    out: Path | str | None = None,
    calibrate: bool = True,
    replicates: int = 10,
    seed: int | None = None,
    uncertainty: bool = False,
    ex_post: bool = False,
    scenario: Path | str | None = None,
    config: Path | str = DEFAULT_CONFIG,
    resume: bool = False,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
    on_calibration: Callable[[Calibration], None] | None = None,
    **executor: Any,
) -> Backtest:
    """Run the backtest of a region folder at every origin and score it (see the module).

    `on_calibration` receives each origin's finished calibration (the workflow writes its fit report).
    """
    try:
        shipped = cached_region(resolve_region_folder(region))
    except KeyError as error:
        hint = f"{error.args[0]}; or a path to a region folder"
        raise InputError(Problem("regionsim backtest", f"no region {region!r}", key="REGION", hint=hint)) from None
    name = shipped.folder.name
    scenario_path = Path(scenario) if scenario is not None else shipped_baseline(shipped)
    shipped_scenario = Scenario.from_yaml(scenario_path)
    data = load_municipal_data()
    last_year = data.population_years[-1]
    origins = check_origins(list(origins), last_year)
    config_path = Path(config).resolve()
    generic = load_region_calibration(config_path) if calibrate else None
    folder = Path(out) if out is not None else ROOT / "results" / f"backtest-{name}"
    base = template(shipped_scenario, generic)
    seed = shipped_scenario.seed if seed is None else seed
    description = {
        "fingerprints": fingerprints(shipped.folder),
        "region": str(shipped.folder),
        "origins": origins,
        "calibrate": calibrate,
        "replicates": replicates,
        "seed": seed,
        "uncertainty": uncertainty,
        "ex_post": ex_post,
        "scenario": str(scenario_path),
        "template": base,
        "config": None if generic is None else generic.model_dump(mode="json"),
    }
    with claimed(folder, "backtest", f"backtest-{name}"):
        try:
            open_work_folder(folder, STATE, description, resume, overwrite)
            say = progress or (lambda _message: None)
            runs: list[tuple[OriginRun, pd.DataFrame]] = []
            for origin in origins:
                origin_folder = folder / "origins" / str(origin)
                say(f"origin {origin}: building {shipped.name} as known on 1 January {origin}")
                known = build_at_origin(shipped, origin, origin_folder, f"{name}-{origin}")
                calibration, context, persistence = None, None, None
                if generic is not None:
                    context = origin_context(known, origin, generic)
                    persistence = migration_persistence(data, known.national, origin, generic.window_years)
                    start, _ = window(known, origin, generic)
                    say(f"origin {origin}: calibrating on 1 January {start}-{origin}")
                    calibration = calibrate_at_origin(
                        known, origin, origin_folder, base, generic, config_path, **executor
                    )
                    if on_calibration is not None:
                        on_calibration(calibration)
                projection = projection_scenario(
                    known,
                    origin,
                    last_year,
                    base,
                    origin_folder,
                    calibration,
                    shipped_scenario.uncertainty,
                    ex_post,
                    context,
                    persistence,
                )
                say(f"origin {origin}: projecting {replicates} replicates to {last_year}")
                outcomes = _project(projection, origin_folder / "run", replicates, seed, uncertainty, executor)
                look_ahead = known.snapshot(origin).look_ahead
                run = OriginRun(origin, origin_folder, known, projection, calibration is not None, look_ahead, ex_post)
                runs.append((run, outcomes))
            codes = list(shipped.numbers)
            observed = observed_series(data, codes, list(shipped.municipalities), shipped.name)
            errors = score(runs, observed, national_labour(data))
            summary = summarise(errors, shipped.name)
            write_atomically(folder / "errors.csv", lambda p: errors.to_csv(p, index=False, float_format="%.10g"))
            write_atomically(folder / "summary.csv", lambda p: summary.to_csv(p, index=False, float_format="%.4g"))
            stamp = {"versions": build_versions(), "git_commit": git_commit(), "command": description}
            write_atomically(
                folder / "manifest.json", lambda p: p.write_text(json.dumps(stamp, indent=2, ensure_ascii=False))
            )
            return Backtest(folder, shipped.name, origins, calibrate, errors, summary, uncertainty)
        except Interrupted as stopped:  # keep what finished: calibrations and projections resume
            raise Interrupted(folder, f"the origins before this one, and {stopped.kept} of it,") from None


def _project(
    scenario: Scenario, out: Path, replicates: int, seed: int, uncertainty: bool, executor: dict[str, Any]
) -> pd.DataFrame:
    """The projection's replicates in its run folder (resumed if started), with its tidy table and manifest."""
    ensemble = run_ensemble(
        [scenario],
        replicates=replicates,
        seed=seed,
        out=out,
        resume=True,  # a fresh backtest folder starts empty; a resumed one keeps the finished replicates
        uncertainty=uncertainty and bool(scenario.uncertainty),
        **executor,
    )
    if ensemble.failures:
        raise InputError(Problem(scenario.source or scenario.name, f"a projection run failed: {ensemble.failures[0]}"))
    outcomes = ensemble.outcomes()
    write_atomically(out / "outcomes.csv", lambda p: outcomes.to_csv(p, index=False))
    write_atomically(
        out / "manifest.json", lambda p: p.write_text(json.dumps(manifest(ensemble), indent=2, ensure_ascii=False))
    )
    return outcomes


def score(runs: list[tuple[OriginRun, pd.DataFrame]], observed: pd.DataFrame, national: dict) -> pd.DataFrame:
    """Every forecast cell, model and naive, beside its observation, with its labels."""
    parts = []
    for run, outcomes in runs:
        model = model_forecasts(outcomes, run.origin).assign(
            in_sample=not run.calibrated, look_ahead=run.look_ahead, conditional=run.ex_post
        )
        naive = naive_table(observed, national, run.origin).assign(in_sample=False, look_ahead=False)
        parts += [model, naive]
    forecasts = pd.concat(parts, ignore_index=True)
    errors = cell_errors(forecasts, observed, FLOWS).rename(columns={"value": "forecast"})
    columns = [
        "origin", "horizon", "year", "place", "variable", "method", "forecast", "observed", "error", "scale",
        "error_pct", "low", "high", "covered", "base_from", "in_sample", "look_ahead", "conditional",
    ]  # fmt: skip
    return errors[columns].sort_values(["origin", "variable", "place", "method", "year"], ignore_index=True)


def summarise(errors: pd.DataFrame, region: str) -> pd.DataFrame:
    """MAPE, MALPE, the shares within 2 % and 5 % and coverage by level, variable, method and horizon."""
    levelled = errors.assign(level=(errors["place"] == region).map({True: "region", False: "municipalities"}))
    return by_horizon(levelled, ["level"]).sort_values(["level", "variable", "horizon", "method"], ignore_index=True)


__all__ = ["MODEL", "Backtest", "run_backtest"]
