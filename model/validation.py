"""Pydantic validation of a located YAML document, with errors a planner can act on.

Every error names the file, the line and the key path; unknown keys get a
"did you mean ..." hint from the schema's own field names. All errors of a
document are reported at once.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from model.errors import InputError, Problem, did_you_mean
from model.yamlio import Document, dotted

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """Base of every schema section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


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
    """Turn pydantic's errors into located problems."""
    problems = []
    for item in error.errors(include_url=False):
        location = tuple(part for part in item["loc"] if not _is_union_tag(part))
        hint = None
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            known = _field_names(schema, location[:-1])
            hint = did_you_mean(str(location[-1]), known) if known else None
            message = "unknown key"
            if hint is None and known:
                hint = "known keys: " + ", ".join(sorted(known))
        elif item["type"] == "missing":
            message = "required key is missing"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        elif "input" in item and item["type"] not in ("missing",):
            message = f"{message} (got {item['input']!r})" if _short(item["input"]) else message
        path, line = document.where(location)
        problems.append(
            Problem(
                path,
                message,
                line=line,
                key=dotted(location) or None,
                hint=hint,
            )
        )
    return problems


def _short(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and len(repr(value)) <= 60


def _is_union_tag(part: Any) -> bool:
    """Pydantic puts tagged-union tags and function names in locations; drop them."""
    return isinstance(part, str) and (part.startswith("function-") or "[" in part)


def _field_names(schema: type[BaseModel], location: tuple) -> set[str]:
    """Field names of the schema section at a location, for hints."""
    current: Any = schema
    for part in location:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return set()
        field = current.model_fields.get(part)
        if field is None:
            return set()
        current = _inner_model(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return {f.alias or name for name, f in current.model_fields.items()}
    return set()


def _inner_model(annotation: Any) -> Any:
    """The BaseModel inside list[...], X | None, dict[str, ...]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        inner = _inner_model(argument)
        if inner is not None:
            return inner
    return None
