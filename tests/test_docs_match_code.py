"""docs/ODD.md and the README name what the code has: its modules, firm origins and output variables."""

from __future__ import annotations

import re
from pathlib import Path

from model.inputs.sectors import SECTOR_KEYS
from model.simulation.firms import Origin
from model.simulation.outcomes import VARIABLES

ROOT = Path(__file__).resolve().parents[1]
ODD = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_simulation_module_is_described_and_every_module_named_exists():
    """Each module of model/simulation has its place in the ODD, and the ODD names no module that is gone."""
    for module in sorted((ROOT / "model" / "simulation").glob("*.py")):
        if module.name != "__init__.py":
            assert f"model/simulation/{module.name}" in ODD, module.name
    for named in set(re.findall(r"model/[a-z_/]+\.py", ODD)):
        assert (ROOT / named).is_file(), named


def test_every_firm_origin_is_in_the_odd():
    """The ODD's firm state lists every origin a firm can have."""
    for origin in Origin:
        assert f"`{origin.name}`" in ODD, origin.name


def test_every_output_variable_is_in_the_readme():
    """Each recorded variable is named in the README, directly or as an age band or a sector of a named family."""
    named = set(re.findall(r"`([a-z0-9_]+)`", README))
    for variable in VARIABLES:
        band = re.fullmatch(r"population(_\d+_(?:\d+|plus))", variable)
        family = re.fullmatch(r"(jobs|vacancies)_(.+)", variable)
        if band:
            assert variable in named or band.group(1) in named, variable
        elif family and family.group(2) in SECTOR_KEYS:
            assert f"{family.group(1)}_<sector>" in README and family.group(2) in named, variable
        else:
            assert variable in named, variable
