"""docs/ODD.md documents every parameter and context key exactly as the schema has them."""

from __future__ import annotations

from model.inputs.parameters import Parameters
from model.report.odd import ODD_PATH, render


def test_odd_tables_match_the_schema():
    """The generated tables in docs/ODD.md are up to date (run `python -m model.report.odd`)."""
    text = ODD_PATH.read_text(encoding="utf-8")
    assert render(text) == text


def test_every_parameter_has_unit_range_and_reason():
    """No parameter without a unit, a plausible range around its default and a justification."""
    for name, field in Parameters.model_fields.items():
        extra = field.json_schema_extra
        low, high = extra["plausible"]
        assert extra["unit"] and field.description and len(field.description) > 30, name
        assert low <= field.default <= high, name
