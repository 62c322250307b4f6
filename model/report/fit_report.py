"""The calibration's outputs: the overlay, the fit report with its figures, the loss history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
import yaml  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from model.experiments.calibration.config import CalibrationConfig  # noqa: E402
from model.experiments.calibration.fit import Calibration  # noqa: E402
from model.experiments.calibration.observed import BANDS, FLOWS  # noqa: E402
from model.experiments.run_folder import git_commit  # noqa: E402
from model.experiments.store import write_atomically  # noqa: E402
from model.inputs.region import RegionData  # noqa: E402
from model.inputs.scenario import Scenario  # noqa: E402
from model.report.figures import label, panel_grid, panel_places, save_figure, thousands  # noqa: E402
from model.report.html import render  # noqa: E402
from model.report.run_figures import observed_jobs  # noqa: E402

SIMULATED, OBSERVED = "#0173b2", "0.25"


def write_report(calibration: Calibration) -> None:
    """calibrated.yaml, errors.csv, figures/*.png and fit_report.html in the calibration folder."""
    folder, config, scenario, region = calibration.folder, calibration.config, calibration.scenario, calibration.region
    best, loss, summary, table, cache = (
        calibration.best,
        calibration.loss,
        calibration.errors,
        calibration.runs,
        calibration.history,
    )
    config_path, names = calibration.config_path, list(config.free)
    outcomes = table.attrs["outcomes"]
    population = table[table["target"] == "population"]
    final = population[population["year"] == config.test_years[1]]
    region_error = 100 * (final["value_simulated"].sum() / final["value_observed"].sum() - 1)
    provenance = {
        "config": str(config_path),
        "date": datetime.now(UTC).date().isoformat(),
        "loss": round(loss, 6),
        "evaluations": calibration.evaluations,
        "fit MAPE population (%)": _mape(summary, "fit", "population"),
        "test MAPE population (%)": _mape(summary, "test", "population"),
        f"region population {config.test_years[1]} error (%)": round(region_error, 2),
        "git commit": git_commit(),
    }
    _overlay(folder / "calibrated.yaml", best, provenance, config, scenario, calibration.settlement_pull)
    write_atomically(folder / "errors.csv", lambda p: summary.round(4).to_csv(p, index=False))
    figures = folder / "figures"
    figures.mkdir(exist_ok=True)
    shown = [
        (
            "Population, simulated and observed",
            _population(outcomes, region, config, figures),
            "Population on 1 January in each municipality: the optimiser saw only the fit period; the test period is "
            "how well the model predicts years it was not fitted to.",
        ),
        (
            "Age structure",
            _ages(table, region, config, figures),
            f"Share of each age band in {config.age_structure_years['fit']} (fitted) and "
            f"{config.age_structure_years['test']} (tested).",
        ),
        (
            "Checks that were not targets",
            _checks(outcomes, region, scenario, figures),
            "Jobs in the municipality with the longest observed series, the region's net out-commuting, and its age "
            "structure against Norway's: patterns the model should show without being fitted to them.",
        ),
        (
            "Loss history",
            _history(cache, figures),
            "Each evaluated candidate's loss and the best so far: a flat tail means the budget was enough.",
        ),
    ]
    if (table["target"].isin(FLOWS) & table["year"].between(*config.flow_years)).any():
        first, last = config.flow_years
        shown.insert(
            1,
            (
                f"Births, deaths and migration, {first}-{str(last)[-2:]}",
                _flows(table, region, config, figures),
                "Yearly births, deaths, in- and out-migrants (moves between the municipalities included), simulated "
                "against SSB's population change.",
            ),
        )
    settings = {
        **provenance,
        "free parameters": ", ".join(f"{n} in {list(config.free[n])}" for n in names),
        "best values": ", ".join(f"{n} = {v:.4g}" for n, v in best.items()),
        **(
            {"settlement pull (derived after the fit)": ", ".join(f"{n} {v}" for n, v in pull.items())}
            if (pull := calibration.settlement_pull)
            else {}
        ),
        "targets (weights)": ", ".join(f"{k} {v}" for k, v in config.targets.items()),
        "replicates per evaluation": config.replicates,
    }
    key = summary.assign(mape_percent=summary["mape_percent"].round(2), rmse=summary["rmse"].round(3))
    page = render(
        f"Calibration of {region.name}: fit {config.fit_years[0]}-{config.fit_years[1]}, "
        f"test {config.test_years[0]}-{config.test_years[1]}",
        [scenario],
        {scenario.name: (0.0, 0.45, 0.7)},
        key,
        [(h, f"figures/{n}", c) for h, n, c in shown],
        settings,
        folder,
        note=(
            f"Simulated values are the mean of {max(config.replicates, config.report_replicates)} replicates with the "
            "best values; bands show <b>chance</b>, the 5–95 % range over them. The optimiser saw only the fit "
            "period; errors of the test period show how well the model predicts years it was not fitted to."
        ),
        key_heading="Errors per target (MAPE %, RMSE in persons or shares)",
    )
    write_atomically(folder / "fit_report.html", lambda p: p.write_text(page, encoding="utf-8"))


def _mape(summary: pd.DataFrame, period: str, target: str) -> float | None:
    row = summary[(summary["period"] == period) & (summary["target"] == target)]
    return round(float(row["mape_percent"].iloc[0]), 3) if len(row) else None


def _overlay(
    path: Path,
    best: dict[str, float],
    provenance: dict,
    config: CalibrationConfig,
    scenario: Scenario,
    settlement_pull: dict[str, float],
) -> None:
    """The values a projection carries, as a scenario overlay; the hindcast-only ones in a comment.

    Immigration fitted on Norway's yearly path keeps that path and its reference year (the
    hindcast's first year), so a projection carries the level on as the fit meant it; the
    settlement pull derived after the fit is carried with them.
    """
    carried = {k: float(f"{v:.4g}") for k, v in best.items() if k in config.carried()}
    parameters = {k: v for k, v in carried.items() if not k.startswith("context.")}
    context: dict = {}
    for key, value in carried.items():
        if key.startswith("context.national_job_growth."):
            context.setdefault("national_job_growth", {})[key.rsplit(".", 1)[1]] = value
        elif key.startswith("context."):
            context[key.removeprefix("context.")] = value
    if "immigration_per_year" in context and scenario.context.immigration_path == "national":
        reference = scenario.context.immigration_reference_year or scenario.base_year
        context |= {"immigration_path": "national", "immigration_reference_year": reference}
    if settlement_pull:
        context["settlement_pull"] = dict(settlement_pull)
    kept_out = {k: float(f"{v:.4g}") for k, v in best.items() if k not in carried}
    lines = [
        "# Calibrated values: fitted by `regionsim calibrate` to the region's history",
        f"# (fit {config.fit_years[0]}-{config.fit_years[1]}, test {config.test_years[0]}-{config.test_years[1]}).",
        "# A scenario uses them with `extends: <this file>`. Provenance:",
        *(f"#   {k}: {v}" for k, v in provenance.items()),
    ]
    if kept_out:
        lines.append("# Fitted for the hindcast period only, not carried into projections:")
        lines += [f"#   {k}: {v}" for k, v in kept_out.items()]
    body = {"parameters": parameters} | ({"context": context} if context else {})
    text = "\n".join(lines) + "\n" + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)
    write_atomically(path, lambda p: p.write_text(text, encoding="utf-8"))


def _theme() -> None:
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.8)


def _periods(ax, config: CalibrationConfig) -> None:
    ax.axvspan(config.fit_years[0], config.fit_years[1], color="#e8f1f8", zorder=0)
    ax.axvspan(config.test_years[0] - 0.5, config.test_years[1], color="#fbeee0", zorder=0)


def _population(outcomes: pd.DataFrame, region: RegionData, config: CalibrationConfig, folder: Path) -> str:
    _theme()
    places = panel_places(region)
    data = outcomes[outcomes["variable"] == "population"]
    observed = {y: p.sum(axis=(1, 2)) for y, p in region.observed_population().items()}
    figure, axes = panel_grid(len(places))
    for ax, place in zip(axes, places, strict=True):
        _periods(ax, config)
        here = data[data["municipality"] == place].groupby("year")["value"]
        low, high, mean = here.quantile(0.05), here.quantile(0.95), here.mean()
        ax.fill_between(mean.index, low, high, color=SIMULATED, alpha=0.2, lw=0)
        ax.plot(mean.index, mean, color=SIMULATED, lw=2.5, label="simulated (mean, 90 % band)")
        years = sorted(observed)
        values = [
            observed[y].sum() if place == region.name else observed[y][region.municipalities.index(place)]
            for y in years
        ]
        ax.plot(years, values, color=OBSERVED, ls="--", marker="o", ms=4, lw=1.5, label="observed (SSB)")
        ax.set_title(place, fontweight="bold" if place == region.name else None)
        ax.yaxis.set_major_formatter(FuncFormatter(thousands))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    handles, labels = axes[0].get_legend_handles_labels()
    handles += [plt.Rectangle((0, 0), 1, 1, color="#e8f1f8"), plt.Rectangle((0, 0), 1, 1, color="#fbeee0")]
    labels += ["fit period", "test period (not seen by the optimiser)"]
    figure.legend(handles, labels, loc="lower center", ncol=4, frameon=False, bbox_to_anchor=(0.5, -0.04))
    figure.suptitle("Population on 1 January (persons)", y=1.0)
    figure.tight_layout()
    return save_figure(figure, folder, "population.png")


def _flows(table: pd.DataFrame, region: RegionData, config: CalibrationConfig, folder: Path) -> str:
    _theme()
    data = table[table["target"].isin(FLOWS) & table["year"].between(*config.flow_years)]
    mean = data.groupby(["target", "municipality"])[["value_simulated", "value_observed"]].mean()
    figure, axes = plt.subplots(1, len(FLOWS), figsize=(20, 5.5))
    x = np.arange(len(region.municipalities))
    for ax, flow in zip(axes, FLOWS, strict=True):
        here = mean.loc[flow].reindex(region.municipalities)
        ax.bar(x - 0.2, here["value_simulated"], 0.4, color=SIMULATED, label="simulated")
        ax.bar(x + 0.2, here["value_observed"], 0.4, color="0.6", label="observed")
        ax.set_xticks(x, region.municipalities, rotation=30, ha="right")
        ax.set_title(flow.replace("_", " ") + " a year")
        ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    axes[0].legend(frameon=False)
    figure.tight_layout()
    return save_figure(figure, folder, "flows.png")


def _ages(table: pd.DataFrame, region: RegionData, config: CalibrationConfig, folder: Path) -> str:
    _theme()
    figure, axes = plt.subplots(1, 2, figsize=(20, 6), sharey=True)
    for ax, (period, year) in zip(axes, config.age_structure_years.items(), strict=True):
        data = table[table["target"].str.startswith("share_") & (table["year"] == year)]
        for i, place in enumerate(region.municipalities):
            here = data[data["municipality"] == place].set_index("target").reindex([f"share_{b}" for b in BANDS])
            x = np.arange(len(BANDS)) + (i - 2) * 0.16
            ax.scatter(x, 100 * here["value_observed"], marker="o", color=f"C{i}", s=60, label=f"{place} observed")
            ax.scatter(x, 100 * here["value_simulated"], marker="x", color=f"C{i}", s=60, label=f"{place} simulated")
        ax.set_xticks(range(len(BANDS)), [label(b.removeprefix("population_")) for b in BANDS])
        ax.set_title(f"{year} ({period})")
        ax.set_ylabel("share of residents (%)")
    axes[1].legend(frameon=False, fontsize="x-small", ncol=2)
    figure.tight_layout()
    return save_figure(figure, folder, "age_structure.png")


def _checks(outcomes: pd.DataFrame, region: RegionData, scenario: Scenario, folder: Path) -> str:
    _theme()
    figure, axes = plt.subplots(1, 3, figsize=(20, 5.5))
    seen = observed_jobs(region)
    seen = seen[seen["year"] <= scenario.years.end]
    # The place with the longest observed series in the run's years (Vestre Toten in Gjøvikregionen).
    counts = seen["municipality"].value_counts()
    place = str(counts.index[0]) if not counts.empty else region.name
    jobs = outcomes[(outcomes["variable"] == "jobs") & (outcomes["municipality"] == place)]
    mean = jobs.groupby("year")["value"].mean()
    axes[0].plot(mean.index, mean, color=SIMULATED, lw=2.5, label="simulated")
    seen = seen[seen["municipality"] == place].sort_values("year")
    axes[0].plot(seen["year"], seen["value"], color=OBSERVED, ls="--", marker="o", label="observed")
    axes[0].set_title(f"Jobs in {place}")
    axes[0].legend(frameon=False)
    region_rows = outcomes[outcomes["municipality"] == region.name]
    commuting = region_rows.pivot_table(index="year", columns="variable", values="value", aggfunc="mean")
    axes[1].plot(commuting.index, commuting["out_commuters"] - commuting["in_commuters"], color=SIMULATED, lw=2.5)
    axes[1].axhline(0, color="0.3", lw=1)
    axes[1].set_title("Net out-commuting of the region (persons)")
    older = commuting["population_67_79"] + commuting["population_80_plus"]
    axes[2].plot(
        commuting.index, 100 * older / commuting["population"], color=SIMULATED, lw=2.5, label="region, simulated"
    )
    norway = {y: p for y, p in region.national.population.items() if y >= (scenario.base_year or 0)}
    axes[2].plot(
        list(norway),
        [100 * p[:, 67:].sum() / p.sum() for p in norway.values()],
        color=OBSERVED,
        ls="--",
        label="Norway, observed",
    )
    axes[2].set_title("Share aged 67 and over (%)")
    axes[2].legend(frameon=False)
    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    figure.tight_layout()
    return save_figure(figure, folder, "checks.png")


def _history(cache: dict[tuple, float], folder: Path) -> str:
    _theme()
    losses = np.array(list(cache.values()))
    figure, ax = plt.subplots(figsize=(12, 5))
    ax.scatter(np.arange(1, len(losses) + 1), losses, s=12, color="0.6", label="candidate")
    ax.plot(np.arange(1, len(losses) + 1), np.minimum.accumulate(losses), color=SIMULATED, lw=2.5, label="best so far")
    ax.set_yscale("log")
    ax.set_xlabel("evaluation")
    ax.set_ylabel("loss")
    ax.legend(frameon=False)
    return save_figure(figure, folder, "loss_history.png")
