"""The outputs of an ensemble folder: summary.csv, figures, report.html, manifest.json.

All are built from the replicate files on disk and written atomically.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from model.experiments.store import write_atomically
from model.experiments.summary import commuting_at, horizon_table, over_time
from model.inputs.region import RegionData
from model.inputs.sectors import SECTOR_KEYS
from model.inputs.uncertain import band_kind
from model.report import figures
from model.report.html import band_note, render
from model.report.run_figures import observed_jobs, observed_population

# Sources hold no jobs by industry per municipality: every figure by sector says so.
SECTOR_ESTIMATE = (
    "estimate: the base year's jobs by sector (SSB has no table by industry and municipality; see the region's README)"
)
SECTOR_ESTIMATE_SENTENCE = SECTOR_ESTIMATE[0].upper() + SECTOR_ESTIMATE[1:]  # "Estimate: ... SSB ... README"


def comparison_figures(
    ensemble,
    region: RegionData,
    summary: pd.DataFrame,
    over: pd.DataFrame,
    folder: Path,
    band: str,
    only: Collection[str] | None = None,
) -> list[tuple[str, str, str]]:
    """The comparison's figures, written into `folder`: (heading, file name, caption), in the report's order.

    `summary` is the horizon table and `over` the population and jobs over
    time (model.experiments.summary). The report shows every figure; the dashboard
    asks for `only` the headings it has tabs for, so both draw the same
    figures with the same code.
    """
    first = ensemble.scenarios[0]
    base_year = first.base_year or region.latest_snapshot
    horizon, window = first.years.end, (first.years.start, first.years.end)
    places = figures.panel_places(region)
    colours = figures.palette([s.name for s in ensemble.scenarios])
    start = horizon_table(ensemble, base_year)
    start = start[start["scenario"] == first.name]
    compared = len(ensemble.scenarios) > 1

    def age_structure() -> tuple[str, str]:
        table = pd.concat([start.assign(scenario=f"{base_year} (start)"), summary])
        age_colours = {f"{base_year} (start)": (0.6, 0.6, 0.6), **colours}
        return figures.bars(
            table,
            region.name,
            [f"population_{b}" for b in figures.AGE_BANDS],
            list(figures.AGE_BANDS),
            age_colours,
            folder,
            "age_structure.png",
            f"Residents by age band, {base_year} and {horizon}",
            "How the region ages: grey is the start, colours the scenarios at the horizon.",
        )

    growth = {s.name: s.context.national_job_growth for s in ensemble.scenarios}
    makers: list[tuple[str, bool, Callable[[], tuple[str, str]]]] = [
        (
            "Population",
            True,
            lambda: figures.levels(
                over,
                places,
                "population",
                "persons on 1 January",
                colours,
                folder,
                window,
                observed_population(region),
                band,
            ),
        ),
        (
            "Jobs",
            True,
            lambda: figures.levels(
                over,
                places,
                "jobs",
                "persons employed by workplace",
                colours,
                folder,
                window,
                observed_jobs(region),
                band,
            ),
        ),
        (
            "Jobs against the baseline",
            compared,
            lambda: figures.differences(over, places, "jobs", colours, folder, window, band),
        ),
        (
            "Population against the baseline",
            compared,
            lambda: figures.differences(over, places, "population", colours, folder, window, band),
        ),
        (
            "Net jobs and cost per job",
            compared,
            lambda: figures.net_effects(summary, region.name, colours, folder),
        ),
        (
            "Jobs by sector",
            True,
            lambda: figures.bars(
                summary,
                region.name,
                [f"jobs_{k}" for k in SECTOR_KEYS],
                list(SECTOR_KEYS),
                colours,
                folder,
                "jobs_by_sector.png",
                f"Jobs by sector in the region, {horizon}\n{SECTOR_ESTIMATE}",
                f"Which industries carry each scenario's jobs at the horizon; whiskers show {band}. "
                f"{SECTOR_ESTIMATE_SENTENCE}.",
                "jobs",
            ),
        ),
        (
            "Commuting",
            True,
            lambda: figures.commuting(
                commuting_at(ensemble, horizon), colours, horizon, folder, [node.name for node in region.nodes]
            ),
        ),
        ("Age structure", True, age_structure),
        (
            "Unfilled vacancies",
            True,
            lambda: figures.bars(
                summary,
                region.name,
                [f"vacancies_{k}" for k in SECTOR_KEYS],
                list(SECTOR_KEYS),
                colours,
                folder,
                "vacancies_by_sector.png",
                f"Unfilled vacancies by sector in the region, {horizon}\n{SECTOR_ESTIMATE}",
                f"Where employers cannot find workers at the horizon. {SECTOR_ESTIMATE_SENTENCE}.",
                "unfilled positions",
            ),
        ),
        (
            "Attractiveness",
            True,
            lambda: figures.decomposition(summary, start, growth, places, colours, horizon - base_year, folder),
        ),
    ]
    return [(heading, *make()) for heading, applies, make in makers if applies and (only is None or heading in only)]


def write_outputs(ensemble, region: RegionData, manifest: dict) -> pd.DataFrame:
    """Write everything a workshop reads; returns the summary table."""
    folder = ensemble.folder
    first = ensemble.scenarios[0]
    base_year = first.base_year or region.latest_snapshot
    horizon, window = first.years.end, (first.years.start, first.years.end)
    colours = figures.palette([s.name for s in ensemble.scenarios])
    band = band_kind(None if ensemble.draws is None else first.uncertainty_ranges())

    summary = horizon_table(ensemble, horizon)
    write_atomically(folder / "summary.csv", lambda p: summary.round(3).to_csv(p, index=False))
    if ensemble.failures:
        failures = pd.DataFrame(ensemble.failures)
        write_atomically(folder / "failures.csv", lambda p: failures.to_csv(p, index=False))

    figure_folder = folder / "figures"
    figure_folder.mkdir(exist_ok=True)
    shown = [
        (heading, f"figures/{name}", caption)
        for heading, name, caption in comparison_figures(
            ensemble, region, summary, over_time(ensemble, ["population", "jobs"]), figure_folder, band
        )
    ]

    key = key_numbers(summary, region.name, ensemble.scenarios[0].name)
    settings = {
        "replicates": f"{len(ensemble.complete_replicates())} per scenario (asked: {ensemble.replicates})",
        "seed": f"{ensemble.seed} (replicate i uses seed and i)",
        "years": f"run {base_year}-{horizon}, reporting window {window[0]}-{window[1]}",
        "executor": manifest["executor"],
        "failed replicates": len(ensemble.failures),
        "bands show": band,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "regionsim": manifest["versions"]["regionsim"],
        "git commit": manifest["git_commit"],
    }
    title = f"{region.name}: " + ", ".join(s.name for s in ensemble.scenarios)
    note = band_note(ensemble.scenarios, ensemble.draws is not None)
    page = render(title, ensemble.scenarios, colours, key, shown, settings, folder, note)
    write_atomically(folder / "report.html", lambda p: p.write_text(page, encoding="utf-8"))
    manifest = {**manifest, "created": settings["created"], "figures": [name for _, name, _ in shown]}
    write_atomically(
        folder / "manifest.json", lambda p: p.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
    )
    return summary


def key_numbers(summary: pd.DataFrame, region: str, baseline: str) -> pd.DataFrame:
    """The region's headline numbers per scenario, rounded for reading."""
    rows = []
    here = summary[summary["municipality"] == region].set_index(["scenario", "variable"])
    for scenario in dict.fromkeys(summary["scenario"]):
        jobs, population = here.loc[(scenario, "jobs")], here.loc[(scenario, "population")]
        row = {
            "scenario": scenario,
            "population": f"{population['mean']:,.0f} ({population['p5']:,.0f}–{population['p95']:,.0f})",
            "jobs": f"{jobs['mean']:,.0f} ({jobs['p5']:,.0f}–{jobs['p95']:,.0f})",
        }
        if scenario != baseline:
            row["net jobs"] = (
                f"{jobs['difference_mean']:+,.0f} ({jobs['difference_p5']:+,.0f} to {jobs['difference_p95']:+,.0f})"
            )
            row["net population"] = (
                f"{population['difference_mean']:+,.0f} ({population['difference_p5']:+,.0f} to "
                f"{population['difference_p95']:+,.0f})"
            )
            outsiders = here.loc[(scenario, "in_commuters"), "difference_mean"]
            clear = jobs["difference_p5"] > 0
            row["held by in-commuters"] = f"{outsiders / jobs['difference_mean']:.0%}" if clear else "–"
            # Against the baseline, as the run's own comparison counts them: jobs in firms brought or assisted,
            # and of them those in firms that would have come anyway.
            gross, deadweight = (
                here.loc[(scenario, v), "difference_mean"] for v in ("jobs_from_strategies", "jobs_deadweight")
            )
            row["deadweight of gross direct"] = f"{deadweight:,.0f} of {gross:,.0f}" if gross > 0 else "–"
            row["budget, MNOK"] = f"{jobs['budget_mnok']:,.0f}"
            row["MNOK per net job"] = "–" if pd.isna(jobs["mnok_per_net_job"]) else f"{jobs['mnok_per_net_job']:.2f}"
        rows.append(row)
    return pd.DataFrame(rows).fillna("").replace(",", "\u2009", regex=True)
