"""Start the dashboard in a child process on a free loopback port, and stop it again."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = re.compile(r"open (http://\S+) in a browser")


def copy_library(target: Path) -> Path:
    """A copy of the scenario library to start from and save into (the project's own stays untouched)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in (ROOT / "scenarios").glob("*.yaml"):
        shutil.copy(path, target / path.name)
    shutil.copytree(ROOT / "scenarios" / "calibration", target / "calibration")
    return target


@dataclass
class Served:
    """A running dashboard: the address it printed, and everything it printed so far."""

    address: str
    output: list[str]


@contextmanager
def dashboard(command: list[str], timeout: float = 60) -> Iterator[Served]:
    """Run a command that starts the dashboard; yield its address and output, then stop it."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    try:
        deadline, seen = time.monotonic() + timeout, []
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"the dashboard stopped: {''.join(seen)}")
            seen.append(line)
            found = ADDRESS.search(line)
            if found:
                # Keep reading, so the server never blocks on a full pipe.
                threading.Thread(target=lambda: seen.extend(process.stdout), daemon=True).start()
                yield Served(found.group(1), seen)
                return
        raise TimeoutError(f"the dashboard printed no address: {''.join(seen)}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def regionsim(*arguments: str) -> list[str]:
    """The `regionsim` command line, as a child process runs it."""
    return [sys.executable, "-u", "-m", "model.cli", *arguments]
