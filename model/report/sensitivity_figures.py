"""Bar charts of a sensitivity analysis: which parameters move the region's outcomes.

One panel per outcome for the region as a whole (population and jobs at the
horizon, net jobs of the strategy, the joint-versus-fragmented gap); the CSV
files hold every municipality too.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from model.inputs.region import cached_region  # noqa: E402
from model.report.figures import save_figure  # noqa: E402

TITLES = {
    "population": "Population at {horizon}",
    "jobs": "Jobs at {horizon}",
    "net_jobs": "Net jobs of the strategy at {horizon}",
    "cooperation_gap_jobs": "Jobs, joint minus fragmented, at {horizon}",
}


def region_outcomes(tables: dict[str, pd.DataFrame], region: str) -> list[str]:
    """The region-wide outcomes present, in reading order."""
    present = set(next(iter(tables.values()))["outcome"])
    return [f"{kind}_{region}" for kind in TITLES if f"{kind}_{region}" in present]


def bar_charts(folder: Path, tables: dict[str, pd.DataFrame], scenario, config) -> None:
    """sobol.png (S1 and ST with 95 % intervals) and morris.png (mu* with 95 % intervals)."""
    region = cached_region(Path(scenario.region_folder)).name
    horizon = scenario.years.end
    shown = region_outcomes(tables, region)
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.8)
    if "sobol" in tables:
        _panels(
            tables["sobol"],
            shown,
            region,
            horizon,
            [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")],
            "Sobol indices: share of the outcome's variance due to each parameter (95 % intervals)\n"
            f"{config.sobol.base_samples} base samples, {config.replicates} replicate(s) per sample, "
            "common random numbers",
            folder / "sobol.png",
            "ST",
        )
    if "morris" in tables:
        _panels(
            tables["morris"],
            shown,
            region,
            horizon,
            [("mu_star", "mu_star_conf", "mu* (mean |elementary effect|)")],
            "Morris screening: how far each parameter moves the outcome across its range (persons, 95 % intervals)\n"
            f"{config.morris.trajectories} trajectories, {config.morris.levels} levels",
            folder / "morris.png",
            "mu_star",
        )


def _panels(
    table: pd.DataFrame,
    outcomes: list[str],
    region: str,
    horizon: int,
    bars: list[tuple[str, str, str]],
    title: str,
    path: Path,
    order_by: str,
) -> None:
    columns = min(len(outcomes), 2)
    rows = int(np.ceil(len(outcomes) / columns))
    parameters = table["parameter"].nunique()
    figure, axes = plt.subplots(rows, columns, figsize=(9 * columns, 0.45 * parameters * rows + 2.5), squeeze=False)
    colours = sns.color_palette("colorblind", len(bars))
    for ax, outcome in zip(axes.ravel(), outcomes, strict=False):
        here = table[table["outcome"] == outcome].sort_values(order_by)
        y = np.arange(len(here))
        height = 0.8 / len(bars)
        for j, ((value, conf, label), colour) in enumerate(zip(bars, colours, strict=True)):
            ax.barh(
                y + (j - (len(bars) - 1) / 2) * height,
                here[value],
                height=height,
                xerr=here[conf],
                color=colour,
                label=label,
                error_kw={"elinewidth": 1, "capsize": 2},
            )
        ax.set_yticks(y, here["parameter"])
        kind = outcome.removesuffix(f"_{region}")
        ax.set_title(TITLES[kind].format(horizon=horizon) + f", {region}")
        ax.axvline(0, color="0.3", lw=1)
    for ax in axes.ravel()[len(outcomes) :]:
        ax.set_visible(False)
    handles, labels = axes.ravel()[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=len(bars), frameon=False)
    figure.suptitle(title, y=1.0)
    figure.tight_layout(rect=(0, 0.04, 1, 0.97))
    save_figure(figure, path.parent, path.name)
