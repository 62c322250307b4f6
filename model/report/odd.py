"""The parameter and context tables of docs/ODD.md, generated from the schema.

``python -m model.report.odd`` rewrites the tables between the markers in
docs/ODD.md; a test fails when the document and the schema disagree.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from model.inputs.context import NATIONAL_GROWTH_NOTE, NATIONAL_GROWTH_PLAUSIBLE, Context
from model.inputs.parameters import Parameters
from model.inputs.strategies import DWELLINGS_PER_1000, DWELLINGS_PER_1000_NOTE, STRATEGY_CLASSES

ODD_PATH = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
MARKERS = {
    "parameters": ("<!-- parameters:start -->", "<!-- parameters:end -->"),
    "context": ("<!-- context:start -->", "<!-- context:end -->"),
    "strategies": ("<!-- strategies:start -->", "<!-- strategies:end -->"),
}


def parameter_table() -> str:
    """Markdown table of every behavioural parameter: name, unit, default, range, reason."""
    lines = ["| parameter | unit | default | plausible range | source or justification |", "|---|---|---|---|---|"]
    for name, field in Parameters.model_fields.items():
        extra = field.json_schema_extra or {}
        low, high = extra["plausible"]
        lines.append(f"| `{name}` | {extra['unit']} | {field.default} | {low} – {high} | {field.description} |")
    return "\n".join(lines)


def context_table() -> str:
    """Markdown table of the context keys of a scenario: default, allowed and plausible range, meaning."""
    growth = ", ".join(f"`{k}` {low:g} – {high:g}" for k, (low, high) in NATIONAL_GROWTH_PLAUSIBLE.items())
    return (
        _fields_table(Context, "context key", plausible=True)
        + "\n\nPlausible yearly national growth of each basic sector (`context.national_job_growth.<sector>`): "
        + f"{growth}. {_inline(NATIONAL_GROWTH_NOTE)}"
    )


def strategies_table() -> str:
    """Markdown tables of every strategy type's fields: default, allowed range, meaning."""
    tables = []
    for cls in STRATEGY_CLASSES:
        kind = cls.model_fields["type"].annotation.__args__[0]
        table = _fields_table(cls, "field", skip=("type",), plausible=True)
        tables.append(f"**`{kind}`** — {cls.__doc__.strip()}\n\n{table}")
    low, high = DWELLINGS_PER_1000
    tables.append(
        f"Plausible `dwellings_per_year`: {low:g} – {high:g} a year per 1 000 residents of the target. "
        + _inline(DWELLINGS_PER_1000_NOTE)
    )
    return "\n\n".join(tables)


def _fields_table(model: type[BaseModel], heading: str, skip: tuple[str, ...] = (), plausible: bool = False) -> str:
    extra = " plausible range |" if plausible else ""
    lines = [
        f"| {heading} | default | allowed |{extra} meaning |",
        "|---|---|---|" + ("---|" if plausible else "") + "---|",
    ]
    for name, field in model.model_fields.items():
        if name in skip or field.exclude:
            continue
        default = "required" if field.is_required() else _inline(field.get_default(call_default_factory=True))
        cells = [f"`{field.alias or name}`", default, allowed(field)]
        if plausible:
            bounds = (field.json_schema_extra or {}).get("plausible")
            cells.append(f"{bounds[0]:g} – {bounds[1]:g}" if bounds else "")
        cells.append(_inline(field.description or ""))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def allowed(field) -> str:
    """The validation bounds of a field, as a reader needs them."""
    low = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
    low = next((f"> {m.gt}" for m in field.metadata if hasattr(m, "gt")), low)
    high = next((m.le for m in field.metadata if hasattr(m, "le")), None)
    annotation = getattr(field.annotation, "__args__", ())
    if hasattr(field.annotation, "__origin__") and str(field.annotation).startswith("typing.Literal"):
        return " or ".join(f"`{a}`" for a in annotation)
    if low is None and high is None:
        return ""
    return f"{low if low is not None else ''} – {high if high is not None else ''}"


def _inline(value: object) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        value = ", ".join(f"{k}: {v}" for k, v in value.items())
    return " ".join(str(value).split()).replace("|", "\\|")


def render(text: str) -> str:
    """The document with its generated tables brought up to date."""
    tables = {"parameters": parameter_table(), "context": context_table(), "strategies": strategies_table()}
    for key, (start, end) in MARKERS.items():
        pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
        if not pattern.search(text):
            raise ValueError(f"docs/ODD.md lacks the markers {start} ... {end}")
        text = pattern.sub(lambda _m, k=key, s=start, e=end: f"{s}\n{tables[k]}\n{e}", text)
    return text


def main() -> None:
    """Rewrite the generated tables of docs/ODD.md."""
    ODD_PATH.write_text(render(ODD_PATH.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
