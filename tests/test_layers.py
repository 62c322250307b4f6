"""The package's layers: imports point one way, no module imports itself in a circle.

The graph is read from the source with ``ast``, imports inside functions
included, imports under ``if TYPE_CHECKING:`` left out (they never run).
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "model"

# Lower layers first; a module may import its own layer and those before it.
LAYERS = {
    "model.inputs": 0,
    "model.simulation": 1,
    "model.experiments": 2,
    "model.report": 3,
    "model.workflows": 4,
    "model.dashboard": 5,
    "model.cli": 6,
    "model": 6,  # the public API re-exports from every layer
}


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """Ids of every node under an ``if TYPE_CHECKING:`` block."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(inner) for inner in ast.walk(node)}
    return skipped


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that a module imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            submodules = {f"{target}.{alias.name}" for alias in node.names} & known.keys()
            found |= submodules or ({target} & known.keys())
    return found - {name}


def graph() -> dict[str, set[str]]:
    """The import graph of the package."""
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def layer_of(name: str) -> int:
    """The rank of a module's layer (the longest matching prefix)."""
    prefixes = [p for p in LAYERS if name == p or name.startswith(p + ".")]
    return LAYERS[max(prefixes, key=len)]


def circle(edges: dict[str, set[str]]) -> list[str]:
    """One import circle of the graph (its modules, the first repeated at the end), or [] if there is none."""
    try:
        TopologicalSorter(edges).prepare()
    except CycleError as error:
        return list(error.args[1])
    return []


def test_every_module_belongs_to_a_layer():
    """No module sits outside the named layers (a new top-level module must be placed on purpose)."""
    assert set(modules()) and all(any(n == p or n.startswith(p + ".") for p in LAYERS) for n in modules())


def test_imports_point_down_the_layers():
    """Nothing imports from a layer above its own: inputs < simulation < experiments < report < the top."""
    upward = [
        f"{name} ({layer_of(name)}) imports {other} ({layer_of(other)})"
        for name, imported in graph().items()
        for other in imported
        if layer_of(other) > layer_of(name)
    ]
    assert upward == []


def test_no_import_circles():
    """No group of modules imports each other in a circle."""
    assert circle(graph()) == []


def test_the_checks_see_what_they_should(tmp_path):
    """The reader finds imports inside functions and relative ones, skips TYPE_CHECKING, and finds the circle."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text('"""A package."""\n')
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from pkg import b\n"
        "def later():\n    from pkg.c import thing\n"
    )
    (package / "b.py").write_text("import pkg.c\n")
    (package / "c.py").write_text("from . import a\n")
    known = modules(package)
    edges = {name: imports_of(name, path, known) for name, path in known.items()}
    assert edges == {"pkg": set(), "pkg.a": {"pkg.c"}, "pkg.b": {"pkg.c"}, "pkg.c": {"pkg.a"}}
    assert sorted(set(circle(edges))) == ["pkg.a", "pkg.c"]
    assert layer_of("model.experiments.calibration.fit") == 2 and layer_of("model") == 6


@pytest.mark.parametrize("package", ["inputs", "simulation", "experiments", "report", "dashboard"])
def test_each_layer_says_what_it_may_use(package):
    """Each sub-package opens with a docstring saying what it may use and must not, and holds no code of its own."""
    tree = ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8"))
    docstring = " ".join((ast.get_docstring(tree) or "").split())
    assert "may use" in docstring and "must not" in docstring
    assert [type(node) for node in tree.body] == [ast.Expr]


def test_the_package_folder_lists_its_layers():
    """model/ holds the layers, the command line and at most one more module besides __init__.py."""
    entries = {p.name for p in PACKAGE.iterdir() if p.name not in ("__init__.py", "__pycache__")}
    assert {"inputs", "simulation", "experiments", "report", "dashboard", "cli.py"} <= entries
    assert len(entries) <= 8
