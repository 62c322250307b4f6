"""Figures of a run: population and jobs per municipality over time.

One panel per municipality and one for the region, each with its own scale.
With several replicates the line is the mean and the band the 5-95 %
range. The observed population 2005-2017 is drawn beside the projection.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from model.experiments.comparison import versus_counterfactual  # noqa: E402
from model.experiments.summary import bands_over_time  # noqa: E402
from model.inputs.region import RegionData, cached_region  # noqa: E402
from model.inputs.scenario import Scenario  # noqa: E402
from model.inputs.uncertain import band_kind  # noqa: E402
from model.report.figures import (
    OBSERVED_COLOUR,
    additionality,
    differences,
    palette,
    panel_grid,
    panel_places,
    thousands,
)  # noqa: E402

PALETTE = sns.color_palette("colorblind")
MIN_REPLICATES_FOR_BAND = 5  # fewer replicates give no meaningful 5-95 % band


def plot_run(outcomes: pd.DataFrame, scenario: Scenario, folder: Path, band: str = band_kind(None)) -> None:
    """Write population.png and jobs.png into a run folder; `band` says what the bands show."""
    region = cached_region(Path(scenario.region_folder))
    population, jobs = observed_population(region), observed_jobs(region)
    names = list(dict.fromkeys(outcomes["scenario"]))
    if len(names) == 2:  # a strategy run beside the same scenario without strategies
        _differences(outcomes, names, scenario, region, folder, band)
        by_name = {name: outcomes[outcomes["scenario"] == name] for name in names}
        versus = versus_counterfactual(scenario, by_name[names[0]], by_name[names[1]])
        additionality(versus[versus["municipality"] == region.name].iloc[0], region.name, folder)
    _panels(
        outcomes,
        scenario,
        region,
        "population",
        "Population on 1 January (persons)",
        folder / "population.png",
        population,
        band,
    )
    _panels(outcomes, scenario, region, "jobs", "Jobs by workplace (persons employed)", folder / "jobs.png", jobs, band)


def _differences(
    outcomes: pd.DataFrame, names: list[str], scenario: Scenario, region: RegionData, folder: Path, band: str
) -> None:
    """difference_jobs.png and difference_population.png: the strategies' effect over time."""
    variables = outcomes[outcomes["variable"].isin(["jobs", "population"])]
    tables = {name: variables[variables["scenario"] == name] for name in names}
    over = bands_over_time(tables, baseline=names[1])
    colours = palette([names[1], names[0]])
    places = panel_places(region)
    window = (scenario.years.start, scenario.years.end)
    for variable in ("jobs", "population"):
        differences(over, places, variable, colours, folder, window, band)


def observed_population(region: RegionData) -> pd.DataFrame:
    """Observed population per municipality and the region, every year of the data."""
    rows = []
    for year, persons in region.observed_population().items():
        totals = persons.sum(axis=(1, 2))
        rows += [(year, name, int(total)) for name, total in zip(region.municipalities, totals, strict=True)]
        rows.append((year, region.name, int(totals.sum())))
    return pd.DataFrame(rows, columns=["year", "municipality", "value"])


def observed_jobs(region: RegionData) -> pd.DataFrame:
    """Observed jobs by workplace: observed snapshots' totals and any yearly series in the data."""
    rows = []
    for year in region.snapshot_years:
        snapshot = region.snapshot(year)
        if snapshot.has_jobs and not snapshot.derived:  # derived jobs are a rule's output, not data
            totals = snapshot.commuting[:, : region.n_municipalities].sum(axis=0)
            rows += [(year, name, int(total)) for name, total in zip(region.municipalities, totals, strict=True)]
            rows.append((year, region.name, int(totals.sum())))
    rows += [(year, name, value) for (name, year), value in region.observed_jobs().items()]
    return pd.DataFrame(rows, columns=["year", "municipality", "value"]).drop_duplicates(["year", "municipality"])


def _panels(
    outcomes: pd.DataFrame,
    scenario: Scenario,
    region: RegionData,
    variable: str,
    title: str,
    path: Path,
    observed: pd.DataFrame | None = None,
    band: str = band_kind(None),
) -> None:
    data = outcomes[outcomes["variable"] == variable]
    places = panel_places(region)
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.8)
    figure, axes = panel_grid(len(places), 16, 9)
    replicates = data["replicate"].nunique()
    palette = dict(zip(dict.fromkeys(data["scenario"]), PALETTE, strict=False))
    for ax, place in zip(axes, places, strict=True):
        here = data[data["municipality"] == place]
        ax.axvspan(scenario.years.start, scenario.years.end, color="0.93", zorder=0)
        if observed is not None:
            seen = observed[observed["municipality"] == place].sort_values("year")
            ax.plot(
                seen["year"],
                seen["value"],
                color=OBSERVED_COLOUR,
                lw=2,
                ls="--",
                marker="o",
                ms=5,
                label="observed",
            )
        sns.lineplot(
            data=here,
            x="year",
            y="value",
            hue="scenario",
            palette=palette,
            errorbar=("pi", 90) if replicates >= MIN_REPLICATES_FOR_BAND else None,
            lw=2.5,
            ax=ax,
            legend=False,
        )
        ax.set_title(place, fontweight="bold" if place == region.name else None)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.yaxis.set_major_formatter(FuncFormatter(thousands))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        low, high = ax.get_ylim()
        centre, half = (low + high) / 2, max(high - low, 0.1 * (low + high) / 2) / 2
        ax.set_ylim(max(0, centre - 1.1 * half), centre + 1.1 * half)
    handles, labels = axes[0].get_legend_handles_labels()
    for name, colour in palette.items():
        handles.append(Line2D([0], [0], color=colour, lw=2.5))
        labels.append(f"{name} (model)")
    shown = (
        f"line: mean; band: 5-95 % of {replicates} replicates, showing {band}"
        if replicates >= MIN_REPLICATES_FOR_BAND
        else f"mean of {replicates} replicate(s)"
    )
    handles.append(plt.Rectangle((0, 0), 1, 1, color="0.93"))
    labels.append(f"reporting window {scenario.years.start}-{scenario.years.end}")
    figure.legend(handles, labels, loc="lower center", ncol=min(len(labels), 4), frameon=False)
    figure.suptitle(
        f"{title} — {region.name}, scenario '{scenario.name}'; each panel has its own scale\n{shown}", fontsize=15
    )
    figure.tight_layout(rect=(0, 0.04 + 0.03 * ((len(labels) - 1) // 4 + 1), 1, 0.93))
    figure.savefig(path, dpi=110)
    plt.close(figure)


__all__ = ["plot_run", "thousands"]
