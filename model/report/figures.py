"""The comparison figures: one palette per scenario, titles and units, readable on a projector.

Each function writes one PNG and returns its file name and a one-sentence
caption that says what to look at.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.colors import TwoSlopeNorm  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from model.inputs.sectors import SECTOR_KEYS  # noqa: E402
from model.inputs.uncertain import band_kind  # noqa: E402

Figure = tuple[str, str]
AGE_BANDS = ("0_5", "6_15", "16_19", "20_66", "67_79", "80_plus")
OBSERVED_COLOUR = "0.35"
GAIN_COLOUR, LOSS_COLOUR = sns.color_palette("colorblind")[2:4]
NET_COLOUR = "0.3"


MAX_PANELS = 9  # the region and its largest municipalities; more panels are unreadable on a projector


def panel_places(region) -> list[str]:
    """The places a panel figure shows: every municipality and the region last.

    A large region shows its MAX_PANELS - 1 largest municipalities by residents, and the region.
    """
    names = list(region.municipalities)
    if len(names) + 1 > MAX_PANELS:
        persons = region.snapshot(region.latest_snapshot).persons.sum(axis=(1, 2))
        largest = sorted(np.argsort(-persons, kind="stable")[: MAX_PANELS - 1])
        names = [names[i] for i in largest]
    return [*names, region.name]


def panel_grid(count: int, width: float = 17, height: float = 9.5):
    """A figure with one panel per place (three to a row), spare panels hidden; returns (figure, axes)."""
    columns = min(3, count)
    rows = -(-count // columns)
    figure, axes = plt.subplots(
        rows,
        columns,
        figsize=(width * columns / 3 if columns < 3 else width, height * rows / 2),
        sharex=True,
        squeeze=False,
    )
    flat = list(axes.ravel())
    for ax in flat[count:]:
        ax.set_visible(False)
    for ax in flat[max(0, count - columns) : count]:  # the lowest panel of each column shows its years
        ax.xaxis.set_tick_params(labelbottom=True)
    return figure, flat[:count]


def thousands(value: float, _position: object = None) -> str:
    """30000 -> '30 000', the Norwegian way (thin space as thousands separator); never '-0'."""
    return f"{round(value):,}".replace(",", "\u2009")


def palette(names: list[str]) -> dict[str, tuple]:
    """One colour-blind-safe colour per scenario, the same in every figure."""
    return dict(zip(names, sns.color_palette("colorblind", max(len(names), 3)), strict=False))


def _theme() -> None:
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.85)


def save_figure(figure, folder: Path, name: str) -> str:
    """Write a figure as a PNG into a folder, close it, and return its file name."""
    figure.savefig(folder / name, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return name


def _legend(figure, colours: dict[str, tuple], extra: list[tuple] = ()) -> None:
    handles = [Line2D([0], [0], color=c, lw=3) for c in colours.values()] + [h for h, _ in extra]
    labels = list(colours) + [label for _, label in extra]
    figure.legend(
        handles, labels, loc="lower center", ncol=min(len(labels), 4), frameon=False, bbox_to_anchor=(0.5, -0.06)
    )


def levels(
    over: pd.DataFrame,
    places: list[str],
    variable: str,
    unit: str,
    colours: dict,
    folder: Path,
    window: tuple[int, int],
    observed: pd.DataFrame | None = None,
    band: str = band_kind(None),
) -> Figure:
    """Value over time per municipality, a line per scenario with its 90 % band (`band` says of what)."""
    _theme()
    data = over[over["variable"] == variable]
    figure, axes = panel_grid(len(places))
    for ax, place in zip(axes, places, strict=True):
        ax.axvspan(*window, color="0.94", zorder=0)
        if observed is not None:
            seen = observed[observed["municipality"] == place].sort_values("year")
            ax.plot(seen["year"], seen["value"], color=OBSERVED_COLOUR, ls="--", marker="o", ms=4, lw=1.5)
        for name, colour in colours.items():
            here = data[(data["municipality"] == place) & (data["scenario"] == name)].sort_values("year")
            ax.fill_between(here["year"], here["p5"], here["p95"], color=colour, alpha=0.18, lw=0)
            ax.plot(here["year"], here["mean"], color=colour, lw=2.5)
        _axes(ax, place, places[-1])
    extra = [(Line2D([0], [0], color=OBSERVED_COLOUR, ls="--", marker="o"), "observed")] if observed is not None else []
    _legend(figure, colours, extra)
    figure.suptitle(
        f"{variable.capitalize()} ({unit}): mean and 90 % band over replicates; shaded: reporting window\n"
        f"band shows {band}",
        y=1.0,
    )
    figure.tight_layout()
    name = save_figure(figure, folder, f"{variable}.png")
    return (
        name,
        f"{variable.capitalize()} in each municipality over time: where the lines part, the scenarios differ; "
        f"bands show {band}.",
    )


def differences(
    over: pd.DataFrame,
    places: list[str],
    variable: str,
    colours: dict,
    folder: Path,
    window: tuple[int, int],
    band: str = band_kind(None),
) -> Figure:
    """Difference to the baseline over time, per municipality, with 90 % bands of the paired differences."""
    _theme()
    baseline = next(iter(colours))
    data = over[(over["variable"] == variable) & (over["scenario"] != baseline)]
    figure, axes = panel_grid(len(places))
    for ax, place in zip(axes, places, strict=True):
        ax.axvspan(*window, color="0.94", zorder=0)
        ax.axhline(0, color="0.3", lw=1)
        for name, colour in list(colours.items())[1:]:
            here = data[(data["municipality"] == place) & (data["scenario"] == name)].sort_values("year")
            ax.fill_between(here["year"], here["difference_p5"], here["difference_p95"], color=colour, alpha=0.2, lw=0)
            ax.plot(here["year"], here["difference_mean"], color=colour, lw=2.5)
        _axes(ax, place, places[-1])
    _legend(figure, dict(list(colours.items())[1:]))
    figure.suptitle(
        f"{variable.capitalize()}: difference to '{baseline}' (persons), mean and 90 % band of paired replicates\n"
        f"band shows {band}",
        y=1.0,
    )
    figure.tight_layout()
    name = save_figure(figure, folder, f"difference_{variable}.png")
    return (
        name,
        f"How many more (or fewer) {variable.replace('_', ' ')} each scenario has than '{baseline}'; "
        f"a band clear of zero is an effect, not chance (bands show {band}).",
    )


def _axes(ax, place: str, region: str) -> None:
    ax.set_title(place, fontweight="bold" if place == region else None)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # persons and jobs: no ticks between whole numbers
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))


def label(key: str) -> str:
    """A sector or age-band key as a reader wants it: 'agriculture_food' -> 'agriculture, food', '80_plus' -> '80+'."""
    if key[0].isdigit():
        return key.replace("_plus", "+").replace("_", "–")
    return key.replace("_", ", ", 1) if key.count("_") == 1 else key.replace("_", " ")


def bars(
    horizon: pd.DataFrame,
    region: str,
    variables: list[str],
    labels: list[str],
    colours: dict,
    folder: Path,
    name: str,
    title: str,
    caption: str,
    unit: str = "persons",
) -> Figure:
    """Grouped bars for the region at the horizon, one colour per scenario, 90 % intervals as whiskers."""
    _theme()
    data = horizon[(horizon["municipality"] == region) & horizon["variable"].isin(variables)]
    figure, ax = plt.subplots(figsize=(max(11, 1.6 * len(variables) * max(1, len(colours) / 2)), 6.5))
    width = 0.8 / len(colours)
    x = np.arange(len(variables))
    for i, (scenario, colour) in enumerate(colours.items()):
        here = data[data["scenario"] == scenario].set_index("variable").reindex(variables)
        error = np.vstack([here["mean"] - here["p5"], here["p95"] - here["mean"]])
        ax.bar(
            x + (i - (len(colours) - 1) / 2) * width,
            here["mean"],
            width,
            color=colour,
            yerr=error,
            capsize=3,
            label=scenario,
        )
    ax.set_xticks(x, [label(k) for k in labels], rotation=20, ha="right")
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_ylabel(unit)
    ax.set_title(title)
    ax.legend(frameon=False, fontsize="small")
    return save_figure(figure, folder, name), caption


def commuting(matrices: dict[str, pd.DataFrame], colours: dict, year: int, folder: Path, nodes: list[str]) -> Figure:
    """Flows between the nodes at the horizon in the baseline, and each scenario's change against it."""
    _theme()
    names = list(colours)
    baseline = matrices[names[0]]
    order = columns = [n for n in nodes if n in baseline.index or n in baseline.columns]
    panels = len(names)
    figure, axes = plt.subplots(1, panels, figsize=(9.5 * panels, 8.5), squeeze=False)
    base = baseline.reindex(index=order, columns=columns).fillna(0)
    sns.heatmap(
        np.log10(base.clip(lower=1)),
        ax=axes[0, 0],
        cmap="viridis",
        annot=base.round(0).astype(int),
        fmt="d",
        annot_kws={"size": 8},
        cbar_kws={"label": "log10 persons"},
    )
    axes[0, 0].set_title(f"'{names[0]}', {year}: persons by residence (rows) and workplace")
    for ax, name in zip(axes[0, 1:], names[1:], strict=True):
        change = matrices[name].reindex(index=order, columns=columns).fillna(0) - base
        limit = max(abs(change.to_numpy()).max(), 1)
        sns.heatmap(
            change,
            ax=ax,
            cmap="RdBu_r",
            norm=TwoSlopeNorm(0, -limit, limit),
            annot=change.round(0).astype(int),
            fmt="d",
            annot_kws={"size": 8},
            cbar_kws={"label": "persons"},
        )
        ax.set_title(f"'{name}' minus '{names[0]}', {year}")
    for ax in axes[0]:
        ax.set_xlabel("workplace")
        ax.set_ylabel("residence")
    figure.tight_layout()
    return save_figure(figure, folder, "commuting.png"), (
        f"Who commutes where in {year}: the left map is the baseline; red cells in the others are flows that grow."
    )


def decomposition(
    horizon: pd.DataFrame,
    start: pd.DataFrame,
    growth: dict[str, dict[str, float]],
    places: list[str],
    colours: dict,
    years: int,
    folder: Path,
) -> Figure:
    """Job growth per municipality against what national sector trends and the industry structure alone give."""
    _theme()
    figure, ax = plt.subplots(figsize=(15, 6.5))
    width = 0.8 / len(colours)
    x = np.arange(len(places))
    for i, (scenario, colour) in enumerate(colours.items()):
        actual, structural = [], []
        for place in places:
            base = start[(start["municipality"] == place)].set_index("variable")["mean"]
            end = horizon[(horizon["scenario"] == scenario) & (horizon["municipality"] == place)].set_index("variable")[
                "mean"
            ]
            expected = sum(base[f"jobs_{k}"] * ((1 + growth[scenario].get(k, 0.0)) ** years - 1) for k in SECTOR_KEYS)
            actual.append(100 * (end["jobs"] / base["jobs"] - 1))
            structural.append(100 * expected / base["jobs"])
        offset = (i - (len(colours) - 1) / 2) * width
        ax.bar(x + offset, actual, width, color=colour, label=f"{scenario}: job growth")
        ax.scatter(
            x + offset,
            structural,
            color="black",
            marker="_",
            s=500,
            zorder=3,
            label="national trends and structure alone" if i == 0 else None,
        )
    ax.axhline(0, color="0.3", lw=1)
    ax.set_xticks(x, places)
    ax.set_ylabel(f"job growth over {years} years (%)")
    ax.set_title("Job growth versus what national sector trends and the industry structure alone would give")
    ax.legend(frameon=False, fontsize="small", ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.1))
    return save_figure(figure, folder, "attractiveness.png"), (
        "Bars above the black mark mean a municipality grows more than its industries would nationally: "
        "the local attractiveness effect of the regional analysis."
    )


def net_effects(horizon: pd.DataFrame, region: str, colours: dict, folder: Path) -> Figure:
    """Net jobs against the baseline and MNOK per net job, per scenario, with 90 % intervals."""
    _theme()
    others = list(colours)[1:]
    data = horizon[
        (horizon["municipality"] == region) & (horizon["variable"] == "jobs") & horizon["scenario"].isin(others)
    ]
    data = data.set_index("scenario").reindex(others)
    figure, (left, right) = plt.subplots(1, 2, figsize=(16, 6.5))
    error = np.vstack(
        [data["difference_mean"] - data["difference_p5"], data["difference_p95"] - data["difference_mean"]]
    )
    left.bar(others, data["difference_mean"], color=[colours[n] for n in others], yerr=error, capsize=5)
    left.axhline(0, color="0.3", lw=1)
    left.set_title(f"Net jobs against '{list(colours)[0]}' at the horizon")
    left.set_ylabel("jobs (90 % interval)")
    cost = data["mnok_per_net_job"]
    right.bar(others, cost.fillna(0), color=[colours[n] for n in others])
    for i, value in enumerate(cost):
        right.text(
            i,
            0 if np.isnan(value) else value,
            "no clear gain" if np.isnan(value) else f"{value:.2f}",
            ha="center",
            va="bottom",
        )
    right.set_title("MNOK per net job (budget over the run / net jobs)")
    right.set_ylabel("MNOK per job")
    for ax in (left, right):
        ax.tick_params(axis="x", rotation=20)
    return save_figure(figure, folder, "net_jobs.png"), (
        "What each scenario adds in jobs against the baseline, and what each net job costs; "
        "cost is shown only where the gain is clear of chance."
    )


def additionality(row: pd.Series, region: str, folder: Path) -> tuple[str, str]:
    """additionality.png: from gross direct jobs to net jobs at the horizon, as a waterfall for the region.

    `row` is the region's line of versus_no_strategies.csv; each step is a mean over paired replicates.
    """
    _theme()
    steps = [
        ("gross direct", row["gross_direct_jobs"]),
        ("− deadweight", -row["deadweight_jobs"]),
        ("+ indirect\n(multiplier)", row["indirect_jobs"]),
        ("+ displaced", row["displaced_jobs"]),
    ]
    figure, ax = plt.subplots(figsize=(12, 6.5))

    def show(x: float, y: float, value: float) -> None:
        text = f"{value:+,.0f}".replace(",", "\u2009").replace("-", "\u2212") if round(value) else "0"
        ax.annotate(text, (x, y), xytext=(0, 4), textcoords="offset points", ha="center", va="bottom")

    changes = [change for _, change in steps]
    levels = np.concatenate([[0.0], np.cumsum(changes)])  # every bar runs between two consecutive levels
    for i, change in enumerate(changes):
        ax.bar(i, change, bottom=levels[i], color=GAIN_COLOUR if change >= 0 else LOSS_COLOUR, width=0.6)
        show(i, max(levels[i], levels[i + 1]), change)
    ax.bar(len(steps), levels[-1], color=NET_COLOUR, width=0.6)
    show(len(steps), max(levels[-1], 0), levels[-1])
    span = max(levels.max() - levels.min(), 1.0)  # all zero (a strategy that did nothing): still an axis
    ax.set_ylim(levels.min() - 0.05 * span, levels.max() + 0.15 * span)
    ax.axhline(0, color="0.3", lw=1)
    ax.set_xticks(range(len(steps) + 1), [name for name, _ in steps] + ["= net jobs"])
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_ylabel("jobs")
    ax.set_title(f"{region} {int(row['year'])}: where the net jobs come from (mean of paired replicates)", pad=12)
    figure.tight_layout()
    name = save_figure(figure, folder, "additionality.png")
    return (
        name,
        "Gross direct jobs are those in the firms the strategies brought or assisted; deadweight, those of firms "
        "that would have come anyway; indirect, what local demand adds (the multiplier); displaced, what other "
        "firms lose to the strategies' firms and posts left unfilled.",
    )
