"""The jobs a user asks for, end to end: run an experiment, then write what a person reads.

Experiments return data and the report layer turns data into pages; these
functions, above both, do one after the other. The command line and the
Python API (``model.compare``, ``model.calibrate``, ``model.sensitivity``) call
the same ones, so a folder looks the same whichever made it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from model.experiments import ensemble as ensemble_runs
from model.experiments import sensitivity as sensitivity_runs
from model.experiments.backtest import run as backtest_runs
from model.experiments.backtest.run import Backtest
from model.experiments.calibration import fit as calibration_runs
from model.experiments.calibration.fit import Calibration
from model.experiments.calibration.region_fit import RegionFit, fit_region, install_overlay
from model.experiments.ensemble import Ensemble
from model.experiments.output_folder import claimed
from model.experiments.sensitivity import Sensitivity
from model.inputs.region import cached_region
from model.inputs.scenario import Scenario


def run_ensemble(scenarios: Sequence[Scenario | str | Path], report: bool = True, **options: Any) -> Ensemble:
    """Replicates of scenarios with common random numbers, then summary.csv, the figures and report.html.

    Args:
        scenarios: scenario objects or files; the first is the baseline.
        report: write the summary, figures and report once some replicate is complete for every scenario.
        **options: those of :func:`model.experiments.ensemble.run_ensemble` (replicates, seed, out,
            workers, dask_local, scheduler, resume, overwrite, progress, uncertainty).
    """

    def write_report(ensemble: Ensemble) -> None:
        from model.report.comparison import write_outputs  # figures load matplotlib: only when needed

        region = cached_region(Path(ensemble.scenarios[0].region_folder))
        ensemble.summary = write_outputs(ensemble, region, ensemble_runs.manifest(ensemble))

    return ensemble_runs.run_ensemble(scenarios, finish=write_report if report else None, **options)


def compare(baseline: Scenario | str | Path, *others: Scenario | str | Path, **options: Any) -> Ensemble:
    """Compare scenarios with a baseline, report included (the options of :func:`run_ensemble`)."""
    return run_ensemble([baseline, *others], **options)


def calibrate(config_path: Path | str, **options: Any) -> Calibration:
    """Fit the free parameters, then write calibrated.yaml, errors.csv, the figures and fit_report.html.

    Args:
        config_path: the calibration config.
        **options: those of :func:`model.experiments.calibration.fit.calibrate` (out, workers, dask_local,
            scheduler, resume, overwrite, progress, observed).
    """
    from model.report.fit_report import write_report  # figures load matplotlib: only when needed

    out = options.pop("out", None)
    with claimed(None if out is None else Path(out), "calibration", "calibrate") as folder:
        calibration = calibration_runs.calibrate(config_path, out=folder, **options)
        write_report(calibration)
    return calibration


def calibrate_region(region: str, **options: Any) -> RegionFit:
    """Calibrate a region as known today by the generic config, write its fit report and install its overlay.

    Args:
        region: a region folder name under scenarios/regions/ (or a path).
        **options: those of :func:`model.experiments.calibration.region_fit.fit_region` (out, config,
            scenario, overlays, resume, overwrite, progress, workers, dask_local, scheduler).
    """
    from model.report.fit_report import write_report

    fit = fit_region(region, **options)
    write_report(fit.calibration)
    install_overlay(fit)
    return fit


def backtest(region: str, origins: Sequence[int], **options: Any) -> Backtest:
    """Project from past origins and score against what followed, then write backtest.html (and fit reports).

    Args:
        region: a region folder name under scenarios/regions/ (or a path).
        origins: the origin years (1 January).
        **options: those of :func:`model.experiments.backtest.run.run_backtest` (out, calibrate, replicates,
            seed, uncertainty, scenario, config, resume, overwrite, progress, workers, dask_local, scheduler).
    """
    from model.report.backtest_report import write_report  # figures load matplotlib: only when needed
    from model.report.fit_report import write_report as write_fit_report

    result = backtest_runs.run_backtest(region, list(origins), on_calibration=write_fit_report, **options)
    write_report(result)
    return result


def sensitivity(config_path: Path | str, **options: Any) -> Sensitivity:
    """Morris and Sobol indices, then their bar charts (sobol.png, morris.png).

    Args:
        config_path: the sensitivity config.
        **options: those of :func:`model.experiments.sensitivity.sensitivity` (out, workers, dask_local,
            scheduler, resume, overwrite, progress).
    """
    from model.report.sensitivity_figures import bar_charts  # figures load matplotlib: only when needed

    out = options.pop("out", None)
    with claimed(None if out is None else Path(out), "sensitivity", "sensitivity") as folder:
        analysis = sensitivity_runs.sensitivity(config_path, out=folder, **options)
        bar_charts(analysis.folder, analysis.tables(), analysis.scenario, analysis.config)
    return analysis
