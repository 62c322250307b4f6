"""The parameter and context tables of docs/ODD.md, generated from the schema.

``python -m model.odd`` rewrites the tables between the markers in
docs/ODD.md; a test fails when the document and the schema disagree.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from model.parameters import Parameters
from model.scenario import Context

ODD_PATH = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
MARKERS = {
    "parameters": ("<!-- parameters:start -->", "<!-- parameters:end -->"),
    "context": ("<!-- context:start -->", "<!-- context:end -->"),
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
    """Markdown table of the context keys of a scenario, with defaults and meaning."""
    lines = ["| context key | default | meaning |", "|---|---|---|"]
    for name, field in Context.model_fields.items():
        default = field.get_default(call_default_factory=True)
        lines.append(f"| `{name}` | {_inline(default)} | {_inline(field.description or '')} |")
    return "\n".join(lines)


def _inline(value: object) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump()
    return " ".join(str(value).split()).replace("|", "\\|")


def render(text: str) -> str:
    """The document with its generated tables brought up to date."""
    tables = {"parameters": parameter_table(), "context": context_table()}
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
