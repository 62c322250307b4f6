"""What the page shows of a comparison: the report's figures, its key numbers, and a map.

The figures are made by the same functions, with the same palette, as
``regionsim compare``'s report, so the page and the downloaded report.html
agree. The map is the dashboard's own: the municipalities at their centres,
circles sized by residents and coloured by the difference to the baseline,
commuting flows as lines whose width is the number of commuters.
"""

from __future__ import annotations

import io
import itertools
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import TwoSlopeNorm, to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from model.dashboard.runs import CachedEnsemble
from model.experiments.ensemble import manifest as ensemble_manifest
from model.experiments.executors import ExecutorChoice
from model.experiments.summary import commuting_at, horizon_table, over_time
from model.inputs.region import RegionData
from model.inputs.uncertain import band_kind
from model.report import figures
from model.report.comparison import comparison_figures, key_numbers, write_outputs
from model.report.figures import thousands

# pyplot, which the report's figure functions use, is not thread-safe: one figure at a time.
RENDER = threading.Lock()
# The report's figures the page has tabs for (app.py), drawn by the report's own code.
SHOWN = (
    "Population",
    "Jobs",
    "Population against the baseline",
    "Jobs against the baseline",
    "Net jobs and cost per job",
    "Jobs by sector",
    "Age structure",
)
COMMUTERS_PER_POINT = 250  # map line width: one point per 250 commuters (both directions)
PERSONS_PER_AREA = 15  # map circle area: one square point per 15 residents
RING = (0.10, 0.075)  # map units beyond the outermost municipality to the ring of outside places
MARGIN = (0.2, 0.06, 0.085)  # map units beyond the ring (sides, bottom, top): room for the outside places' labels
MIN_ANGLE = 26.0  # degrees between outside places on the ring
CHANGE_MAP = "RdBu_r"  # as the report's commuting figure: red is more than the baseline


@dataclass
class Views:
    """A comparison ready to show.

    Attributes:
        ensemble: the comparison (its folder holds the figures and, once asked for, the report).
        region: the region's data.
        colours: scenario -> colour (hex), the report's palette.
        figures: heading -> (PNG path, caption), in the report's order.
        key_numbers: the report's key numbers at the horizon (strings with intervals).
        population: population over time per scenario and municipality, mean and difference to the baseline.
        seconds: time taken to make the figures.
    """

    ensemble: CachedEnsemble
    region: RegionData
    colours: dict[str, str]
    figures: dict[str, tuple[Path, str]]
    key_numbers: pd.DataFrame
    population: pd.DataFrame
    seconds: float = 0.0
    _flows: dict[int, dict[str, pd.DataFrame]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def names(self) -> list[str]:
        """The scenarios, the baseline first."""
        return [s.name for s in self.ensemble.scenarios]

    @property
    def years(self) -> tuple[int, int]:
        """First and last year of the run."""
        first = self.ensemble.scenarios[0]
        return first.base_year or self.region.latest_snapshot, first.years.end

    def flows(self, year: int) -> dict[str, pd.DataFrame]:
        """Mean commuters by residence (rows) and workplace (columns) per scenario in a year."""
        with self._lock:
            if year not in self._flows:
                self._flows[year] = commuting_at(self.ensemble, year)
            return self._flows[year]


KEPT = 64  # comparisons whose views stay in memory
_built: OrderedDict[str, Views] = OrderedDict()
_building = threading.Lock()


def build(ensemble: CachedEnsemble, region: RegionData) -> Views:
    """The figures and numbers of a comparison, made once per comparison and server (then instant)."""
    with _building:
        if ensemble.key in _built:
            _built.move_to_end(ensemble.key)
            return _built[ensemble.key]
        views = _make(ensemble, region)
        _built[ensemble.key] = views
        while len(_built) > KEPT:
            _built.popitem(last=False)
        return views


def _make(ensemble: CachedEnsemble, region: RegionData) -> Views:
    started = time.perf_counter()
    folder = ensemble.folder / "views"
    folder.mkdir(parents=True, exist_ok=True)
    first = ensemble.scenarios[0]
    colours = figures.palette([s.name for s in ensemble.scenarios])
    summary = horizon_table(ensemble, first.years.end)
    over = over_time(ensemble, ["population", "jobs"])
    with RENDER:
        made = comparison_figures(ensemble, region, summary, over, folder, band_kind(None), only=SHOWN)
    population = over[over["variable"] == "population"][
        ["scenario", "municipality", "year", "mean", "difference_mean"]
    ].reset_index(drop=True)
    return Views(
        ensemble=ensemble,
        region=region,
        colours={name: to_hex(colour) for name, colour in colours.items()},
        figures={heading: (folder / name, caption) for heading, name, caption in made},
        key_numbers=key_numbers(summary, region.name, first.name),
        population=population,
        seconds=time.perf_counter() - started,
    )


def report(views: Views, choice: ExecutorChoice) -> Path:
    """The comparison's self-contained report.html, as ``regionsim compare`` writes it (made once)."""
    path = views.ensemble.folder / "report.html"
    with RENDER:
        if not path.is_file():
            write_outputs(views.ensemble, views.region, ensemble_manifest(views.ensemble, choice))
    return path


def _layout(region: RegionData) -> tuple[dict[str, tuple[float, float]], tuple[float, float, float, float]]:
    """Map positions of every node (x: east, y: north) and the map's extent.

    Municipalities stand at their centres (longitude scaled by the cosine of
    the latitude). Outside places stand on a ring around the region in their
    true direction, not to scale, spread so their labels do not collide; a
    place without a position stands to the south-east.
    """
    municipalities = [n for n in region.nodes if n.kind == "municipality"]
    scale = math.cos(math.radians(sum(n.lat for n in municipalities) / len(municipalities)))
    positions = {n.name: (n.lon * scale, n.lat) for n in municipalities}
    cx = sum(x for x, _ in positions.values()) / len(positions)
    cy = sum(y for _, y in positions.values()) / len(positions)
    rx = max(abs(x - cx) for x, _ in positions.values()) + RING[0]
    ry = max(abs(y - cy) for _, y in positions.values()) + RING[1]
    angles = []
    for node in region.nodes:
        if node.kind == "municipality":
            continue
        angle = -45.0 if node.lat is None else math.degrees(math.atan2(node.lat - cy, node.lon * scale - cx))
        angles.append([angle, node.name])
    angles.sort()
    for before, after in itertools.pairwise(angles):
        after[0] = max(after[0], before[0] + MIN_ANGLE)
    for angle, name in angles:
        positions[name] = (cx + rx * math.cos(math.radians(angle)), cy + ry * math.sin(math.radians(angle)))
    return positions, (cx - rx - MARGIN[0], cx + rx + MARGIN[0], cy - ry - MARGIN[1], cy + ry + MARGIN[2])


def _label_direction(name: str, positions: dict[str, tuple[float, float]], others: list[str]) -> float:
    """The direction (radians) in which a place's label has most room: away from its close neighbours."""
    x, y = positions[name]
    push_x = push_y = 0.0
    for other in others:
        if other != name:
            dx, dy = x - positions[other][0], y - positions[other][1]
            distance = dx * dx + dy * dy
            push_x, push_y = push_x + dx / distance, push_y + dy / distance
    angle = math.atan2(push_y, push_x)
    return round(angle / (math.pi / 2)) * (math.pi / 2)  # left, right, above or below: labels read level


def map_png(views: Views, year: int, scenario: str) -> bytes:
    """The region in a year for one scenario: residents, their difference to the baseline, commuting."""
    region, baseline = views.region, views.names[0]
    positions, extent = _layout(region)
    population = views.population[views.population["scenario"] == scenario].set_index(["municipality", "year"])
    change = population["difference_mean"].fillna(0.0)
    limit = max(float(change.abs().max()), 1.0)
    norm = TwoSlopeNorm(0.0, -limit, limit)
    flows = views.flows(year)[scenario]
    municipalities = region.municipalities
    cx = sum(positions[m][0] for m in municipalities) / len(municipalities)
    cy = sum(positions[m][1] for m in municipalities) / len(municipalities)

    figure = Figure(figsize=(12, 8.6), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    names = [n.name for n in region.nodes]
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if a not in municipalities and b not in municipalities:
                continue
            persons = _flow(flows, a, b) + _flow(flows, b, a)
            if persons < 1:
                continue
            (xa, ya), (xb, yb) = positions[a], positions[b]
            width = max(min(persons / COMMUTERS_PER_POINT, 22), 0.4)
            ax.plot([xa, xb], [ya, yb], color="0.3", alpha=0.45, lw=width, solid_capstyle="round", zorder=1)
    for node in region.nodes:
        x, y = positions[node.name]
        if node.kind == "municipality":
            away = _label_direction(node.name, positions, municipalities)
            here = population.loc[(node.name, year)]
            area = here["mean"] / PERSONS_PER_AREA
            ax.scatter(
                x,
                y,
                s=area,
                c=[change.loc[(node.name, year)]],
                cmap=CHANGE_MAP,
                norm=norm,
                edgecolors="0.15",
                linewidths=1.3,
                zorder=3,
            )
            text = f"{node.name}\n{thousands(here['mean'])}"
            if scenario != baseline:
                text += f" ({change.loc[(node.name, year)]:+,.0f})".replace(",", "\u2009")
            reach = math.sqrt(area) / 2 + 6
            ax.annotate(
                text,
                (x, y),
                xytext=(reach * math.cos(away), reach * math.sin(away)),
                textcoords="offset points",
                ha="left" if math.cos(away) > 0.3 else "right" if math.cos(away) < -0.3 else "center",
                va="bottom" if math.sin(away) > 0.3 else "top" if math.sin(away) < -0.3 else "center",
                fontsize=11,
                fontweight="bold",
                zorder=4,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.75},
            )
        else:
            away = math.atan2(y - cy, x - cx)
            exchanged = sum(_flow(flows, node.name, m) + _flow(flows, m, node.name) for m in municipalities)
            ax.scatter(x, y, s=90, marker="s", color="0.45", zorder=3)
            kind = "weekly commuters" if node.kind == "long_distance" else "commuters"
            ax.annotate(
                f"{node.name}\n{thousands(exchanged)} {kind}",
                (x, y),
                xytext=(10 * math.cos(away), 10 * math.sin(away)),
                textcoords="offset points",
                ha="left" if math.cos(away) > 0.3 else "right" if math.cos(away) < -0.3 else "center",
                va="bottom" if math.sin(away) > 0.3 else "top" if math.sin(away) < -0.3 else "center",
                fontsize=10.5,
                color="0.2",
                zorder=4,
            )
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_color("0.85")
    bar = figure.colorbar(ScalarMappable(norm=norm, cmap=CHANGE_MAP), ax=ax, shrink=0.6, pad=0.01, fraction=0.035)
    bar.set_label(f"residents against '{baseline}' (persons)", fontsize=12)
    samples = [500, 1000, 3000]
    ax.legend(
        [Line2D([0], [0], color="0.3", alpha=0.45, lw=n / COMMUTERS_PER_POINT) for n in samples],
        [f"{thousands(n)} commuters" for n in samples],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=3,
        fontsize=11,
        frameon=False,
        title="Lines: commuters between two places, both directions. Outside places: in their direction, not to scale.",
        title_fontsize=10.5,
    )
    ax.set_title(
        f"'{scenario}' in {year}\ncircle area: residents; colour: residents against '{baseline}'",
        fontsize=13,
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def _flow(flows: pd.DataFrame, residence: str, workplace: str) -> float:
    """Commuters from a residence to a workplace (0 if none)."""
    if residence in flows.index and workplace in flows.columns:
        value = flows.at[residence, workplace]
        return 0.0 if pd.isna(value) else float(value)
    return 0.0
