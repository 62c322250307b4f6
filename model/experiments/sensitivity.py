"""Global sensitivity analysis with SALib: which parameters drive the answers.

A config names the parameters (ranges from docs/ODD.md or given) and the
scenarios; every sample of the design runs the baseline (population and jobs
at the horizon, region and municipalities), and with a strategy scenario
also that scenario without its strategies (net jobs of the strategy) and
under the other kind of cooperation (the joint-versus-fragmented gap). All
samples use the same seeds (common random numbers), so differences between
samples are the parameters', not chance's; `replicates` averages chance away
further.

Morris screening ranks many parameters cheaply (mu*, the mean absolute
elementary effect, with a bootstrap interval); Sobol indices (first order S1
and total ST, with intervals) apportion the variance of each outcome. Runs go
to the ensemble executors; each finished run is kept in runs.csv, so an
interrupted analysis resumes where it stopped.

```yaml
scenario: ../baseline.yaml
strategy: ../byregion_strategy.yaml      # optional: net jobs and the cooperation gap
parameters: {migration_peak_rate: plausible, context.fertility_scaling: [0.85, 1.05]}
method: both                             # morris, sobol or both
morris: {trajectories: 10, levels: 4}
sobol: {base_samples: 64}
replicates: 1
seed: 1
```
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field, field_validator, model_validator
from SALib.analyze import morris as morris_analysis
from SALib.analyze import sobol as sobol_analysis
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from model.experiments.evaluate import horizon_values
from model.experiments.executors import ExecutorChoice, Task, executor
from model.experiments.fingerprint import fingerprints
from model.experiments.interrupted import Interrupted
from model.experiments.run_folder import default_run_folder
from model.experiments.store import open_work_folder, write_atomically
from model.inputs import uncertain
from model.inputs.errors import InputError, Problem
from model.inputs.region import cached_region
from model.inputs.scenario import Scenario
from model.inputs.validation import Strict, validate_document
from model.inputs.yamlio import read_yaml

STATE = "sensitivity.json"
RUNS = "runs.csv"
Range = Annotated[tuple[float, float], Field(strict=False)]
CONFIDENCE = 0.95
SAVE_EVERY = 25  # runs between rewrites of runs.csv


class MorrisSettings(Strict):
    """Morris screening design."""

    trajectories: int = Field(10, ge=2, le=10_000)
    """Trajectories r; the design has r (k + 1) samples for k parameters."""
    levels: int = Field(4, ge=2, le=20)
    """Grid levels p of each parameter's range."""


class SobolSettings(Strict):
    """Sobol design (Saltelli's scheme)."""

    base_samples: int = Field(64, ge=4, le=65_536)
    """Base samples N (a power of 2); the design has N (k + 2) samples for k parameters."""
    resamples: int = Field(200, ge=10, le=10_000)
    """Bootstrap resamples behind the confidence intervals."""


class SensitivityConfig(Strict):
    """What to vary, over which ranges, with which budget."""

    scenario: str
    """The scenario every sample runs (e.g. the baseline), relative to this config."""
    strategy: str | None = None
    """A scenario with strategies: adds net jobs against it without them, and the cooperation gap."""
    parameters: dict[str, Literal["plausible"] | Range] = Field(min_length=2)
    """Parameters or context keys, each `plausible` (its range in docs/ODD.md) or [low, high]."""
    method: Literal["morris", "sobol", "both"] = "both"
    """Morris screening, Sobol indices, or both."""
    morris: MorrisSettings = MorrisSettings()
    sobol: SobolSettings = SobolSettings()
    replicates: int = Field(1, ge=1, le=100)
    """Replicates per sample, averaged (the same seeds for every sample)."""
    seed: int = Field(1, ge=0)
    """Seed of the designs and of the model runs."""

    @field_validator("parameters")
    @classmethod
    def _known(cls, parameters: dict) -> dict:
        if faults := uncertain.range_faults(parameters):
            raise ValueError("; ".join(faults))
        return parameters

    @model_validator(mode="after")
    def _powers_of_two(self) -> SensitivityConfig:
        n = self.sobol.base_samples
        if self.method != "morris" and n & (n - 1):
            raise ValueError(f"sobol.base_samples must be a power of 2 (got {n}); e.g. {1 << n.bit_length()}")
        return self

    def ranges(self) -> dict[str, tuple[float, float]]:
        """Each parameter's [low, high], `plausible` resolved."""
        return uncertain.resolve(self.parameters)

    def problem(self) -> dict:
        """The SALib problem."""
        ranges = self.ranges()
        return {"num_vars": len(ranges), "names": list(ranges), "bounds": [list(r) for r in ranges.values()]}


@dataclass
class Sensitivity:
    """A finished analysis: its folder and index tables, with the scenario and config its figures name."""

    folder: Path
    morris: pd.DataFrame | None
    sobol: pd.DataFrame | None
    runs: int
    region: str
    scenario: Scenario
    config: SensitivityConfig

    def tables(self) -> dict[str, pd.DataFrame]:
        """The index tables there are, by method."""
        return {k: v for k, v in (("morris", self.morris), ("sobol", self.sobol)) if v is not None}


def load_config(path: Path | str) -> SensitivityConfig:
    """Read and validate a sensitivity config."""
    return validate_document(read_yaml(Path(path)), SensitivityConfig)


def designs(config: SensitivityConfig) -> dict[str, np.ndarray]:
    """The sample matrices of the chosen methods (reproducible from the seed)."""
    problem, chosen = config.problem(), {}
    if config.method in ("morris", "both"):
        chosen["morris"] = morris_sample.sample(
            problem, config.morris.trajectories, num_levels=config.morris.levels, seed=config.seed
        )
    if config.method in ("sobol", "both"):
        chosen["sobol"] = sobol_sample.sample(
            problem, config.sobol.base_samples, calc_second_order=False, seed=config.seed
        )
    return chosen


def variants(config: SensitivityConfig, config_path: Path) -> dict[str, Scenario]:
    """The scenarios each sample runs: the baseline, and a strategy without it and under both cooperations."""
    scenario = Scenario.from_yaml(config_path.parent / config.scenario)
    chosen = {"baseline": scenario}
    if config.strategy is not None:
        strategy = Scenario.from_yaml(config_path.parent / config.strategy)
        if not strategy.levers.strategies:
            raise InputError(Problem(config_path, "the strategy scenario has no strategies", key="strategy"))
        chosen["joint"] = _with_cooperation(strategy, "joint")
        chosen["fragmented"] = _with_cooperation(strategy, "fragmented")
        without = chosen["joint"].without_strategies()
        if not runs_alike(without, scenario):
            chosen["without"] = without  # else the baseline's runs serve (cooperation acts only through strategies)
    return chosen


def runs_alike(a: Scenario, b: Scenario) -> bool:
    """Whether two scenarios without strategies simulate the same (names, seeds and cooperation aside)."""

    def essence(scenario: Scenario) -> dict:
        data = scenario.resolved_dict()
        for key in ("name", "description", "replicates", "seed"):
            data.pop(key, None)
        data["levers"].pop("cooperation", None)
        return data

    return essence(a) == essence(b)


def _with_cooperation(scenario: Scenario, cooperation: str) -> Scenario:
    levers = scenario.levers.model_copy(update={"cooperation": cooperation})
    return scenario.model_copy(update={"levers": levers, "name": f"{scenario.name} {cooperation}"})


def outcomes_of(runs: pd.DataFrame, variant_names: list[str]) -> pd.DataFrame:
    """The named outcomes per sample from the runs (replicates averaged).

    population_<place>, jobs_<place> of the baseline; with a strategy also
    net_jobs_<place> (joint strategy minus the same without strategies, which is
    the baseline's run when the two differ only in cooperation) and
    cooperation_gap_jobs_<place> (joint minus fragmented).
    """
    values = runs.drop(columns="replicate").groupby(["method", "sample", "variant"]).mean()
    base = values.xs("baseline", level="variant")
    table = base[[c for c in base.columns if c.startswith(("population_", "jobs_"))]].copy()
    if "joint" in variant_names:
        joint = values.xs("joint", level="variant")
        without = values.xs("without", level="variant") if "without" in variant_names else base
        fragmented = values.xs("fragmented", level="variant")
        jobs = [c for c in base.columns if c.startswith("jobs_")]
        for column in jobs:
            place = column.removeprefix("jobs_")
            table[f"net_jobs_{place}"] = joint[column] - without[column]
            table[f"cooperation_gap_jobs_{place}"] = joint[column] - fragmented[column]
    return table


def analyse(config: SensitivityConfig, matrices: dict[str, np.ndarray], outcomes: pd.DataFrame) -> dict:
    """Morris and Sobol indices of every outcome, as tidy tables."""
    problem, tables = config.problem(), {}
    if "morris" in matrices:
        rows = []
        for name in outcomes.columns:
            y = outcomes.loc["morris", name].sort_index().to_numpy()
            result = morris_analysis.analyze(
                problem,
                matrices["morris"],
                y,
                num_levels=config.morris.levels,
                conf_level=CONFIDENCE,
                num_resamples=1000,
                seed=config.seed,
            )
            for i, parameter in enumerate(problem["names"]):
                rows.append(
                    {
                        "outcome": name,
                        "parameter": parameter,
                        "mu_star": float(result["mu_star"][i]),
                        "mu_star_conf": float(result["mu_star_conf"][i]),
                        "mu": float(result["mu"][i]),
                        "sigma": float(result["sigma"][i]),
                    }
                )
        tables["morris"] = pd.DataFrame(rows)
    if "sobol" in matrices:
        rows = []
        for name in outcomes.columns:
            y = outcomes.loc["sobol", name].sort_index().to_numpy()
            if np.ptp(y) == 0:  # an outcome no parameter moves: no variance to apportion
                result = {k: np.zeros(problem["num_vars"]) for k in ("S1", "S1_conf", "ST", "ST_conf")}
            else:
                result = sobol_analysis.analyze(
                    problem,
                    y,
                    calc_second_order=False,
                    num_resamples=config.sobol.resamples,
                    conf_level=CONFIDENCE,
                    seed=config.seed,
                )
            for i, parameter in enumerate(problem["names"]):
                rows.append(
                    {
                        "outcome": name,
                        "parameter": parameter,
                        **{k: float(result[k][i]) for k in ("S1", "S1_conf", "ST", "ST_conf")},
                    }
                )
        tables["sobol"] = pd.DataFrame(rows)
    return tables


def ranking(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Parameters ranked per outcome: by total Sobol index ST if computed, else by Morris mu*."""
    if "sobol" in tables:
        table, by = tables["sobol"], "ST"
    else:
        table, by = tables["morris"], "mu_star"
    ranked = table.sort_values(["outcome", by], ascending=[True, False]).copy()
    ranked["rank"] = ranked.groupby("outcome").cumcount() + 1
    return ranked[["outcome", "rank", "parameter", by]].rename(columns={by: "index"}).assign(index_kind=by)


def sensitivity(
    config_path: Path | str,
    out: Path | str | None = None,
    workers: int | None = None,
    dask_local: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Sensitivity:
    """Run the designs on the executors, then write samples, indices and ranking into a folder.

    ``model.workflows.sensitivity`` (the API's ``sensitivity``) then draws the bar charts.
    """
    config_path = Path(config_path)
    config = load_config(config_path)
    scenarios = variants(config, config_path)
    matrices = designs(config)
    base = scenarios["baseline"]
    folder = Path(out) if out is not None else default_run_folder(base.model_copy(update={"name": "sensitivity"}))
    description = {
        "config": config.model_dump(mode="json"),
        "scenarios": {k: s.resolved_dict() for k, s in scenarios.items()},
        "fingerprints": fingerprints(base.region_folder),
    }
    resumed = open_work_folder(folder, STATE, description, resume, overwrite)
    rows = pd.read_csv(folder / RUNS).to_dict("records") if resumed and (folder / RUNS).is_file() else []
    done = {(r["method"], r["sample"], r["variant"], r["replicate"]) for r in rows}
    names = config.problem()["names"]
    tasks = []
    for method, matrix in matrices.items():
        for sample, row in enumerate(matrix):
            for variant, scenario in scenarios.items():
                chosen = uncertain.set_values(scenario, dict(zip(names, row, strict=True)))
                for replicate in range(config.replicates):
                    if (method, sample, variant, replicate) in done:
                        continue
                    label = f"{method}:{sample}:{variant}"
                    tasks.append(Task(chosen.model_copy(update={"name": label}), replicate, config.seed))
    total = len(rows) + len(tasks)
    if progress:
        progress(len(rows), total)
    if tasks:
        try:
            with executor(ExecutorChoice(workers=workers, dask_local=dask_local, scheduler=scheduler)) as run:
                for count, outcome in enumerate(run(tasks), start=1):
                    if outcome.error:
                        _save_runs(folder, rows)
                        raise InputError(Problem(config_path, f"a sample run failed: {outcome.error}"))
                    method, sample, variant = outcome.task.scenario.name.split(":")
                    values = horizon_values(outcome.result.outcomes)
                    rows.append(
                        {
                            "method": method,
                            "sample": int(sample),
                            "variant": variant,
                            "replicate": outcome.task.replicate,
                            **{k: v for k, v in values.items() if k.startswith(("population_", "jobs_"))},
                        }
                    )
                    if count % SAVE_EVERY == 0:
                        _save_runs(folder, rows)
                    if progress:
                        progress(len(rows), total)
        except KeyboardInterrupt:
            _save_runs(folder, rows)
            raise Interrupted(folder, f"{len(rows)} of {total} runs") from None
    _save_runs(folder, rows)
    # Runs finish in any order; sorted, the indices are the same on any executor.
    runs = pd.DataFrame(rows).sort_values(["method", "sample", "variant", "replicate"], ignore_index=True)
    outcomes = outcomes_of(runs, list(scenarios))
    tables = analyse(config, matrices, outcomes)
    _write(folder, config, matrices, outcomes, tables)
    region = cached_region(Path(base.region_folder)).name
    return Sensitivity(folder, tables.get("morris"), tables.get("sobol"), len(rows), region, base, config)


def _save_runs(folder: Path, rows: list[dict]) -> None:
    if rows:
        table = pd.DataFrame(rows)
        write_atomically(folder / RUNS, lambda p: table.to_csv(p, index=False, float_format="%.17g"))


def _write(
    folder: Path,
    config: SensitivityConfig,
    matrices: dict[str, np.ndarray],
    outcomes: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
) -> None:
    """samples.csv, morris.csv, sobol.csv and ranking.csv."""
    names = config.problem()["names"]
    frames = []
    for method, matrix in matrices.items():
        inputs = pd.DataFrame(matrix, columns=names).assign(method=method)
        inputs["sample"] = range(len(matrix))
        frames.append(inputs.merge(outcomes.loc[method].reset_index(), on="sample"))
    samples = pd.concat(frames, ignore_index=True)
    samples = samples[["method", "sample", *names, *outcomes.columns]]
    write_atomically(folder / "samples.csv", lambda p: samples.to_csv(p, index=False, float_format="%.10g"))
    for method, table in tables.items():
        write_atomically(folder / f"{method}.csv", lambda p, t=table: t.to_csv(p, index=False, float_format="%.6g"))
    ranked = ranking(tables)
    write_atomically(folder / "ranking.csv", lambda p: ranked.to_csv(p, index=False, float_format="%.4g"))


__all__ = ["Sensitivity", "SensitivityConfig", "analyse", "designs", "load_config", "ranking", "sensitivity"]
