"""Pydantic validation of a located YAML document, with errors a planner can act on.

Every error names the file, the line and the key path; unknown keys get a
"did you mean ..." hint from the schema's own field names. All errors of a
document are reported at once.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from model.inputs.errors import InputError, Problem, did_you_mean
from model.inputs.yamlio import Document, dotted

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """Base of every schema section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True)


def validate_document(document: Document, schema: type[M], data: Any = None, context: dict | None = None) -> M:
    """Validate a document (or data derived from it) against a schema.

    Raises:
        InputError: with one problem per validation error.
    """
    try:
        return schema.model_validate(document.data if data is None else data, context=context)
    except ValidationError as error:
        raise InputError(problems_from(error, document, schema)) from None


def problems_from(error: ValidationError, document: Document, schema: type[BaseModel]) -> list[Problem]:
    """Turn pydantic's errors into located problems, one per real fault."""
    items = [(_clean(item["loc"], document.data, item["type"]), item) for item in error.errors(include_url=False)]
    problems = []
    for location, item in items:
        rivals = [other for loc, other in items if loc == location and other is not item]
        if _type_mismatch(item) and any(not _type_mismatch(other) for other in rivals):
            continue  # a union: report the branch that fits the value's kind
        if (
            any(_type_mismatch(other) for other in rivals)
            and _type_mismatch(item)
            and item is not _first(items, location)
        ):
            continue
        if item["type"] == "missing" and _misspelt(location, items):
            continue  # the unknown key beside it says "did you mean ...": one fault, one line
        message, hint, location = _describe(item, location, document.data, schema)
        path, line = document.where(location)
        problems.append(Problem(path, message, line=line, key=dotted(location, document.data) or None, hint=hint))
    return problems


def _misspelt(location: tuple, items: list) -> bool:
    """Whether a missing key has a misspelling of it among the unknown keys of the same mapping."""
    return any(
        other["type"] == "extra_forbidden"
        and loc[:-1] == location[:-1]
        and did_you_mean(str(loc[-1]), [str(location[-1])]) is not None
        for loc, other in items
    )


def _first(items: list, location: tuple) -> dict:
    return next(item for loc, item in items if loc == location)


def _type_mismatch(item: dict) -> bool:
    return item["type"].endswith(("_type", "_parsing")) or item["type"] in ("literal_error",)


def _describe(item: dict, location: tuple, data: Any, schema: type[BaseModel]) -> tuple[str, str | None, tuple]:
    """Message, hint and (possibly refined) location of one pydantic error."""
    kind, message, hint = item["type"], item["msg"], None
    if kind == "extra_forbidden":
        known = _field_names(schema, location[:-1], data)
        hint = did_you_mean(str(location[-1]), known) if known else None
        if hint is None and known:
            hint = "known keys: " + ", ".join(sorted(known))
        return "unknown key", hint, location
    if kind == "missing":
        return "required key is missing", None, location
    if kind == "invalid_key":
        given = item.get("input")
        written = "null" if given is None else str(given).lower() if isinstance(given, bool) else given
        return (
            f"{written} is not a key here",
            "keys are names: YAML reads numbers and yes/no/true/false as values",
            location,
        )
    if kind == "union_tag_invalid":
        tag, expected = item["ctx"]["tag"], [t.strip(" '") for t in item["ctx"]["expected_tags"].split(",")]
        hint = did_you_mean(str(tag), expected) or "types: " + ", ".join(expected)
        return f"unknown type {tag!r}", hint, (*location, "type")
    if kind == "union_tag_not_found":
        tags = _tags(_annotation_at(schema, location, data)[0])
        return "a `type` is required", "types: " + ", ".join(tags) if tags else None, location
    value = item.get("input")
    if kind in ("model_type", "dict_type"):
        known = _field_names(schema, location, data)
        return (
            "must be a mapping of keys (key: value)",
            "known keys: " + ", ".join(sorted(known)) if known else None,
            location,
        )
    if kind == "list_type":
        return "must be a list (lines starting with '- ', or [a, b])", None, location
    if kind in ("float_type", "int_type") and isinstance(value, bool):
        return f"must be a number, not {str(value).lower()}", "yes/no/true/false are not numbers", location
    if kind in ("float_type", "int_type") and isinstance(value, str):
        return f"must be a number, not the text {value!r}", _number_hint(value), location
    if kind == "int_type":
        return f"must be a whole number (got {value!r})", None, location
    if kind == "string_type" and isinstance(value, int | float):
        return f"must be text, not the number {value!r}", "write codes in quotes, e.g. '0502'", location
    if kind == "string_pattern_mismatch":
        return (
            f"{value!r} has characters that are not allowed",
            "use letters, digits, spaces, '.', '-' and '_'",
            location,
        )
    bounds = {
        "greater_than_equal": "at least",
        "less_than_equal": "at most",
        "greater_than": "more than",
        "less_than": "less than",
    }
    if kind in bounds:
        limit = next(iter(item["ctx"].values()))
        return f"must be {bounds[kind]} {limit:g} (got {value!r})", None, location
    if kind == "literal_error" and item["ctx"]["expected"] == "'plausible'":
        return f"must be `plausible` or a range [low, high] (got {value!r})", None, location
    if kind == "literal_error":
        expected = [e.strip(" '") for e in item["ctx"]["expected"].replace(" or ", ", ").split(",")]
        return f"must be one of {', '.join(expected)} (got {value!r})", did_you_mean(str(value), expected), location
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
        here = _at(data, location)
        key = message.split(": ", 1)[0]
        if isinstance(here, dict) and key in here and "; " not in message:  # a fault of one entry: point at it
            return message.split(": ", 1)[1], None, (*location, key)
        return message, None, location
    if "input" in item and _short(item["input"]):
        message = f"{message} (got {item['input']!r})"
    return message, hint, location


def _at(data: Any, location: tuple) -> Any:
    """The value at a key path of the document (None if absent)."""
    for part in location:
        if isinstance(data, dict | list) and (part in data if isinstance(data, dict) else part < len(data)):
            data = data[part]
        else:
            return None
    return data


def _clean(location: tuple, data: Any, kind: str) -> tuple:
    """The key path as the user wrote it: pydantic's internal union tags left out."""
    result: list = []
    current = data
    for i, part in enumerate(location):
        if isinstance(current, list) and isinstance(part, int):
            result.append(part)
            current = current[part] if part < len(current) else None
        elif isinstance(current, dict) and part in current:
            result.append(part)
            current = current[part]
        elif i == len(location) - 1 and kind == "missing":
            result.append(part)
    return tuple(result)


def _short(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and len(repr(value)) <= 60


def _field_names(schema: type[BaseModel], location: tuple, data: Any) -> set[str]:
    """Field names of the schema section at a location, for hints."""
    annotation, data = _annotation_at(schema, location, data)
    current = _inner_model(annotation, data)
    if current is None:
        return set()
    return {f.alias or name for name, f in current.model_fields.items() if not f.exclude}  # not the internal ones


def _annotation_at(schema: type[BaseModel], location: tuple, data: Any) -> tuple[Any, Any]:
    """The schema's annotation of the value at a location, and that value (None where either is unknown)."""
    annotation: Any = schema
    for part in location:
        data = data[part] if isinstance(data, dict | list) and _has(data, part) else None
        if isinstance(part, int):
            continue
        current = _inner_model(annotation, None)
        if current is None:
            return None, None
        field = current.model_fields.get(part) or next(
            (f for f in current.model_fields.values() if f.alias == part), None
        )
        if field is None:
            return None, None
        annotation = field.annotation
    return annotation, data


def _tags(annotation: Any) -> list[str]:
    """The `type` values a tagged union accepts, in the schema's order (so this module needs no list of them)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get("type")
        return list(getattr(field.annotation, "__args__", ())) if field is not None else []
    return [tag for member in getattr(annotation, "__args__", ()) for tag in _tags(member)]


def _has(data: dict | list, part: Any) -> bool:
    return (isinstance(data, dict) and part in data) or (
        isinstance(data, list) and isinstance(part, int) and part < len(data)
    )


def _inner_model(annotation: Any, data: Any = None) -> Any:
    """The BaseModel inside list[...], X | None, a tagged union (chosen by the data's `type`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    members = [m for m in (_inner_model(a, data) for a in getattr(annotation, "__args__", ())) if m is not None]
    if isinstance(data, list):
        data = None
    tagged = [m for m in members if "type" in m.model_fields and isinstance(data, dict)]
    for member in tagged:
        if data.get("type") in getattr(member.model_fields["type"].annotation, "__args__", ()):
            return member
    return members[0] if members else None


def _number_hint(text: str) -> str:
    """What YAML needs to read a text as a number: quotes off, a decimal point, a sign in the exponent."""
    exponent = re.fullmatch(r"([+-]?)(\d+)(?:\.(\d*))?[eE]([+-]?)(\d+)", text.strip())
    if exponent:
        sign, whole, fraction, power_sign, power = exponent.groups()
        written = f"{sign}{whole}.{fraction or '0'}e{power_sign or '+'}{power}"
        return f"YAML reads a number with an exponent only with a decimal point and a signed exponent: {written}"
    if re.fullmatch(r"[+-]?\d+,\d+", text.strip()):
        return f"use a decimal point, not a comma: {text.strip().replace(',', '.')}"
    return "write numbers without quotes"
