"""The corpus of malformed scenarios in tests/bad_scenarios/ gives exactly the expected messages."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from model.cli import app
from model.inputs.errors import InputError
from model.inputs.scenario import Scenario

CORPUS = Path(__file__).resolve().parent / "bad_scenarios"


def expected_messages() -> dict[str, list[str]]:
    """File name -> the exact lines it must produce."""
    expected: dict[str, list[str]] = defaultdict(list)
    for line in (CORPUS / "expected_messages.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name = line.split(":", 1)[0]
            expected[name].append(line)
    return expected


EXPECTED = expected_messages()


def test_corpus_is_large_and_complete():
    """At least 30 malformed files, each with its expected message."""
    files = sorted(p.name for p in CORPUS.glob("*.yaml"))
    assert len(files) >= 30
    assert files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_message_is_exactly_as_expected(name, monkeypatch):
    """Validation names the file, the line and the key, with the hint, all problems at once."""
    monkeypatch.chdir(CORPUS)
    with pytest.raises(InputError) as error:
        Scenario.from_yaml(name)
    assert [str(problem) for problem in error.value.problems] == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED)[::6])
def test_command_line_prints_the_lines_and_exits_2(name, monkeypatch, tmp_path):
    """Regionsim run: the same lines on stderr, exit code 2, no traceback, nothing written."""
    monkeypatch.chdir(CORPUS)
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", name, "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {line}" for line in EXPECTED[name]]
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists() and os.listdir(tmp_path) == []


def test_absurdly_large_file_is_refused(tmp_path):
    """A file over a megabyte is not read at all."""
    path = tmp_path / "big.yaml"
    path.write_text("name: big\ndescription: '" + "x" * 1_100_000 + "'\n", encoding="utf-8")
    with pytest.raises(InputError, match="larger than 1000 kB"):
        Scenario.from_yaml(path)
