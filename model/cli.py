"""The ``regionsim`` command line.

Bad input (scenario or region files, an occupied output folder) prints one
line per problem naming the file, line and key, and exits with code 2: no
traceback, nothing written.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from model.experiments.comparison import MIN_REPLICATES, versus_counterfactual
from model.experiments.ensemble import EnsembleFailed, uncertainty_draws
from model.experiments.executors import ExecutorChoice, Task, executor
from model.experiments.interrupted import Interrupted
from model.experiments.output_folder import claimed
from model.experiments.run_folder import check_target, write_run
from model.inputs.errors import InputError, Problem
from model.inputs.region import cached_region
from model.inputs.scenario import MAX_REPLICATES, MAX_SEED, Scenario, describe_strategy
from model.inputs.uncertain import band_kind, manifest_entry, set_values
from model.report.run_figures import plot_run
from model.workflows import run_ensemble

app = typer.Typer(
    help="Scenario simulation of jobs and population in a Norwegian city region.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
errors = Console(stderr=True, highlight=False)
console = Console(highlight=False)

BAD_INPUT = 2
INTERRUPTED = 130  # as a shell reports a job ended by SIGINT

# Options shared by the commands that run many replicates.
Workers = Annotated[int | None, typer.Option(help="Local processes (default: all cores; 1: this process).", min=1)]
DaskLocal = Annotated[int | None, typer.Option(help="Run on a local Dask cluster of N workers.", min=1)]
Scheduler = Annotated[str | None, typer.Option(help="Run on the Dask cluster at this scheduler address.")]
Quiet = Annotated[bool, typer.Option(help="No progress bar, only the result lines.")]


def _version(value: bool) -> None:
    if value:
        console.print(f"regionsim {metadata.version('regionsim')}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Scenario simulation of jobs and population in a Norwegian city region."""
    _terminate_as_exit()  # every command: a SIGTERM unwinds like Ctrl-C, removing partial folders and claims


def fail(error: InputError) -> None:
    """Print every problem on its own line and exit with code 2."""
    for problem in error.problems:
        errors.print(f"[bold red]error:[/] {escape(str(problem))}", markup=True, soft_wrap=True)
    raise typer.Exit(BAD_INPUT)


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file, e.g. scenarios/baseline.yaml.")],
    out: Annotated[Path | None, typer.Option(help="Run folder to create (default: results/<name>-<time>).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed overriding the scenario's.", min=0, max=MAX_SEED)] = None,
    replicates: Annotated[
        int | None, typer.Option(help="Replicates overriding the scenario's.", min=1, max=MAX_REPLICATES)
    ] = None,
    workers: Workers = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing run folder.")] = False,
    uncertainty: Annotated[
        bool, typer.Option(help="Draw the scenario's declared parameter and context ranges per replicate.")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar, only the result line.")] = False,
) -> None:
    """Run a scenario and write its tables, manifest and plots into a new run folder.

    A scenario with strategies is also run without them, with the same seeds,
    and judged against that run (versus_no_strategies.csv). With --uncertainty
    replicate i also takes row i of a Latin hypercube over the scenario's
    `uncertainty:` ranges, so the bands hold parameter and context uncertainty.
    """
    try:
        resolved = Scenario.from_yaml(scenario)
        _warn(resolved)
        with claimed(out, "run", resolved.name) as folder:
            check_target(folder, overwrite)
            count = replicates or resolved.replicates
            # The manifest records the run as it was made, overrides included.
            resolved = resolved.model_copy(
                update={"seed": resolved.seed if seed is None else seed, "replicates": count}
            )
            region = cached_region(Path(resolved.region_folder))
            base = resolved.base_year or region.latest_snapshot
            scenarios = [resolved, resolved.without_strategies()] if resolved.levers.strategies else [resolved]
            draws = uncertainty_draws([resolved], count, resolved.seed) if uncertainty else None
            ranges = resolved.uncertainty_ranges() if uncertainty else None
            tasks = [
                Task(s if draws is None else set_values(s, draws.loc[i].to_dict()), i)
                for s in scenarios
                for i in range(count)
            ]
            choice = ExecutorChoice(workers=workers or min(len(tasks), os.cpu_count() or 1))
            results: dict[str, list] = {s.name: [] for s in scenarios}
            failures = []
            with _progress(quiet, "replicates") as progress, executor(choice) as execute:
                task = progress.add_task(f"{resolved.name}", total=len(tasks))
                for outcome in execute(tasks):
                    if outcome.error:
                        failures.append(outcome)
                    else:
                        results[outcome.task.scenario.name].append(outcome.result)
                    progress.advance(task)
            for failure in failures:
                _report_failure(failure.task.scenario.name, failure.task.replicate, failure.error)
            # Keep only replicates every scenario finished, so comparisons stay paired.
            finished = set.intersection(*({r.replicate for r in runs} for runs in results.values()))
            if not finished:
                raise typer.Exit(1)
            for name, runs in results.items():
                results[name] = sorted((r for r in runs if r.replicate in finished), key=lambda r: r.replicate)
            tables = {}
            if len(scenarios) == 2:
                tables["versus_no_strategies.csv"] = versus_counterfactual(
                    resolved, _outcomes(results[resolved.name]), _outcomes(results[scenarios[1].name])
                )
            all_runs = [r for runs in results.values() for r in runs]
            write_run(
                folder,
                resolved,
                all_runs,
                plot=partial(plot_run, band=band_kind(ranges)),
                overwrite=overwrite,
                command=sys.argv,
                tables=tables,
                manifest_extra={"uncertainty": None if draws is None else manifest_entry(ranges, draws)},
            )
    except InputError as error:
        fail(error)
    except KeyboardInterrupt:  # the workers are stopped; a run folder is written whole at its end, or not at all
        errors.print("[bold yellow]interrupted: nothing written[/] (compare keeps finished replicates for --resume)")
        raise typer.Exit(INTERRUPTED) from None
    seconds = sum(r.seconds for r in all_runs)
    console.print(
        f"{resolved.name}: {len(finished)} replicate(s), {base}-{resolved.years.end}, "
        f"{seconds:.1f} s of simulation -> {folder}",
        soft_wrap=True,
    )
    if "versus_no_strategies.csv" in tables:
        _print_versus(tables["versus_no_strategies.csv"], region.name)
    if failures:
        raise typer.Exit(1)


def _report_failure(scenario: str, replicate: int, error: str) -> None:
    errors.print(
        f"[bold red]failed:[/] {escape(f'{scenario} replicate {replicate}: {error}')}", markup=True, soft_wrap=True
    )


def _warn(scenario: Scenario) -> None:
    for note in scenario.warnings:
        errors.print(f"[bold yellow]warning:[/] {escape(note)}", markup=True, soft_wrap=True)


def _print_strategies(scenario: Scenario) -> None:
    """The strategies as resolved (after every extends), so a replaced list shows."""
    strategies = scenario.levers.strategies
    console.print(f"  strategies ({scenario.levers.cooperation}): {len(strategies) or 'none'}", markup=False)
    for strategy in strategies:
        console.print(f"  - {describe_strategy(strategy)}", markup=False, soft_wrap=True)


def _outcomes(runs: list) -> pd.DataFrame:
    return pd.concat([r.outcomes for r in runs], ignore_index=True)


def _print_versus(versus: pd.DataFrame, region_name: str) -> None:
    """The region's net effects and cost per job, against the same scenario without strategies."""
    row = versus[versus["municipality"] == region_name].iloc[0]
    cost = row["mnok_per_net_job"]

    def effect(name: str) -> str:
        low, high = row[f"net_{name}_p5"], row[f"net_{name}_p95"]
        interval = f" ({low:+.0f} to {high:+.0f})" if low == low else ""
        return f"{row[f'net_{name}']:+.0f}{interval}"

    if cost == cost:
        verdict = f"{cost:.2f} MNOK per net job ({row['mnok_per_net_job_year']:.3f} per net job-year)"
    elif row["replicates"] < MIN_REPLICATES:
        verdict = f"no interval or cost per job from {int(row['replicates'])} replicates (use --replicates 5 or more)"
    else:
        verdict = "no MNOK per net job: the 90 % interval of net jobs does not lie above zero"
    share = row.get("in_commuter_share_of_net_jobs", float("nan"))
    parts = [f"{share:.0%} held by in-commuters"] if share == share else []
    if row["gross_direct_jobs"] > 0:  # firms the strategies brought or assisted: what came anyway is deadweight
        parts.append(f"gross direct {row['gross_direct_jobs']:+.0f}, deadweight {row['deadweight_jobs']:.0f}")
    outsiders = f" ({'; '.join(parts)})" if parts else ""
    console.print(
        f"against no strategies, {int(row['year'])} (90 % intervals): net jobs {effect('jobs')}{outsiders}, "
        f"net residents {effect('population')}, net employed residents {effect('employed_residents')}; "
        f"budget {row['budget_mnok']:.0f} MNOK; {verdict}",
        soft_wrap=True,
    )


@app.command()
def compare(
    baseline: Annotated[Path, typer.Argument(help="The baseline scenario every other is compared with.")],
    others: Annotated[
        list[Path] | None,
        typer.Argument(help="Scenarios to compare with the baseline (none: the baseline's own report)."),
    ] = None,
    replicates: Annotated[
        int | None, typer.Option(help="Replicates per scenario (default: the scenarios').", min=1, max=MAX_REPLICATES)
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Seed of replicate 0 for every scenario.", min=0, max=MAX_SEED)
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Comparison folder (default: results/compare-<time>).")] = None,
    workers: Workers = None,
    dask_local: DaskLocal = None,
    scheduler: Scheduler = None,
    resume: Annotated[bool, typer.Option(help="Finish an interrupted comparison in --out.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing comparison folder.")] = False,
    uncertainty: Annotated[
        bool, typer.Option(help="Draw the baseline's declared parameter and context ranges per replicate.")
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Run scenarios against a baseline with common random numbers; write tables, figures and report.html."""
    _one_executor(workers, dask_local, scheduler)
    try:
        scenarios = [Scenario.from_yaml(path) for path in (baseline, *(others or []))]
        for scenario in scenarios:
            _warn(scenario)
        ensemble = _with_progress(
            quiet,
            "compare",
            "runs",
            partial(
                run_ensemble,
                scenarios,
                replicates=replicates,
                seed=seed,
                out=out,
                workers=workers,
                dask_local=dask_local,
                scheduler=scheduler,
                resume=resume,
                overwrite=overwrite,
                uncertainty=uncertainty,
            ),
        )
    except InputError as error:
        fail(error)
    except EnsembleFailed as error:
        for failure in error.ensemble.failures:
            _report_failure(failure["scenario"], failure["replicate"], failure["error"])
        raise typer.Exit(1) from None
    for failure in ensemble.failures:
        _report_failure(failure["scenario"], failure["replicate"], failure["error"])
    used = len(ensemble.complete_replicates())
    console.print(
        f"{len(ensemble.scenarios)} scenarios x {used} replicates, {ensemble.seconds:.1f} s -> {ensemble.folder}"
        + (f" (report: {ensemble.folder / 'report.html'})" if ensemble.summary is not None else ""),
        soft_wrap=True,
    )
    if ensemble.failures:
        raise typer.Exit(1)


@app.command()
def calibrate(
    config: Annotated[Path, typer.Argument(help="Calibration config, e.g. scenarios/calibration/hindcast.yaml.")],
    out: Annotated[Path | None, typer.Option(help="Calibration folder (default: results/calibrate-<time>).")] = None,
    workers: Workers = None,
    dask_local: DaskLocal = None,
    scheduler: Scheduler = None,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted calibration in --out.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing calibration folder.")] = False,
    quiet: Quiet = False,
) -> None:
    """Fit free parameters to the region's history; write the overlay, the fit report and the loss history."""
    from model.workflows import calibrate as run_calibration

    _one_executor(workers, dask_local, scheduler)
    options = dict(out=out, workers=workers, dask_local=dask_local, scheduler=scheduler, resume=resume)
    result = _with_progress(
        quiet, "calibrate", "runs", partial(run_calibration, config, overwrite=overwrite, **options)
    )
    values = ", ".join(f"{k} = {v:.4g}" for k, v in result.best.items())
    console.print(f"best of {result.evaluations} evaluations: loss {result.loss:.5f}; {values}", soft_wrap=True)
    errors_table = result.errors.set_index(["period", "target"])["mape_percent"]
    console.print(
        "population MAPE: fit {:.2f} %, test {:.2f} % -> {}".format(
            errors_table.get(("fit", "population"), float("nan")),
            errors_table.get(("test", "population"), float("nan")),
            result.folder / "fit_report.html",
        ),
        soft_wrap=True,
    )


@app.command(context_settings={"allow_extra_args": True})
def backtest(
    context: typer.Context,
    region: Annotated[str, typer.Argument(help="A region folder under scenarios/regions/, e.g. gjovikregionen.")],
    origins: Annotated[list[int], typer.Option(help="Origin years (1 January), e.g. --origins 2011 2014 2018 2021.")],
    out: Annotated[Path | None, typer.Option(help="Backtest folder (default: results/backtest-REGION).")] = None,
    calibrate: Annotated[
        bool, typer.Option(help="Calibrate at every origin; --no-calibrate uses the shipped values (in-sample).")
    ] = True,
    replicates: Annotated[int, typer.Option(help="Replicates of each projection.", min=1, max=MAX_REPLICATES)] = 10,
    seed: Annotated[
        int | None, typer.Option(help="Seed of replicate 0 (default: the baseline's).", min=0, max=MAX_SEED)
    ] = None,
    uncertainty: Annotated[bool, typer.Option(help="Draw the near-best calibrated values per replicate.")] = False,
    ex_post: Annotated[
        bool, typer.Option(help="Feed Norway's observed fertility after each origin; scores are conditional.")
    ] = False,
    scenario: Annotated[Path | None, typer.Option(help="Baseline whose parameters and context are used.")] = None,
    config: Annotated[Path, typer.Option(help="The generic calibration config.")] = Path(
        "scenarios/calibration/regions.yaml"
    ),
    workers: Workers = None,
    dask_local: DaskLocal = None,
    scheduler: Scheduler = None,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted backtest in --out.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing backtest folder.")] = False,
    quiet: Quiet = False,
) -> None:
    """Project from past origins, each as known then, and score against what was observed, beside naive forecasts."""
    from model.workflows import backtest as run_backtest

    _one_executor(workers, dask_local, scheduler)
    _terminate_as_exit()
    # `--origins 2011 2014 2018`: the values after the first arrive as extra arguments.
    extra = list(context.args)
    bad = [value for value in extra if not value.isdigit()]
    if bad:
        fail(
            InputError(
                Problem(
                    "regionsim backtest",
                    f"unexpected argument {bad[0]!r}",
                    key="--origins",
                    hint="years, e.g. --origins 2014 2018",
                )
            )
        )
    say = (lambda _message: None) if quiet else (lambda message: errors.print(message, soft_wrap=True))
    try:
        result = run_backtest(
            region,
            [*origins, *map(int, extra)],
            out=out,
            calibrate=calibrate,
            replicates=replicates,
            seed=seed,
            uncertainty=uncertainty,
            ex_post=ex_post,
            scenario=scenario,
            config=config,
            resume=resume,
            overwrite=overwrite,
            progress=say,
            workers=workers,
            dask_local=dask_local,
            scheduler=scheduler,
        )
    except InputError as error:
        fail(error)
    except Interrupted as interrupted:
        stopped(interrupted)
    from model.report.backtest_report import population_table

    table = population_table(result.summary, uncertainty=result.uncertainty).set_index("horizon")
    label = "" if result.calibrated else " (in-sample: shipped parameters)"
    console.print(f"Population, municipalities, MAPE % by horizon{label}:")
    console.print(table.round(2).to_string(), soft_wrap=True)
    console.print(f"-> {result.folder / 'errors.csv'}, {result.folder / 'backtest.html'}", soft_wrap=True)


@app.command()
def sensitivity(
    config: Annotated[Path, typer.Argument(help="Sensitivity config, e.g. scenarios/sensitivity/byregion.yaml.")],
    out: Annotated[Path | None, typer.Option(help="Analysis folder (default: results/sensitivity-<time>).")] = None,
    workers: Workers = None,
    dask_local: DaskLocal = None,
    scheduler: Scheduler = None,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted analysis in --out.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing analysis folder.")] = False,
    quiet: Quiet = False,
) -> None:
    """Morris screening and Sobol indices (SALib) of population and jobs, net jobs and the cooperation gap."""
    from model.experiments.sensitivity import ranking
    from model.workflows import sensitivity as run_sensitivity

    _one_executor(workers, dask_local, scheduler)
    options = dict(out=out, workers=workers, dask_local=dask_local, scheduler=scheduler, resume=resume)
    result = _with_progress(
        quiet, "sensitivity", "runs", partial(run_sensitivity, config, overwrite=overwrite, **options)
    )
    ranked = ranking(result.tables())
    for outcome, rows in ranked[ranked["outcome"].str.endswith(f"_{result.region}")].groupby("outcome", sort=False):
        top = ", ".join(f"{r.parameter} ({r.index:.2g})" for r in rows.head(3).itertuples())
        console.print(f"{outcome} ({rows['index_kind'].iloc[0]}): {top}", soft_wrap=True)
    console.print(f"{result.runs} runs -> {result.folder}", soft_wrap=True)


@app.command()
def check(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files to validate.")],
) -> None:
    """Validate scenario files (and the regions they name) without running them."""
    failed = []
    for path in scenarios:
        try:
            scenario = Scenario.from_yaml(path)
            _warn(scenario)
            console.print(f"ok: {path}")
            _print_strategies(scenario)
        except InputError as error:
            failed.extend(error.problems)
    if failed:
        fail(InputError(failed))


region_app = typer.Typer(
    help="Build a region folder from the national municipal data set, or list the BA regions.", no_args_is_help=True
)
app.add_typer(region_app, name="region")
DataFolder = Annotated[
    Path | None, typer.Option("--data", help="Municipal data folder (default: scenarios/national/norway/municipal).")
]


@region_app.command("create", context_settings={"allow_extra_args": True})
def region_create(
    context: typer.Context,
    name: Annotated[str, typer.Argument(help="Folder name of the region, e.g. kongsberg.")],
    municipalities: Annotated[
        list[str] | None, typer.Option("--municipalities", help="Municipality codes or names (repeat or list).")
    ] = None,
    ba_region: Annotated[
        list[str] | None, typer.Option("--ba-region", help="BA region code or name, e.g. 018 or Gjøvik (repeatable).")
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every municipality of the data set.")] = False,
    last_year: Annotated[
        int | None, typer.Option(help="Cut: persons to 1 January YEAR, employment to the 4th quarter of YEAR-1.")
    ] = None,
    data: DataFolder = None,
    out: Annotated[Path, typer.Option(help="Where regions/NAME/ and NAME_baseline.yaml go.")] = Path("scenarios"),
    local: Annotated[
        Path | None, typer.Option(help="Folder of local files replacing estimates (README of a built region).")
    ] = None,
    title: Annotated[str | None, typer.Option(help="The region's display name (default: from the BA region).")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace a region folder this command built.")] = False,
    scenario: Annotated[
        bool, typer.Option(help="Write NAME_baseline.yaml beside regions/ (--no-scenario: the folder only).")
    ] = True,
) -> None:
    """Write a complete region folder and its baseline scenario, and print the command that runs it."""
    from model.inputs.municipal.create import create_region

    _terminate_as_exit()  # a SIGTERM mid-build unwinds like Ctrl-C: the staged folder is removed
    # `--municipalities 3407 3442 ...` and `--ba-region 016 017`: the values after the first arrive as extra arguments.
    extra = list(context.args)
    if extra and not (municipalities or ba_region):
        fail(
            InputError(
                Problem(
                    "regionsim region create",
                    f"unexpected argument {extra[0]!r}",
                    key="NAME",
                    hint="give the municipalities after --municipalities or a BA region after --ba-region",
                )
            )
        )
    if extra:
        (municipalities if municipalities else ba_region).extend(extra)
    codes = [code.strip() for item in municipalities or [] for code in _listed(item)]
    try:
        created = create_region(
            name,
            out,
            codes,
            ba_region or [],
            everything,
            last_year,
            data,
            local,
            title,
            overwrite,
            scenario,
            command=" ".join(["regionsim", *sys.argv[1:]]) if sys.argv[0].endswith("regionsim") else "",
        )
    except InputError as error:
        fail(error)
    built = created.built
    persons = int(built.persons.loc[built.persons["year"] == built.last_year, "persons"].sum())
    console.print(
        f"{escape(built.name)}: {len(built.codes)} municipalit{'y' if len(built.codes) == 1 else 'ies'}, "
        + f"{persons:,}".replace(",", " ")
        + f" persons on 1 January {built.last_year}"
        + (" [bold](look-ahead)[/bold]" if built.look_ahead else "")
        + f" -> {escape(str(created.folder))}"
    )
    if created.scenario is not None:
        report = Path("results") / f"{name}-baseline"
        console.print(
            "run its baseline (figures and report.html): "
            f"regionsim compare {escape(str(created.scenario))} --out {report}",
            soft_wrap=True,
        )


def _listed(item: str) -> list[str]:
    """Codes or names in one value: split at commas, and at spaces too when every word is a code."""
    parts = [part.strip() for part in item.split(",") if part.strip()]
    words = item.replace(",", " ").split()
    return words if all(word.isdigit() for word in words) else parts


def _terminate_as_exit() -> None:
    """Turn SIGTERM into SystemExit(143), so that cleanup code (finally, except BaseException) runs."""
    import signal

    def stop(number, _frame):
        raise SystemExit(128 + number)

    signal.signal(signal.SIGTERM, stop)


@region_app.command("calibrate")
def region_calibrate(
    name: Annotated[str, typer.Argument(help="A region folder under scenarios/regions/, e.g. hamar.")],
    out: Annotated[Path | None, typer.Option(help="Calibration folder (default: results/calibrate-NAME).")] = None,
    config: Annotated[Path, typer.Option(help="The generic calibration config.")] = Path(
        "scenarios/calibration/regions.yaml"
    ),
    scenario: Annotated[Path | None, typer.Option(help="Baseline whose other values are kept.")] = None,
    workers: Workers = None,
    dask_local: DaskLocal = None,
    scheduler: Scheduler = None,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted calibration in --out.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Calibrate again, replacing the region's values.")] = False,
    quiet: Quiet = False,
) -> None:
    """Calibrate a region as known today by the generic config; write scenarios/calibration/NAME_calibrated.yaml."""
    from model.workflows import calibrate_region

    _one_executor(workers, dask_local, scheduler)
    _terminate_as_exit()
    options = dict(out=out, config=config, scenario=scenario, workers=workers, dask_local=dask_local)
    fit = _with_progress(
        quiet,
        "calibrate",
        "runs",
        partial(calibrate_region, name, scheduler=scheduler, resume=resume, overwrite=overwrite, **options),
    )
    calibration = fit.calibration
    values = ", ".join(f"{k} = {v:.4g}" for k, v in calibration.best.items())
    console.print(
        f"{escape(fit.region.name)}: best of {calibration.evaluations} evaluations, loss {calibration.loss:.5f}; "
        + escape(values),
        soft_wrap=True,
    )
    console.print(
        f"-> {escape(str(fit.overlay))} (use it with `extends:`), report {calibration.folder / 'fit_report.html'}",
        soft_wrap=True,
    )


@region_app.command("list")
def region_list(data: DataFolder = None) -> None:
    """The BA regions of the data set: code, name, municipalities and population."""
    from model.inputs.municipal.create import list_regions

    try:
        regions = list_regions(data)
    except InputError as error:
        fail(error)
    console.print(
        "BA regions (NIBR 2020), persons on 1 January of the latest year, municipalities with codes", soft_wrap=True
    )
    for row in regions.itertuples():
        persons = f"{int(row.population):,}".replace(",", " ")
        members = ", ".join(
            f"{name} {code}" for name, code in zip(row.municipalities.split(", "), row.codes.split(), strict=True)
        )
        console.print(
            escape(f"{row.baregion_code}  {row.baregion_name:<26} {persons:>10}  {members}"),
            soft_wrap=True,
            highlight=False,
        )


@app.command()
def dashboard(
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).", min=0, max=65535)] = 8765,
    host: Annotated[
        str, typer.Option(help="Address to listen on; beyond loopback the page asks for a token printed at start.")
    ] = "127.0.0.1",
    scenarios: Annotated[
        Path, typer.Option(help="Scenarios folder: the bases to start from, and where scenarios are saved.")
    ] = Path("scenarios"),
    cache: Annotated[Path, typer.Option(help="Folder for finished replicates, figures and reports.")] = Path(
        "results/dashboard"
    ),
    workers: Workers = None,
    dask_local: DaskLocal = None,
    scheduler: Scheduler = None,
) -> None:
    """Start the workshop dashboard (levers as controls, runs on demand, a map) and print its address."""
    from model.dashboard import server

    _one_executor(workers, dask_local, scheduler)
    try:
        listener = server.open_socket(host, port)
        try:
            server.prepare(
                scenarios, cache, ExecutorChoice(workers=workers, dask_local=dask_local, scheduler=scheduler)
            )
        except InputError:
            listener.close()
            raise
    except InputError as error:
        fail(error)
    token = None if server.is_loopback(host) else secrets.token_urlsafe(24)
    server.serve(listener, token, announce=lambda line: console.print(line, markup=False, soft_wrap=True))


def _one_executor(workers: int | None, dask_local: int | None, scheduler: str | None) -> None:
    if sum(option is not None for option in (workers, dask_local, scheduler)) > 1:
        fail(InputError(Problem("command line", "choose one of --workers, --dask-local and --scheduler")))


def _with_progress(quiet: bool, label: str, unit: str, work: Callable):
    """Call `work(progress=...)` under a progress bar; bad input exits with code 2."""
    try:
        with _progress(quiet, unit) as progress:
            task = progress.add_task(label, total=None)
            return work(progress=lambda done, total: progress.update(task, completed=done, total=total))
    except InputError as error:
        fail(error)
    except Interrupted as interrupted:
        stopped(interrupted)


def stopped(interrupted: Interrupted) -> None:
    """Ctrl-C: say what was kept and how to resume; exit 130, as a shell does for SIGINT."""
    errors.print(f"[bold yellow]{escape(interrupted.advice())}[/]", markup=True, soft_wrap=True)
    raise typer.Exit(INTERRUPTED)


def _progress(quiet: bool, unit: str = "years") -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=errors,
        disable=quiet,
        transient=True,
    )


def main() -> None:
    """Entry point for ``python -m model.cli``."""
    app()


if __name__ == "__main__":
    main()
