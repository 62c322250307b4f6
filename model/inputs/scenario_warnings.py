"""Warnings for what a scenario may say but should be looked at twice.

Values outside their plausible ranges (parameters, context, strategy fields),
strategies that start before the reporting window, and strategies whose
budget buys less than they write (model/inputs/strategy_funding.py). A warning
names the file and line; the run goes on with what the scenario says (or,
for an underfunded strategy, with what its budget buys).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model.inputs.context import NATIONAL_GROWTH_PLAUSIBLE, SETTLEMENT_PULL_PLAUSIBLE
from model.inputs.region import RegionData
from model.inputs.strategies import DWELLINGS_PER_1000, AttractBusinesses, CommercialiseRnd
from model.inputs.strategy_funding import funded_strategies, number, shortfall_note, target_indices
from model.inputs.yamlio import dotted

if TYPE_CHECKING:
    from model.inputs.scenario import MergedDocument, Scenario

SURPLUS = 2.0  # a budget more than twice its intensity's cost gets a note: the rest buys nothing
IMMIGRATION_PER_1000 = (1.0, 20.0)
"""Plausible immigration from abroad a year per 1 000 residents of the region: Norway's gross
immigration ran 8-17 per 1 000 residents in 2005-2025 (SSB), regions outside the cities settle
fewer (the calibrated regions of this project: 3-9)."""


def implausible(document: MergedDocument, scenario: Scenario, region: RegionData) -> tuple[str, ...]:
    """Values a file sets outside their plausible ranges, and strategies starting before the window."""
    notes: list[str] = []

    def note(location: tuple, text: str) -> None:
        path, line = document.where(location)
        notes.append(f"{path}:{line}: {text}")

    for i, strategy in enumerate(scenario.levers.strategies):
        if strategy.start is not None and strategy.start < scenario.years.start:
            note(
                ("levers", "strategies", i, "from"),
                f"levers.strategies[{i}].from = {strategy.start} is before the reporting window "
                f"({scenario.years.start}-{scenario.years.end}); its spending and effects before then count too",
            )
    _outside(document.data.get("parameters"), scenario.parameters, ("parameters",), note)
    _outside(document.data.get("context"), scenario.context, ("context",), note, skip=("immigration_per_year",))
    for sector, value in scenario.context.national_job_growth.items():
        low, high = NATIONAL_GROWTH_PLAUSIBLE[sector]
        here = ("context", "national_job_growth", sector)
        if _given(document.data, here) and not low <= value <= high:
            note(here, f"{dotted(here)} = {value:g} lies outside the plausible range {low:g} to {high:g} (docs/ODD.md)")
    persons = region.snapshot(_base_year(scenario, region)).persons
    if _given(document.data, ("context", "immigration_per_year")):
        immigration = scenario.context.immigration_per_year
        total = sum(immigration.values()) if isinstance(immigration, dict) else immigration
        per_1000 = total / max(persons.sum(), 1) * 1000
        low, high = IMMIGRATION_PER_1000
        if not low <= per_1000 <= high:
            note(
                ("context", "immigration_per_year"),
                f"context.immigration_per_year = {number(total)} is {per_1000:.4g} a year per 1 000 "
                f"residents, outside the plausible {low:g} to {high:g} (Norway: 8-17 in 2005-2025; docs/ODD.md)",
            )
    for i, strategy in enumerate(scenario.levers.strategies):
        here = ("levers", "strategies", i)
        _outside(_at(document.data, here), strategy, here, note, skip=("dwellings_per_year",))
        if hasattr(strategy, "dwellings_per_year"):
            target = target_indices(region, strategy.target)
            per_1000 = strategy.dwellings_per_year / max(persons[target].sum(), 1) * 1000
            low, high = DWELLINGS_PER_1000
            if not low <= per_1000 <= high:
                note(
                    (*here, "dwellings_per_year"),
                    f"levers.strategies[{i}].dwellings_per_year = {number(strategy.dwellings_per_year)} is "
                    f"{per_1000:.4g} a year per 1 000 residents of the target, outside the plausible "
                    f"{low:g}-{high:g} (Norway builds about 5 in all)",
                )
    low, high = SETTLEMENT_PULL_PLAUSIBLE
    for name, pull in scenario.context.settlement_pull.items():
        if not low <= pull <= high:
            note(
                ("context", "settlement_pull", name),
                f"context.settlement_pull.{name} = {pull:g} lies outside the plausible range {low:g} to {high:g} "
                "(docs/ODD.md)",
            )
    return tuple(notes)


def unfunded(document: MergedDocument, scenario: Scenario, region: RegionData) -> tuple[str, ...]:
    """A warning for each strategy whose budget buys less than it writes, with what the run uses."""
    strategies = scenario.levers.strategies
    if not strategies:
        return ()
    targets = [target_indices(region, s.target) for s in strategies]
    snapshot = region.snapshot(_base_year(scenario, region))
    funded = funded_strategies(
        scenario.levers, targets, snapshot, scenario.parameters, (scenario.years.start, scenario.years.end)
    )
    notes = []
    start, horizon = scenario.years.start, scenario.years.end
    for i, (strategy, funding) in enumerate(zip(strategies, funded, strict=True)):
        path, line = document.where(("levers", "strategies", i, "budget_mnok_per_year"))
        here = f"{path}:{line}: levers.strategies[{i}] ({strategy.type})"
        budget = strategy.budget_mnok_per_year
        if funding.short:
            notes.append(f"{here}: {shortfall_note(funding, strategy)}")
        elif budget > 0 and funding.cost_mnok_per_year == 0:
            notes.append(f"{here}: writes no intensity, so its {number(budget)} MNOK a year buy nothing")
        elif budget > SURPLUS * funding.cost_mnok_per_year and not isinstance(strategy, AttractBusinesses):
            # An attraction budget above its prospects' cost raises every offer; elsewhere more money does nothing.
            notes.append(
                f"{here}: its budget of {number(budget)} MNOK a year is {budget / funding.cost_mnok_per_year:.3g} "
                f"times what its intensity costs ({number(funding.cost_mnok_per_year)}); the rest buys nothing more"
            )
        if isinstance(strategy, CommercialiseRnd) and strategy.first_year(start) + strategy.lag_years > horizon:
            notes.append(
                f"{here}: its first spin-offs come in {strategy.first_year(start) + strategy.lag_years}, after the "
                f"horizon {horizon}: in this run it spends and brings nothing"
            )
    return tuple(notes)


def _outside(given: Any, model: Any, location: tuple, note, skip: tuple[str, ...] = ()) -> None:
    """A note for each field the file sets outside its documented plausible range."""
    if not isinstance(given, dict):
        return
    for name, field in type(model).model_fields.items():
        key = field.alias or name
        bounds = (field.json_schema_extra or {}).get("plausible") if isinstance(field.json_schema_extra, dict) else None
        if key not in given or name in skip or not bounds:
            continue
        value = getattr(model, name)
        if isinstance(value, int | float) and not bounds[0] <= value <= bounds[1]:
            note(
                (*location, key),
                f"{dotted((*location, key))} = {value:g} lies outside the plausible range "
                f"{bounds[0]:g} to {bounds[1]:g} (docs/ODD.md)",
            )


def _given(data: Any, location: tuple) -> bool:
    return _at(data, location[:-1]) is not None and location[-1] in _at(data, location[:-1])


def _at(data: Any, location: tuple) -> Any:
    for part in location:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data if isinstance(data, dict) else None


def _base_year(scenario: Scenario, region: RegionData) -> int:
    return scenario.base_year if scenario.base_year is not None else region.latest_snapshot


__all__ = ["IMMIGRATION_PER_1000", "implausible", "unfunded"]
