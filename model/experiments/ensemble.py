"""Ensembles and comparisons: many replicates of several scenarios, safely on disk.

Replicate i of every scenario uses (seed, i): common random numbers, so the
differences between scenarios are the strategies', not chance's. With
``uncertainty=True`` replicate i also takes row i of a Latin hypercube over
the ranges the baseline declares (``uncertainty:``), the same row in every
scenario, so bands hold parameter and context uncertainty as well as chance. Each
finished replicate is written as it completes; a killed ensemble, run again
with ``resume=True``, runs only what is missing and ends with the same
tables. The summary, figures and report are built from the files on disk.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from model.experiments.executors import ExecutorChoice, Outcome, Task, executor
from model.experiments.fingerprint import fingerprints
from model.experiments.interrupted import Interrupted
from model.experiments.output_folder import claimed, mark, slug
from model.experiments.run_folder import build_versions, git_commit
from model.experiments.runner import as_scenario
from model.experiments.store import EnsembleStore, write_atomically
from model.inputs.errors import InputError, Problem
from model.inputs.scenario import Scenario
from model.inputs.uncertain import DRAWS_FILE, latin_hypercube, manifest_entry, set_values

ProgressCallback = Callable[[int, int], None]


@dataclass
class Ensemble:
    """A finished (or partly failed) ensemble in its folder.

    Attributes:
        folder: where its files are.
        scenarios: the scenarios as run (the first is the baseline of a comparison).
        replicates: replicates per scenario asked for.
        seed: the seed of replicate 0.
        failures: replicates that raised: scenario, replicate, error.
        draws: the parameter and context values of each replicate with --uncertainty, else None.
        summary: the summary table at the horizon, once the report layer has written it (else None).
        seconds: wall time of the runs made now.
        executor: where the runs were made (for the manifest).
    """

    folder: Path
    scenarios: list[Scenario]
    replicates: int
    seed: int
    failures: list[dict] = field(default_factory=list)
    draws: pd.DataFrame | None = None
    summary: pd.DataFrame | None = None
    seconds: float = 0.0
    executor: ExecutorChoice = field(default_factory=ExecutorChoice)

    @property
    def store(self) -> EnsembleStore:
        """The replicate files."""
        return EnsembleStore(self.folder)

    def complete_replicates(self) -> list[int]:
        """Replicates finished for every scenario: the pairs a comparison can use."""
        sets = [set(self.store.replicates(s.name)) for s in self.scenarios]
        return sorted(set.intersection(*sets)) if sets else []

    def outcomes(self, scenario: str | None = None, variables: list[str] | None = None) -> pd.DataFrame:
        """Outcome rows of one scenario (default: the first), read from disk."""
        name = scenario or self.scenarios[0].name
        return self.store.outcomes(name, self.store.replicates(name), variables)


def _resolve(
    scenarios: Sequence[Scenario | str | Path], replicates: int | None, seed: int | None
) -> tuple[list[Scenario], int, int]:
    resolved = [as_scenario(s) for s in scenarios]
    names = [s.name for s in resolved]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise InputError(
            Problem(
                resolved[0].source or "scenarios",
                f"scenario names must differ: {', '.join(duplicated)}",
                hint="give each a `name`",
            )
        )
    folders: dict[str, str] = {}
    for name in names:
        other = folders.setdefault(slug(name).lower(), name)
        if other != name:
            raise InputError(
                Problem(
                    resolved[0].source or "scenarios",
                    f"scenario names {other!r} and {name!r} give the same folder name ({slug(name)!r}), "
                    "so their replicates would share files",
                    hint="rename one of them (`name:` in its file)",
                )
            )
    regions = {s.region_folder for s in resolved}
    if len(regions) > 1:
        raise InputError(Problem(resolved[0].source or "scenarios", "compared scenarios must share one region"))
    count = replicates or max(s.replicates for s in resolved)
    common_seed = resolved[0].seed if seed is None else seed
    resolved = [s.model_copy(update={"seed": common_seed, "replicates": count}) for s in resolved]
    return resolved, count, common_seed


def uncertainty_draws(scenarios: list[Scenario], replicates: int, seed: int) -> pd.DataFrame:
    """One row of parameter and context values per replicate, from the baseline's declared ranges.

    Every scenario gets the same rows, so a comparison stays paired; a scenario
    that declares other ranges than the baseline is an error, not a silent choice.
    """
    baseline = scenarios[0]
    if not baseline.uncertainty:
        raise InputError(
            Problem(
                baseline.source or baseline.name,
                "--uncertainty needs ranges, and the scenario declares none",
                key="uncertainty",
                hint="add e.g. `uncertainty: {migration_peak_rate: plausible, context.fertility_scaling: [0.9, 1.05]}`",
            )
        )
    for other in scenarios[1:]:
        if other.uncertainty and other.uncertainty != baseline.uncertainty:
            raise InputError(
                Problem(
                    other.source or other.name,
                    "declares other uncertainty ranges than the baseline; a comparison draws the same values for all",
                    key="uncertainty",
                    hint="declare the ranges in the baseline only (overlays that extend it inherit them)",
                )
            )
    return latin_hypercube(baseline.uncertainty_ranges(), replicates, seed)


def run_ensemble(
    scenarios: Sequence[Scenario | str | Path],
    replicates: int | None = None,
    seed: int | None = None,
    out: Path | str | None = None,
    workers: int | None = None,
    dask_local: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
    uncertainty: bool = False,
    finish: Callable[[Ensemble], None] | None = None,
) -> Ensemble:
    """Run replicates of one or more scenarios with common random numbers, into a folder.

    With several scenarios the first is the baseline the others are compared
    with. This writes the replicates only: ``model.workflows.run_ensemble``
    (the API's ``run_ensemble`` and ``compare``) then adds summary.csv, the
    figures and report.html.

    Args:
        scenarios: scenario objects or files; the first is the baseline.
        replicates: replicates per scenario (default: the largest the scenarios ask for).
        seed: seed of replicate 0 for every scenario (default: the first scenario's).
        out: the folder (default: results/compare-<time> or results/<name>-<time>).
        workers: local processes (default: all cores; 1 runs in this process).
        dask_local: run on a local Dask cluster of this many workers.
        scheduler: run on the Dask cluster with this scheduler address.
        resume: finish an interrupted ensemble in `out`.
        overwrite: replace an existing results folder in `out`.
        progress: called with (done, total) after each replicate.
        uncertainty: draw the baseline's declared parameter and context ranges per replicate.
        finish: writes what a person reads (summary, figures, report) while the folder is still claimed.

    The folder is claimed for the whole job (model/experiments/output_folder.py): a second process
    with the same folder, or an --overwrite of it, is refused while this one runs.
    """
    resolved, count, common_seed = _resolve(scenarios, replicates, seed)
    draws = uncertainty_draws(resolved, count, common_seed) if uncertainty else None
    choice = ExecutorChoice(workers=workers, dask_local=dask_local, scheduler=scheduler)
    name = "compare" if len(resolved) > 1 else resolved[0].name
    with claimed(None if out is None else Path(out), "ensemble", name) as out:
        store = EnsembleStore(Path(out))
        description = {
            "scenarios": [s.resolved_dict() for s in resolved],
            "scenario_files": [s.source for s in resolved],
            "seed": common_seed,
            "replicates": count,
            "uncertainty_draws": None if draws is None else draws.to_dict(orient="list"),
            "fingerprints": fingerprints(resolved[0].region_folder),
        }
        store.open(description, resume=resume, overwrite=overwrite)
        ensemble = Ensemble(Path(out), resolved, count, common_seed, draws=draws, executor=choice)
        if draws is not None:
            write_atomically(Path(out) / DRAWS_FILE, lambda p: draws.to_csv(p, float_format="%.17g"))
        tasks = [
            Task(s if draws is None else set_values(s, draws.loc[r].to_dict()), r)
            for r in range(count)
            for s in resolved
            if not store.done(s.name, r)
        ]
        total, done = len(resolved) * count, len(resolved) * count - len(tasks)
        if progress:
            progress(done, total)
        started = time.perf_counter()
        if tasks:
            try:
                with executor(choice) as run:
                    for outcome in run(tasks):
                        _keep(outcome, store, ensemble)
                        done += 1
                        if progress:
                            progress(done, total)
            except KeyboardInterrupt:
                raise Interrupted(Path(out), f"{done} of {total} replicates") from None
        ensemble.seconds = time.perf_counter() - started
        if tasks and ensemble.failures and not ensemble.complete_replicates():
            raise EnsembleFailed(ensemble)
        try:
            if finish is not None and ensemble.complete_replicates():
                finish(ensemble)
            mark(out, "ensemble", finished=not ensemble.failures and len(ensemble.complete_replicates()) == count)
        except OSError as error:
            raise _unwritable(out, error) from None
    return ensemble


class EnsembleFailed(RuntimeError):
    """Every replicate failed: there is nothing to summarise (a script without the __main__ guard, for one)."""

    def __init__(self, ensemble: Ensemble):
        self.ensemble = ensemble
        first = ensemble.failures[0]
        guard = (
            " (the worker processes ended: a script that starts them needs `if __name__ == '__main__':` around"
            " its calls)"
            if any(sign in first["error"] for sign in ("__main__", "bootstrapping phase", "BrokenProcessPool"))
            else ""
        )
        super().__init__(
            f"all {len(ensemble.failures)} replicates failed; the first, {first['scenario']} replicate "
            f"{first['replicate']}: {first['error']}{guard}"
        )


def _unwritable(folder: Path, error: OSError) -> InputError:
    """A full disk or a lost mount while writing: one line; the replicates written so far stay for --resume."""
    return InputError(
        Problem(
            folder,
            f"cannot write the results ({error.strerror or error})",
            hint="free space, then run the same command with --resume",
        )
    )


def _keep(outcome: Outcome, store: EnsembleStore, ensemble: Ensemble) -> None:
    if outcome.result is not None:
        try:
            store.save(outcome.result)
        except OSError as error:
            raise _unwritable(store.folder, error) from None
    else:
        ensemble.failures.append(
            {"scenario": outcome.task.scenario.name, "replicate": outcome.task.replicate, "error": outcome.error}
        )


def manifest(ensemble: Ensemble, choice: ExecutorChoice | None = None) -> dict:
    """What manifest.json records of a comparison: scenarios, seed, replicates, failures, executor, versions."""
    return {
        "scenarios": [s.resolved_dict() for s in ensemble.scenarios],
        "scenario_files": [s.source for s in ensemble.scenarios],
        "seed": ensemble.seed,
        "replicates_asked": ensemble.replicates,
        "replicates_used": ensemble.complete_replicates(),
        "failures": ensemble.failures,
        "uncertainty": None
        if ensemble.draws is None
        else manifest_entry(ensemble.scenarios[0].uncertainty_ranges(), ensemble.draws),
        "executor": (choice or ensemble.executor).describe(),
        "wall_time_seconds_this_session": round(ensemble.seconds, 3),
        "versions": build_versions(),
        "git_commit": git_commit(),
    }
