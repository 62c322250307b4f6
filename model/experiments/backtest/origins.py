"""One origin of a backtest: the region as known then, its calibration, its projection scenario.

For an origin year O the region is built again from the municipal data set
with persons up to 1 January O (``region create --last-year O``: jobs and
commuting of the latest 4th quarter before O, or the structure of a later
one, marked look-ahead, where none is that old). The projection starts from
it with the context assumed at O: national fertility at its latest level
known then, mortality improving by the documented default, immigration at
the level the origin's calibration needed in the years before O (with
``calibrate=False``: the shipped scenario's values, which saw the future, so
every score is in-sample).
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from model.experiments.calibration.fit import Calibration, calibrate
from model.experiments.calibration.origin import IMMIGRATION, ROOT, RegionCalibration, write_origin_files
from model.experiments.calibration.persistence import Persistence, projected_persistence, pull_ranges
from model.experiments.calibration.settlement import in_migration_rates
from model.experiments.store import write_atomically
from model.inputs.context import Context
from model.inputs.municipal.create import create_region
from model.inputs.municipal.write import STAMP
from model.inputs.region import RegionData, cached_region
from model.inputs.scenario import Scenario
from model.inputs.uncertain import PULL
from model.simulation.immigration import NationalImmigration

ASSUMPTION = "context.immigration_assumption_scaling"  # Norway's immigration after the origin, drawn with --uncertainty
NEAR_BEST = 1.10  # candidates within 10 % of the best loss give the uncertainty range of a calibrated value


@dataclass
class OriginRun:
    """What one origin needs to run and be scored.

    Attributes:
        origin: the year of the origin (1 January).
        folder: the origin's folder in the backtest.
        region: the region as known at the origin.
        scenario: the projection scenario.
        calibrated: whether its parameters were calibrated before the origin (else in-sample).
        look_ahead: whether its start used a jobs structure observed after the origin.
        ex_post: whether it was fed Norway's observed national path after the origin (conditional).
    """

    origin: int
    folder: Path
    region: RegionData
    scenario: Scenario
    calibrated: bool
    look_ahead: bool
    ex_post: bool = False


def local_folder(region: RegionData) -> Path | None:
    """The `--local` folder the shipped region was built with, read from its build stamp."""
    stamp = region.folder / STAMP
    if not stamp.is_file():
        return None
    words = shlex.split(json.loads(stamp.read_text(encoding="utf-8")).get("command", ""))
    if "--local" not in words:
        return None
    path = Path(words[words.index("--local") + 1])
    return path if path.is_absolute() else ROOT / path


def build_at_origin(shipped: RegionData, origin: int, folder: Path, name: str) -> RegionData:
    """The region rebuilt with persons up to `origin` (kept if already built in `folder`)."""
    target = folder / "regions" / name
    if not (target / STAMP).is_file():
        create_region(
            name,
            folder,
            municipalities=list(shipped.numbers),
            last_year=origin,
            local=local_folder(shipped),
            title=shipped.name,
            overwrite=True,
            scenario=False,
            command=f"regionsim backtest (origin {origin})",
        )
    return cached_region(target.resolve())


def calibrate_at_origin(
    region: RegionData,
    origin: int,
    folder: Path,
    base: dict[str, Any],
    config: RegionCalibration,
    config_path: Path,
    **options: Any,
) -> Calibration:
    """Calibrate on the years before the origin (resumed from its evaluations if started)."""
    config_file = write_origin_files(folder / "calibration_input", region, origin, base, config, config_path)
    out = folder / "calibration"
    resume = (out / "calibration.json").is_file()
    return calibrate(config_file, out=out, resume=resume, **options)


def near_best_ranges(calibration: Calibration) -> dict[str, tuple[float, float]]:
    """Per free value, the range over the candidates within 10 % of the best loss: data before the origin only."""
    names = list(calibration.best)
    values = np.array([key for key, loss in calibration.history.items() if loss <= calibration.loss * NEAR_BEST])
    ranges = {}
    for i, name in enumerate(names):
        low, high = float(values[:, i].min()), float(values[:, i].max())
        if high > low:
            ranges[name] = (low, high)
    return ranges


def projection_scenario(
    region: RegionData,
    origin: int,
    last_year: int,
    base: dict[str, Any],
    folder: Path,
    calibration: Calibration | None,
    shipped_uncertainty: dict[str, Any],
    ex_post: bool = False,
    context: dict[str, Any] | None = None,
    persistence: Persistence | None = None,
) -> Scenario:
    """Write and read the origin's projection scenario: from 1 January `origin` to `last_year`.

    `ex_post` feeds Norway's observed fertility, age structure and immigration after the origin
    (conditional scores); `context` holds the keys the calibration's hindcast set (see `origin_context`);
    `persistence`, measured across Norway before the origin, fades the settlement pull after it and
    gives each municipality's pull its range under `--uncertainty`.
    """
    document = {**base, "parameters": dict(base["parameters"]), "context": {**base["context"], **(context or {})}}
    document["context"]["national_path"] = "observed" if ex_post else "as_known"
    uncertainty: dict[str, Any] = dict(shipped_uncertainty)
    if calibration is not None:
        for name, value in calibration.best.items():
            if name == IMMIGRATION:
                document["context"]["immigration_per_year"] = round(value, 1)
            elif name.startswith("context."):
                document["context"][name.removeprefix("context.")] = value
            else:
                document["parameters"][name] = value
        if calibration.settlement_pull:
            document["context"]["settlement_pull"] = dict(calibration.settlement_pull)
        uncertainty = {
            name: [round(low, 6), round(high, 6)] for name, (low, high) in near_best_ranges(calibration).items()
        }
        if calibration.settlement_pull and persistence is not None:
            document["parameters"]["settlement_pull_persistence"] = projected_persistence(persistence)
            years = range(*calibration.config.fit_years)
            rates = in_migration_rates(calibration.runs.attrs["outcomes"], region, years)
            for name, (low, high) in pull_ranges(calibration.settlement_pull, rates, persistence).items():
                uncertainty[PULL + name] = [low, high]
        if document["context"].get("immigration_path") == "national":
            low, high = NationalImmigration(region.national, Context()).assumed_scaling_range
            uncertainty[ASSUMPTION] = [round(float(low), 4), round(float(high), 4)]
    how = (
        "its parameters and immigration calibrated on the years before it"
        if calibration is not None
        else "the shipped parameters, which saw the years after it (in-sample)"
    )
    document |= {
        "name": f"backtest_{origin}",
        "description": f"{region.name} projected from 1 January {origin} as known then, with {how}.",
        "region": str(region.folder),
        "base_year": origin,
        "years": {"start": origin, "end": last_year},
        "uncertainty": uncertainty,
    }
    path = folder / "projection.yaml"
    text = f"# Written by regionsim backtest: the projection from {origin}.\n" + yaml.safe_dump(
        document, allow_unicode=True, sort_keys=False
    )
    write_atomically(path, lambda p: p.write_text(text, encoding="utf-8"))
    return Scenario.from_yaml(path)
