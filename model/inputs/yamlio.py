"""Safe YAML reading that remembers where every key stands.

Only PyYAML's safe loader is used: the document is composed into nodes by
``yaml.SafeLoader`` and turned into plain Python data here, so that each value
keeps its line number for error messages, and duplicate keys, alias bombs and
non-finite numbers are refused before anything else looks at the data.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Protocol

import yaml

from model.inputs.errors import InputError, Problem

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000

Location = tuple[str | int, ...]
PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
}


class Document(Protocol):
    """Data read from YAML that can say where each key came from."""

    data: Any

    def where(self, location: Location) -> tuple[Path, int | None]:
        """File and line of a key path."""
        ...


class LocatedDocument:
    """A parsed YAML document with the line of every key path."""

    def __init__(self, path: Path, data: Any, lines: dict[Location, int]):
        self.path = path
        self.data = data
        self.lines = lines

    def where(self, location: Location) -> tuple[Path, int | None]:
        """File and line of a key path, or of its nearest enclosing key."""
        location = tuple(location)
        while location and location not in self.lines:
            location = location[:-1]
        return self.path, self.lines.get(location)


def read_yaml(path: Path | str) -> LocatedDocument:
    """Read a YAML file with the safe loader, keeping line numbers.

    Raises:
        InputError: the file is missing, too large, empty, not valid YAML, not
            a mapping, or holds duplicate keys or non-finite numbers.
    """
    path = Path(path)
    try:
        if not path.is_file():
            if path.exists():
                kind = "a folder" if path.is_dir() else "not a regular file (a pipe, a device or a socket)"
                raise InputError(Problem(path, f"it is {kind}", hint="name a .yaml file"))
            raise InputError(Problem(path, "file not found", hint="check the path"))
        if path.stat().st_size > MAX_FILE_BYTES:
            hint = "is it a scenario?"
            raise InputError(Problem(path, f"file is larger than {MAX_FILE_BYTES // 1000} kB", hint=hint))
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InputError(Problem(path, f"not UTF-8 text ({error.reason})")) from None
    except RuntimeError as error:  # pathlib: a symlink loop
        raise InputError(Problem(path, f"cannot read it ({error})")) from None
    except OSError as error:
        raise InputError(Problem(path, f"cannot read it ({error.strerror or error})")) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        problem = error.problem or str(error)
        raise InputError(
            Problem(path, f"YAML syntax error: {problem}", line=line, hint=_syntax_hint(problem))
        ) from None
    except yaml.YAMLError as error:
        raise InputError(Problem(path, f"YAML error: {error}")) from None
    if node is None:
        raise InputError(Problem(path, "file is empty", hint="a scenario is a mapping of keys"))
    if not isinstance(node, yaml.MappingNode):
        raise InputError(Problem(path, "the document is not a mapping of keys", line=node.start_mark.line + 1))
    builder = _Builder(path)
    data = builder.build(node, ())
    return LocatedDocument(path, data, builder.lines)


class _Builder:
    """Turns composed YAML nodes into plain data, recording lines."""

    def __init__(self, path: Path):
        self.path = path
        self.lines: dict[Location, int] = {(): 1}
        self.visited = 0
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, location: Location) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise InputError(Problem(self.path, "document too large or nested aliases expand too far"))
        line = node.start_mark.line + 1
        if node.tag not in PLAIN_TAGS:
            raise InputError(
                Problem(
                    self.path,
                    f"the tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed",
                    line=line,
                    key=dotted(location) or None,
                    hint="scenarios hold plain values, lists and mappings",
                )
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, location)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for i, item in enumerate(node.value):
                self.lines[(*location, i)] = item.start_mark.line + 1
                items.append(self.build(item, (*location, i)))
            return items
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as error:
            raise InputError(
                Problem(self.path, f"cannot read value: {error}", line=line, key=dotted(location))
            ) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(
                Problem(
                    self.path,
                    "numbers must be finite (no .nan or .inf)",
                    line=line,
                    key=dotted(location),
                )
            )
        return value

    def _mapping(self, node: yaml.MappingNode, location: Location) -> dict[Any, Any]:
        self.constructor.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(Problem(self.path, "keys must be plain words", line=key_line))
            key = self.constructor.construct_object(key_node)
            if key in result:
                raise InputError(
                    Problem(
                        self.path,
                        "duplicate key",
                        line=key_line,
                        key=dotted((*location, key)),
                        hint=f"first given on line {self.lines[(*location, key)]}",
                    )
                )
            self.lines[(*location, key)] = key_line
            result[key] = self.build(value_node, (*location, key))
        return result


def dotted(location: Location, data: Any = None) -> str:
    """A key path as it reads in a message: ``levers.strategies[0].sector``.

    With the document's data, a number or yes/no written as a mapping key reads as written
    (``parameters.1``, ``context.true``), not as a list position.
    """
    text = ""
    for part in location:
        if isinstance(data, dict):  # the key as written: pydantic gives True back as 1
            part = next((k for k in data if k == part and type(k) is not type(part)), part)
        index = isinstance(part, int) and not isinstance(part, bool) and not isinstance(data, dict)
        if index:
            text += f"[{part}]"
        else:
            word = "null" if part is None else str(part).lower() if isinstance(part, bool) else str(part)
            text += f".{word}" if text else word
        data = _child(data, part)
    return text


def _child(data: Any, part: Any) -> Any:
    if isinstance(data, dict):
        return data.get(part)
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return data[part]
    return None


def _syntax_hint(problem: str) -> str:
    """A hint for the commonest YAML mistakes."""
    if "tab" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "check the indentation, and put a space after every colon"
    if "expected ','" in problem or "flow" in problem:
        return "a bracket { or [ is not closed"
    return "check the indentation and that every key is followed by ': '"
