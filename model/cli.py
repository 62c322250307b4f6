"""The ``regionsim`` command line.

Bad input (scenario or region files, an occupied output folder) prints one
line per problem naming the file, line and key, and exits with code 2: no
traceback, nothing written.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from model.comparison import versus_counterfactual
from model.errors import InputError
from model.output import check_target, default_run_folder, write_run
from model.plots import plot_run
from model.region import cached_region
from model.runner import simulate
from model.scenario import Scenario

app = typer.Typer(
    help="Scenario simulation of jobs and population in a Norwegian city region.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
errors = Console(stderr=True, highlight=False)
console = Console(highlight=False)

BAD_INPUT = 2


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


def fail(error: InputError) -> None:
    """Print every problem on its own line and exit with code 2."""
    for problem in error.problems:
        errors.print(f"[bold red]error:[/] {problem}", markup=True, soft_wrap=True)
    raise typer.Exit(BAD_INPUT)


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file, e.g. scenarios/baseline.yaml.")],
    out: Annotated[Path | None, typer.Option(help="Run folder to create (default: results/<name>-<time>).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed overriding the scenario's.", min=0)] = None,
    replicates: Annotated[int | None, typer.Option(help="Replicates overriding the scenario's.", min=1)] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing run folder.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar, only the result line.")] = False,
) -> None:
    """Run a scenario and write its tables, manifest and plots into a new run folder."""
    try:
        resolved = Scenario.from_yaml(scenario)
        _warn(resolved)
        folder = out or default_run_folder(resolved)
        check_target(folder, overwrite)
        count = replicates or resolved.replicates
        # The manifest records the run as it was made, overrides included.
        resolved = resolved.model_copy(update={"seed": resolved.seed if seed is None else seed, "replicates": count})
        region = cached_region(Path(resolved.region_folder))
        base = resolved.base_year or region.latest_snapshot
        scenarios = [resolved, resolved.without_strategies()] if resolved.levers.strategies else [resolved]
        total = len(scenarios) * count * (resolved.years.end - base + 1)
        with _progress(quiet) as progress:
            task = progress.add_task(f"{resolved.name}", total=total)
            results = {
                s.name: [
                    simulate(s, replicate=i, seed=seed, on_year=lambda _y: progress.advance(task)) for i in range(count)
                ]
                for s in scenarios
            }
            tables = {}
            if len(scenarios) == 2:
                versus = versus_counterfactual(
                    resolved, _outcomes(results[resolved.name]), _outcomes(results[scenarios[1].name])
                )
                tables["versus_baseline.csv"] = versus
            all_runs = [r for runs in results.values() for r in runs]
            write_run(folder, resolved, all_runs, plot=plot_run, overwrite=overwrite, command=sys.argv, tables=tables)
    except InputError as error:
        fail(error)
    seconds = sum(r.seconds for r in all_runs)
    console.print(
        f"{resolved.name}: {count} replicate(s), {base}-{resolved.years.end}, {seconds:.1f} s -> {folder}",
        soft_wrap=True,
    )
    if "versus_baseline.csv" in tables:
        _print_versus(tables["versus_baseline.csv"], region.name)


def _warn(scenario: Scenario) -> None:
    for note in scenario.warnings:
        errors.print(f"[bold yellow]warning:[/] {note}", markup=True, soft_wrap=True)


def _outcomes(runs: list) -> pd.DataFrame:
    return pd.concat([r.outcomes for r in runs], ignore_index=True)


def _print_versus(versus: pd.DataFrame, region_name: str) -> None:
    """The region's net effect and cost per job, against the same scenario without strategies."""
    row = versus[versus["municipality"] == region_name].iloc[0]
    cost = row["mnok_per_net_job"]
    console.print(
        f"against no strategies, {int(row['year'])}: net jobs {row['net_jobs']:+.0f} "
        f"(90 % interval {row['net_jobs_p5']:+.0f} to {row['net_jobs_p95']:+.0f}), "
        f"net population {row['net_population']:+.0f}; budget {row['budget_mnok']:.0f} MNOK; "
        + (
            f"{cost:.2f} MNOK per net job ({row['mnok_per_net_job_year']:.3f} per net job-year)"
            if cost == cost
            else "no MNOK per net job: the interval does not lie above zero"
        ),
        soft_wrap=True,
    )


@app.command()
def check(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files to validate.")],
) -> None:
    """Validate scenario files (and the regions they name) without running them."""
    failed = []
    for path in scenarios:
        try:
            _warn(Scenario.from_yaml(path))
            console.print(f"ok: {path}")
        except InputError as error:
            failed.extend(error.problems)
    if failed:
        fail(InputError(failed))


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("years"),
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
