"""Scenario controls generated from the scenario schema, never from a second list.

Every field of a strategy class (:mod:`model.inputs.strategies`), the cooperation
lever and the run settings become a :class:`Control` whose label, allowed range
and help text come from the field itself: its name, its bounds (as docs/ODD.md
prints them) and its docstring, which carries the unit. Choices come from the
field's ``Literal`` or, for names of sectors, municipalities and nodes, from
the region, filtered by the schema's own validator. A new strategy starts from
the library's example of its type, so it is valid before anyone edits it.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from model.inputs.levers import Levers
from model.inputs.region import RegionData
from model.inputs.scenario import Scenario, Years
from model.inputs.sectors import SECTOR_KEYS
from model.inputs.strategies import STRATEGY_CLASSES, STRATEGY_TYPES
from model.report.odd import allowed as allowed_text

Kind = Literal["number", "choice", "text"]
# Written by the dashboard itself (the card's title, or set by the run settings).
SKIPPED = ("type",)
WORDS = {"mnok": "MNOK", "rnd": "R&D"}


@dataclass(frozen=True)
class Control:
    """One input: what the page shows and what the YAML key is.

    Attributes:
        key: the YAML key (the alias where there is one, e.g. ``from``).
        label: the field's name in words.
        kind: a number, a choice among values, or free text.
        help: the field's documentation (unit and meaning).
        allowed: the schema's bounds as docs/ODD.md prints them, e.g. ``0 – 1000``.
        required: whether the schema has no default.
        default: the schema's default (None when required or unset).
        choices: the values of a choice.
        integer: whether a number must be whole.
    """

    key: str
    label: str
    kind: Kind
    help: str
    allowed: str
    required: bool
    default: Any = None
    choices: tuple[str, ...] = ()
    integer: bool = False

    @property
    def hint(self) -> str:
        """The line under the control: the allowed range (numbers) and the first sentence of the help."""
        first = re.split(r"(?<!e\.g)(?<!i\.e)\.\s", self.help)[0].rstrip(".")
        allowed = f"allowed {self.allowed}" if self.allowed and self.kind == "number" else ""
        return "; ".join(part for part in (allowed, first) if part)


def label(name: str) -> str:
    """A field name in words: ``budget_mnok_per_year`` -> ``Budget MNOK per year``."""
    words = [WORDS.get(word, word) for word in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _base(annotation: Any) -> Any:
    """The annotation without ``None`` (``int | None`` -> ``int``)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return members[0] if len(members) == 1 else annotation
    return annotation


def field_control(name: str, field: FieldInfo, choices: tuple[str, ...] = ()) -> Control:
    """The control of one schema field."""
    annotation = _base(field.annotation)
    key = field.alias or name
    common = dict(
        key=key,
        label=label(key),
        help=" ".join((field.description or "").split()),
        allowed=allowed_text(field),
        required=field.is_required(),
        default=None if field.is_required() else field.get_default(call_default_factory=True),
    )
    if typing.get_origin(annotation) is Literal:
        return Control(kind="choice", choices=tuple(str(a) for a in typing.get_args(annotation)), **common)
    if annotation in (int, float):
        return Control(kind="number", integer=annotation is int, **common)
    if choices:
        return Control(kind="choice", choices=choices, **common)
    return Control(kind="text", **common)


def strategy_class(kind: str) -> type[BaseModel]:
    """The schema class of a strategy type."""
    return STRATEGY_CLASSES[STRATEGY_TYPES.index(kind)]


def strategy_controls(kind: str, region: RegionData, example: dict[str, Any] | None = None) -> list[Control]:
    """The controls of one strategy type, in the schema's field order (its own fields first)."""
    cls = strategy_class(kind)
    own = [n for n in cls.model_fields if n in cls.__annotations__]
    order = own + [n for n in cls.model_fields if n not in own]
    controls = []
    for name in order:
        if name in SKIPPED:
            continue
        field = cls.model_fields[name]
        choices = _region_choices(cls, name, region, example)
        controls.append(field_control(name, field, choices))
    return controls


def _region_choices(
    cls: type[BaseModel], name: str, region: RegionData, example: dict[str, Any] | None
) -> tuple[str, ...]:
    """Names a text field takes from the region: sectors (as the schema accepts them), places, nodes."""
    if name == "sector":
        return tuple(s for s in SECTOR_KEYS if example is None or accepts(cls, example, "sector", s))
    if name == "target":
        return ("regional", *region.municipalities)
    if name in ("from_node", "to_node"):
        return tuple(node.name for node in region.nodes if node.kind != "long_distance")
    return ()


def accepts(cls: type[BaseModel], example: dict[str, Any], key: str, value: Any) -> bool:
    """Whether the schema accepts `value` for `key` in an otherwise valid strategy."""
    try:
        cls.model_validate({**example, key: value})
    except ValidationError as error:
        return not any(e["loc"][:1] == (key,) for e in error.errors())
    return True


def cooperation_control() -> Control:
    """The cooperation lever (joint or fragmented)."""
    return field_control("cooperation", Levers.model_fields["cooperation"])


def run_controls() -> list[Control]:
    """Replicates and the reporting window, from the scenario schema."""
    replicates = field_control("replicates", Scenario.model_fields["replicates"])
    start = field_control("start", Years.model_fields["start"])
    end = field_control("end", Years.model_fields["end"])
    return [
        replicates,
        Control(**{**start.__dict__, "key": "years.start", "label": "Window from"}),
        Control(**{**end.__dict__, "key": "years.end", "label": "Horizon"}),
    ]


def new_strategy(kind: str, examples: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A new strategy of a type: the library's example of it, else only its type.

    The example's years are left out, so the strategy acts over the reporting
    window whatever window the session has chosen. Without an example the
    schema's messages say which fields to fill in.
    """
    if kind in examples:
        return {k: v for k, v in examples[kind].items() if k not in ("from", "to")}
    return {"type": kind}
