"""backtest.html and its figure: the error by horizon of the model beside each naive benchmark."""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from model.experiments.backtest.forecasts import MODEL
from model.experiments.backtest.run import Backtest
from model.experiments.backtest.scores import by_horizon
from model.experiments.store import write_atomically
from model.report.figures import save_figure
from model.report.html import STYLE, _image

NAIVE_STYLE = {
    "no_change": ("#949494", "--"),
    "linear": ("#de8f05", "--"),
    "geometric": ("#029e73", "--"),
    "mean_no_change_linear": ("#cc78bc", "-."),
    "national_share": ("#ca9161", ":"),
}
PANELS = (
    ("population", "municipalities", "Population, municipalities: MAPE (%)", "mape"),
    ("population", "region", "Population, region: error (%, + = too high)", "malpe"),
    ("jobs", "municipalities", "Jobs by workplace, municipalities: MAPE (%)", "mape"),
    ("net_migration", "municipalities", "Net migration, municipalities: MAPE (% of residents)", "mape"),
)
POPULATION_METHODS = ("no_change", "linear", "geometric", "mean_no_change_linear")


LOOK_AHEAD = "model_look_ahead"
"""The model's jobs cells from a look-ahead start, drawn apart from the clean ones."""


def jobs_rows(errors: pd.DataFrame, region: str) -> pd.DataFrame:
    """Jobs MAPE by horizon over the municipalities, the model's look-ahead starts as a method of their own.

    Origins before the jobs series start from jobs observed after them; pooled with the clean origins they
    would stretch the model's line to horizons no naive jobs method reaches, on a start none of them had.
    """
    cells = errors[(errors["variable"] == "jobs") & (errors["place"] != region)]
    ahead = (cells["method"] == MODEL) & cells["look_ahead"]
    return by_horizon(cells.assign(method=cells["method"].where(~ahead, LOOK_AHEAD)))


def error_figure(backtest: Backtest) -> str:
    """Four panels of error by horizon: the model's line thick, the naive ones dashed."""
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.85)
    figure, axes = plt.subplots(2, 2, figsize=(17, 10.5))
    summary = backtest.summary
    for ax, (variable, level, title, measure) in zip(axes.ravel(), PANELS, strict=True):
        rows = summary[(summary["variable"] == variable) & (summary["level"] == level)]
        if variable == "jobs":
            rows = jobs_rows(backtest.errors, backtest.region)
        for method, part in rows.groupby("method"):
            part = part.sort_values("horizon")
            if method == MODEL:
                ax.plot(part["horizon"], part[measure], color="#0173b2", lw=3.5, marker="o", label="regionsim")
            elif method == LOOK_AHEAD:
                label = "regionsim, look-ahead start"
                ax.plot(part["horizon"], part[measure], color="#0173b2", lw=1.5, ls=":", alpha=0.6, label=label)
            else:
                colour, style = NAIVE_STYLE.get(str(method), ("0.5", ":"))
                ax.plot(
                    part["horizon"], part[measure], color=colour, ls=style, lw=2, label=str(method).replace("_", " ")
                )
        if measure == "malpe":
            ax.axhline(0, color="0.3", lw=1)
        ax.set_title(title)
        ax.set_xlabel("years after the origin")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if not rows.empty:
            ax.legend(frameon=False, fontsize="small")
    figure.suptitle(f"{backtest.region}: backtest error by horizon", fontsize="x-large")
    figure.tight_layout()
    return save_figure(figure, backtest.folder, "error_by_horizon.png")


def population_table(summary: pd.DataFrame, level: str = "municipalities", uncertainty: bool = True) -> pd.DataFrame:
    """Population MAPE (region: MALPE) by horizon: the model, each naive method, and the best naive one.

    The coverage column says "chance only" unless the bands drew the calibrated values' ranges (`uncertainty`).
    """
    measure = "mape" if level == "municipalities" else "malpe"
    rows = summary[(summary["variable"] == "population") & (summary["level"] == level)]
    wide = rows.pivot_table(index="horizon", columns="method", values=measure)
    naive = [m for m in POPULATION_METHODS if m in wide.columns]
    table = wide[[MODEL, *naive]].copy() if MODEL in wide.columns else wide[naive].copy()
    if level == "municipalities" and naive:
        table["best naive"] = wide[naive].min(axis=1)
    counts = rows[rows["method"] == MODEL].set_index("horizon")["cells"] if MODEL in wide.columns else None
    if counts is not None:
        table["cells"] = counts
    if "coverage_pct" in rows and rows.loc[rows["method"] == MODEL, "coverage_pct"].notna().any():
        column = "coverage of 90 % band" if uncertainty else "coverage of 90 % band (chance only)"
        table[column] = rows[rows["method"] == MODEL].set_index("horizon")["coverage_pct"]
    return table.reset_index()


def labels_note(backtest: Backtest) -> str:
    """What the scores rest on: in-sample parameters, look-ahead starts."""
    errors = backtest.errors[backtest.errors["method"] == MODEL]
    notes = []
    if errors["in_sample"].any():
        notes.append(
            "<b>in-sample</b>: run with --no-calibrate, on the shipped parameters, which were fitted with data from "
            "after these origins"
        )
    ahead = sorted(errors.loc[errors["look_ahead"], "origin"].unique())
    if ahead:
        notes.append(
            f"<b>look-ahead</b>: origin(s) {', '.join(map(str, ahead))} start from jobs and commuting of the 4th "
            "quarter of 2017, observed after the origin (the series starts then)"
        )
    if errors["conditional"].any():
        notes.append(
            "<b>conditional</b>: run with --ex-post, the model was fed Norway's observed fertility and age "
            "structure after each origin"
        )
    notes.append(
        "<b>conditional</b>: the national-share benchmark for jobs uses the observed national total after the origin"
    )
    return "; ".join(notes) + "."


def write_report(backtest: Backtest) -> Path:
    """backtest.html (self-contained) and error_by_horizon.png in the backtest folder."""
    folder = backtest.folder
    figure = error_figure(backtest)
    tables = {
        level: population_table(backtest.summary, level, backtest.uncertainty)
        .round(2)
        .to_html(index=False, border=0, na_rep="–")
        for level in ("municipalities", "region")
    }
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Backtest: {html.escape(backtest.region)}</title><style>{STYLE}</style></head><body>",
        f"<h1>How right was it before? {html.escape(backtest.region)}</h1>",
        f"<p>Origins {', '.join(map(str, backtest.origins))}: from each, the region as known on 1 January of that "
        "year, projected and scored against what SSB observed after it, beside naive forecasts made from the same "
        "data. MAPE: the mean absolute percentage error over municipalities and origins at each horizon.</p>",
        f"<p class='note'>{labels_note(backtest)}</p>",
        "<h2>Population, municipalities (MAPE %)</h2>",
        tables["municipalities"],
        "<h2>Population, region (error %, + = too high)</h2>",
        tables["region"],
        f"<figure><img src='{_image(folder / figure)}' alt='error by horizon'>"
        "<figcaption>Error by horizon: regionsim (thick) against each naive benchmark (dashed). Jobs: origins "
        "that started from jobs observed after them (look-ahead) are the dotted line, apart. Net migration "
        "errors are in percent of the residents at the start of the year.</figcaption></figure>",
        "<p>Every cell: errors.csv; every measure by level, variable, method and horizon: summary.csv; each "
        "origin's region, calibration and projection: origins/.</p></body></html>",
    ]
    page = "\n".join(parts)
    write_atomically(folder / "backtest.html", lambda p: p.write_text(page, encoding="utf-8"))
    return folder / "backtest.html"
