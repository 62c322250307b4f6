"""Uncertain quantities by name: behavioural parameters and region-wide context.

A name is a behavioural parameter (``migration_peak_rate``), a scalar context
key (``context.fertility_scaling``) or the national growth of a basic sector
(``context.national_job_growth.manufacturing``) or one municipality's
settlement pull (``context.settlement_pull.Gjøvik``, which a backtest's
``--uncertainty`` draws: a municipality's own future). Each has a plausible
range, documented in docs/ODD.md. Calibration fits such names,
``--uncertainty`` draws them per replicate and the sensitivity analysis
varies them; all three set values on a scenario with :func:`set_values`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import ValidationError
from scipy.stats import qmc

from model.inputs.context import NATIONAL_GROWTH_PLAUSIBLE, Context
from model.inputs.errors import did_you_mean
from model.inputs.parameters import Parameters
from model.inputs.sectors import BASIC_SECTORS, SECTOR_KEYS

if TYPE_CHECKING:
    from model.inputs.scenario import Scenario

CONTEXT = "context."
GROWTH = "context.national_job_growth."
PULL = "context.settlement_pull."
PULL_PLAUSIBLE = (0.5, 2.0)  # as the context documents; bounded to SETTLEMENT_PULL_BOUNDS
DRAWS_FILE = "uncertainty_draws.csv"  # each replicate's drawn values, in an ensemble folder
UNCERTAINTY_STREAM = 0x5EED_0F_0DD5  # seeds the Latin hypercube apart from the model's streams


def _context_fields() -> dict:
    return {k: f for k, f in Context.model_fields.items() if (f.json_schema_extra or {}).get("plausible")}


def known_names() -> list[str]:
    """Every name that can be calibrated, drawn or varied."""
    basic = [SECTOR_KEYS[i] for i in BASIC_SECTORS]
    return [*Parameters.model_fields, *(CONTEXT + k for k in _context_fields()), *(GROWTH + s for s in basic)]


def unknown(name: str, municipal: bool = False) -> str | None:
    """Why a name cannot be varied (with a did-you-mean), or None if it can.

    `municipal` admits one municipality's settlement pull (a scenario's `uncertainty:`, whose region
    checks the name); sensitivity and calibration configs vary region-wide values only.
    """
    known = known_names()
    if name in known:
        return None
    if name.startswith(PULL) and name.removeprefix(PULL):
        if municipal:
            return None
        return f"{name}: one municipality's pull is drawn only by a scenario's uncertainty (region-wide names here)"
    if name.startswith(GROWTH) and name.removeprefix(GROWTH) in SECTOR_KEYS:
        basic = ", ".join(SECTOR_KEYS[i] for i in BASIC_SECTORS)
        return (
            f"{name}: {name.removeprefix(GROWTH)} follows local demand, not a national trend (basic sectors: {basic})"
        )
    hint = did_you_mean(name, known)
    return f"{name}: not a parameter or uncertain context key" + (
        f" ({hint})" if hint else " (see the parameter and context tables in docs/ODD.md)"
    )


def plausible(name: str) -> tuple[float, float]:
    """The plausible range of a name, as documented in docs/ODD.md."""
    if name.startswith(GROWTH):
        return NATIONAL_GROWTH_PLAUSIBLE[name.removeprefix(GROWTH)]
    if name.startswith(PULL):
        return PULL_PLAUSIBLE
    if name.startswith(CONTEXT):
        low, high = _context_fields()[name.removeprefix(CONTEXT)].json_schema_extra["plausible"]
    else:
        low, high = Parameters.model_fields[name].json_schema_extra["plausible"]
    return float(low), float(high)


def value_of(scenario: Scenario, name: str) -> float:
    """The value a scenario gives a name."""
    if name.startswith(GROWTH):
        return float(scenario.context.national_job_growth.get(name.removeprefix(GROWTH), 0.0))
    if name.startswith(PULL):
        return float(scenario.context.settlement_pull.get(name.removeprefix(PULL), 1.0))
    if name.startswith(CONTEXT):
        return float(getattr(scenario.context, name.removeprefix(CONTEXT)))
    return float(getattr(scenario.parameters, name))


def set_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """The scenario with the named values set (validated like a scenario file)."""
    parameters = {k: _typed(k, v) for k, v in values.items() if not k.startswith(CONTEXT)}
    context = {k.removeprefix(CONTEXT): float(v) for k, v in values.items() if k.startswith(CONTEXT)}
    if context:
        data = scenario.context.model_dump()
        for key, value in context.items():
            if key.startswith("national_job_growth."):
                data["national_job_growth"] = {**data["national_job_growth"], key.split(".", 1)[1]: value}
            elif key.startswith("settlement_pull."):
                data["settlement_pull"] = {**data["settlement_pull"], key.split(".", 1)[1]: value}
            elif key == "immigration_per_year" and isinstance(data[key], dict):
                total = sum(data[key].values())  # a mapping is scaled to the drawn total
                data[key] = {k: v * value / total if total else value / len(data[key]) for k, v in data[key].items()}
            else:
                data[key] = value
        scenario = scenario.model_copy(update={"context": Context.model_validate(data)})
    return scenario.with_overrides(**parameters) if parameters else scenario


def _typed(name: str, value: float) -> float | int:
    """A drawn value as its parameter needs it: whole-number parameters are rounded."""
    field = Parameters.model_fields.get(name)
    return round(float(value)) if field is not None and field.annotation is int else float(value)


def out_of_bounds(name: str, value: float) -> str | None:
    """Why a value is not allowed for a name (its hard validation bounds), or None."""
    try:
        if name.startswith(GROWTH):
            Context.model_validate({"national_job_growth": {name.removeprefix(GROWTH): value}})
        elif name.startswith(PULL):
            Context.model_validate({"settlement_pull": {name.removeprefix(PULL): value}})
        elif name.startswith(CONTEXT):
            Context.model_validate({name.removeprefix(CONTEXT): value})
        else:
            Parameters.model_validate({name: value})
    except ValidationError as error:
        return f"{name}: {value:g} is not allowed ({error.errors()[0]['msg'].lower()})"
    return None


def resolve(given: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Declared ranges as [low, high] per name, `plausible` replaced by the documented range."""
    return {
        name: plausible(name) if value == "plausible" else (float(value[0]), float(value[1]))
        for name, value in given.items()
    }


def range_faults(given: dict[str, Any], municipal: bool = False) -> list[str]:
    """What is wrong with declared ranges (unknown names, reversed or disallowed ends), one line each."""
    faults = []
    for name, value in given.items():
        if (why := unknown(name, municipal)) is not None:
            faults.append(why)
            continue
        low, high = plausible(name) if value == "plausible" else value
        if not low < high:
            faults.append(f"{name}: the low end {low:g} must lie below the high end {high:g}")
        faults += [why for end in (low, high) if (why := out_of_bounds(name, end)) is not None]
    return faults


def latin_hypercube(ranges: dict[str, tuple[float, float]], draws: int, seed: int) -> pd.DataFrame:
    """`draws` rows of a Latin hypercube over the ranges (uniform in each), reproducible from `seed`.

    Row i is used by replicate i; every scenario of a comparison gets the same rows.
    """
    names = list(ranges)
    sampler = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng([UNCERTAINTY_STREAM, seed]))
    unit = sampler.random(draws)
    low = np.array([ranges[n][0] for n in names])
    high = np.array([ranges[n][1] for n in names])
    table = pd.DataFrame(qmc.scale(unit, low, high), columns=names)
    table.index.name = "replicate"
    return table


def band_kind(ranges: dict[str, tuple[float, float]] | None) -> str:
    """What the 5-95 % band over replicates shows, in words short enough for a figure title."""
    if not ranges:
        return "chance only"
    names = ", ".join(ranges) if len(ranges) <= 3 else f"{len(ranges)} parameters and context values"
    return f"chance and drawn {names} (Latin hypercube)"


def manifest_entry(ranges: dict[str, tuple[float, float]], draws: pd.DataFrame) -> dict:
    """The ranges and each replicate's drawn values, for a manifest."""
    return {
        "ranges": {name: list(bounds) for name, bounds in ranges.items()},
        "draws": {name: [float(v) for v in draws[name]] for name in draws.columns},
    }
