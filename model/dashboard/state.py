"""The scenario a session edits, and its validation by the scenario schema itself.

A :class:`Draft` is what the controls hold: a base scenario from the library,
the levers as the user typed them, and the run settings. It turns into the
YAML overlay that would be saved, and it is validated exactly as that file
would be (``Scenario.from_yaml``), so every message is the schema's, located
by its key. Nothing runs unless this validation passes.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from model.inputs.errors import InputError
from model.inputs.scenario import Scenario

BASELINE_FILE = "baseline.yaml"


@dataclass(frozen=True)
class Draft:
    """A scenario as edited in one browser session (immutable: every edit makes a new one).

    Attributes:
        base: the library file the draft extends, e.g. ``attract_businesses.yaml``.
        cooperation: the cooperation lever as typed.
        strategies: one mapping of YAML keys to values per strategy.
        replicates: replicates per scenario.
        start: first year of the reporting window.
        end: the horizon.
        name: the name given by the user ('' for the automatic one).
        description: what the scenario asks, in words.
        original: the base's levers, to tell whether anything was changed.
    """

    base: str
    cooperation: Any
    strategies: tuple[dict[str, Any], ...]
    replicates: Any
    start: Any
    end: Any
    name: str = ""
    description: str = ""
    original: tuple = field(default=(), compare=False)

    @property
    def changed(self) -> bool:
        """Whether the levers differ from the base scenario's."""
        return (self.cooperation, self.strategies) != self.original

    @property
    def display_name(self) -> str:
        """The scenario's name: the user's, the base's while unchanged, else ``<base>_edited``."""
        if self.name.strip():
            return self.name.strip()
        stem = Path(self.base).stem
        return stem if stem != Path(BASELINE_FILE).stem and not self.changed else f"{stem}_edited"


def draft_from(scenario: Scenario, base: str, run: Draft | None = None) -> Draft:
    """A draft of a library scenario; the run settings of `run` are kept if given."""
    strategies = tuple(s.model_dump(mode="json", by_alias=True, exclude_none=True) for s in scenario.levers.strategies)
    cooperation = scenario.levers.cooperation
    settings = (
        (run.replicates, run.start, run.end) if run else (scenario.replicates, scenario.years.start, scenario.years.end)
    )
    return Draft(base, cooperation, strategies, *settings, original=(cooperation, strategies))


def set_strategy_value(draft: Draft, index: int, key: str, value: Any) -> Draft:
    """The draft with one field of one strategy set (None removes it: the default applies)."""
    strategies = list(draft.strategies)
    updated = {k: v for k, v in strategies[index].items() if k != key}
    if value is not None:
        updated[key] = value
    strategies[index] = updated
    return replace(draft, strategies=tuple(strategies))


def add_strategy(draft: Draft, strategy: dict[str, Any]) -> Draft:
    """The draft with a strategy appended."""
    return replace(draft, strategies=(*draft.strategies, dict(strategy)))


def remove_strategy(draft: Draft, index: int) -> Draft:
    """The draft without one strategy."""
    return replace(draft, strategies=tuple(s for i, s in enumerate(draft.strategies) if i != index))


def parse(text: str | None) -> Any:
    """A typed value as YAML would read it: numbers become numbers, the rest stays text.

    Empty means "not given". Non-finite numbers stay text, so the schema refuses them.
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return value
    if isinstance(value, float) and not math.isfinite(value):
        return text
    return value if isinstance(value, int | float | str | bool) else text


def shown(value: Any) -> str:
    """A value as a text field shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def overlay(draft: Draft, extends: str) -> dict[str, Any]:
    """The draft as a scenario overlay: what a saved file holds."""
    data: dict[str, Any] = {"name": draft.display_name}
    if draft.description.strip():
        data["description"] = draft.description.strip()
    else:  # the base's description no longer says what this scenario asks
        data["description"] = f"Edited in the workshop dashboard from {draft.base}."
    data |= {
        "extends": extends,
        "replicates": draft.replicates,
        "years": {"start": draft.start, "end": draft.end},
        "levers": {
            "cooperation": draft.cooperation,
            "strategies": [{k: v for k, v in s.items() if v is not None} for s in draft.strategies],
        },
    }
    return data


def overlay_yaml(draft: Draft, extends: str, header: str = "") -> str:
    """The overlay as YAML text (a header comment first, if given)."""
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    return comment + yaml.safe_dump(overlay(draft, extends), sort_keys=False, allow_unicode=True, width=100)


@dataclass(frozen=True)
class Checked:
    """A draft after validation: the scenario, or the schema's messages by key.

    Attributes:
        scenario: the validated scenario (None if there are problems).
        problems: messages by dotted key (``levers.strategies[0].firms_per_year``), '' for the whole file.
        warnings: allowed but worth a second look (as `regionsim check` prints them).
    """

    scenario: Scenario | None
    problems: dict[str, list[str]]
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the draft may run."""
        return self.scenario is not None

    def at(self, key: str) -> str:
        """The messages of one key, joined (empty if none)."""
        return "; ".join(self.problems.get(key, []))


def check(draft: Draft, folder: Path, reserved: tuple[str, ...] = ()) -> Checked:
    """Validate a draft as its saved file would be validated; nothing else may reach the model.

    `reserved` are names the scenario may not take (the baseline's, in a comparison).
    """
    with tempfile.TemporaryDirectory(prefix="regionsim-dashboard-") as temporary:
        path = Path(temporary) / "edited.yaml"
        path.write_text(overlay_yaml(draft, str((folder / draft.base).resolve())), encoding="utf-8")
        try:
            scenario = Scenario.from_yaml(path)
        except InputError as error:
            problems: dict[str, list[str]] = {}
            for problem in error.problems:
                message = problem.message + (f" ({problem.hint})" if problem.hint else "")
                own = Path(problem.file) == path
                if not own:
                    message = f"{Path(problem.file).name}: {message}"
                problems.setdefault((problem.key or "") if own else "", []).append(message)
            return Checked(None, problems)
        except Exception as error:  # anything else the page must survive: say so, run nothing
            return Checked(None, {"": [f"cannot read the scenario ({type(error).__name__}: {error})"]})
        warnings = tuple(_without_file(note, path) for note in scenario.warnings)
    if scenario.name in reserved:
        return Checked(None, {"name": [f"'{scenario.name}' is taken by the baseline; choose another name"]})
    source = f"{folder / draft.base}" + (" as edited in the dashboard" if draft.changed else "")
    scenario = scenario.model_copy(update={"source": source})
    return Checked(scenario, {}, warnings)


def _without_file(note: str, path: Path) -> str:
    """A warning without the temporary file's name and line."""
    prefix = f"{path}:"
    if not note.startswith(prefix):
        return note
    rest = note[len(prefix) :]
    return rest.split(": ", 1)[1] if ": " in rest else rest


def plan(
    draft: Draft, folder: Path, library: dict[str, Scenario], compare: tuple[str, ...] = ()
) -> list[Scenario] | dict[str, list[str]]:
    """The scenarios to run, baseline first, each validated with the session's window and replicates.

    Without `compare` the draft runs against the baseline; with it, the named
    library files do. All take the baseline's seed, so replicate i of every
    scenario uses the same seed and i: common random numbers, as in
    ``regionsim compare``. Returns the schema's messages instead if anything is invalid.
    """
    baseline = library[BASELINE_FILE]
    runs = [draft_from(baseline, BASELINE_FILE, run=draft)]
    runs[0] = replace(runs[0], name=baseline.name)
    if compare:
        runs += [replace(draft_from(library[f], f, run=draft), name=library[f].name) for f in compare]
    else:
        runs.append(draft)
    scenarios, problems = [], {}
    for i, run in enumerate(runs):
        checked = check(run, folder, reserved=(baseline.name,) if i else ())
        if not checked.ok:
            where = "" if (i and not compare) else f"{run.base}: "
            for key, messages in checked.problems.items():
                problems.setdefault(key if not where else "", []).extend(where + m for m in messages)
            continue
        scenarios.append(checked.scenario.model_copy(update={"seed": baseline.seed}))
    names = [s.name for s in scenarios]
    if not problems and len(set(names)) < len(names):
        problems[""] = ["the compared scenarios must have different names: " + ", ".join(names)]
    return problems or scenarios
