"""Output folders: claimed before the work, replaced only when provably regionsim's, nothing left half-written.

Each case here was a data loss or a silent wrong result in a hostile review:
--overwrite wiped a folder that merely held a manifest.json, two runs with one
--out both reported success, runs started in the same second shared one
default folder, and scenario names with the same folder name shared replicates.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from model.cli import app
from model.experiments import output_folder
from model.experiments.output_folder import MARKER, claim_new, claimed, default_candidates, lock_path, mark
from model.experiments.run_folder import atomic_folder
from model.inputs.errors import InputError
from tests.conftest import BASELINE

runner = CliRunner()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A one-year, one-replicate scenario and a copy of it under another name."""
    folder = tmp_path_factory.mktemp("scenarios")
    path = folder / "tiny.yaml"
    path.write_text(f"extends: {BASELINE}\nname: tiny\nyears: {{start: 2026, end: 2027}}\nreplicates: 1\n", "utf-8")
    return path


def _foreign_folder(tmp_path):
    """A user's folder that happens to hold a manifest.json."""
    folder = tmp_path / "webapp"
    (folder / "src").mkdir(parents=True)
    (folder / "manifest.json").write_text('{"name": "my web app"}', encoding="utf-8")
    (folder / "thesis.tex").write_text("\\chapter{One}", encoding="utf-8")
    (folder / "src" / "app.js").write_text("console.log(1)", encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", ["run", "compare"])
def test_overwrite_never_removes_a_folder_regionsim_did_not_write(tiny, tmp_path, command):
    """`run/compare --out webapp --overwrite` on a user's folder with a manifest.json: exit 2, every file kept."""
    folder = _foreign_folder(tmp_path)
    result = runner.invoke(app, [command, str(tiny), "--out", str(folder), "--overwrite", "--quiet"])
    assert result.exit_code == 2, result.output
    assert "regionsim did not write" in result.stderr and "thesis.tex" in result.stderr
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == [
        "manifest.json",
        "src",
        "src/app.js",
        "thesis.tex",
    ]


def test_an_earlier_run_is_replaced_but_not_once_a_user_added_a_file(tiny, tmp_path):
    """--overwrite replaces a finished run folder; a notes file added to it makes it the user's again."""
    out = tmp_path / "run"
    assert runner.invoke(app, ["run", str(tiny), "--out", str(out), "--quiet"]).exit_code == 0
    first = json.loads((out / MARKER).read_text(encoding="utf-8"))["id"]
    assert runner.invoke(app, ["run", str(tiny), "--out", str(out), "--quiet", "--overwrite"]).exit_code == 0
    assert json.loads((out / MARKER).read_text(encoding="utf-8"))["id"] != first
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    refused = runner.invoke(app, ["run", str(tiny), "--out", str(out), "--quiet", "--overwrite"])
    assert refused.exit_code == 2 and "notes.txt" in refused.stderr
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert not list(tmp_path.glob(".run.*")), list(tmp_path.iterdir())  # no lock, no partial folder left


@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_folder_another_living_process_writes_is_refused(tiny, tmp_path, command):
    """While another process holds the folder (a running run or compare), a second one exits 2 and waits for nothing."""
    out = tmp_path / "busy"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock_path(out).write_text(json.dumps({"pid": holder.pid, "host": os.uname().nodename}), encoding="utf-8")
        result = runner.invoke(app, [command, str(tiny), "--out", str(out), "--overwrite", "--quiet"])
        assert result.exit_code == 2, result.output
        assert f"another regionsim process (pid {holder.pid}" in result.stderr
        assert not out.exists()
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_left_by_a_process_that_died_is_taken_over(tmp_path):
    """A claim whose process no longer runs on this host does not block the folder forever."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    out = tmp_path / "stale"
    lock_path(out).write_text(json.dumps({"pid": gone.pid, "host": os.uname().nodename}), encoding="utf-8")
    with claimed(out, "run") as folder:
        assert json.loads(lock_path(folder).read_text(encoding="utf-8"))["pid"] == os.getpid()
    assert not lock_path(out).exists()


def test_runs_started_in_the_same_second_get_folders_of_their_own(tmp_path, monkeypatch):
    """Three default folders claimed at once are three folders (they all printed one before)."""
    monkeypatch.chdir(tmp_path)
    taken = [claim_new(default_candidates("baseline"), "run") for _ in range(3)]
    assert len(set(taken)) == 3
    assert all(lock_path(folder).is_file() for folder in taken)


def test_names_that_give_one_folder_name_are_an_error(tmp_path):
    """'x y' and 'x_y' would share replicates/x_y; '..' is no folder name at all."""
    from model.experiments.ensemble import run_ensemble

    files = []
    for name in ("x y", "x_y"):
        path = tmp_path / f"{len(files)}.yaml"
        path.write_text(f"extends: {BASELINE}\nname: '{name}'\nyears: {{start: 2026, end: 2027}}\n", "utf-8")
        files.append(path)
    with pytest.raises(InputError, match="give the same folder name"):
        run_ensemble(files, replicates=1, out=tmp_path / "out", workers=1)
    assert not (tmp_path / "out").exists()
    assert output_folder.slug("..") == "scenario" and output_folder.slug("../up") == "up"


def test_a_failed_write_is_one_message_and_leaves_nothing_behind(tmp_path):
    """A full disk while writing: an InputError naming the folder; no partial folder, no target."""
    out = tmp_path / "full"
    with pytest.raises(InputError, match="No space left on device"), atomic_folder(out) as target:
        (target / "outcomes.csv").write_text("year\n", encoding="utf-8")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert list(tmp_path.iterdir()) == []


def test_an_unfinished_folder_may_hold_only_what_regionsim_writes_as_it_works(tmp_path):
    """An interrupted comparison is replaceable; a PDF dropped into it is not."""
    folder = tmp_path / "unfinished"
    (folder / "replicates" / "baseline").mkdir(parents=True)
    mark(folder, "ensemble", finished=False)
    (folder / "ensemble.json").write_text("{}", encoding="utf-8")
    (folder / "replicates" / "baseline" / "outcomes-r00000.parquet").write_bytes(b"")
    assert output_folder.foreign_files(folder) == []
    (folder / "slides.pdf").write_bytes(b"%PDF")
    assert output_folder.foreign_files(folder) == ["slides.pdf"]


def test_a_terminated_run_leaves_no_claim_and_no_partial_folder(tiny, tmp_path):
    """SIGTERM during `regionsim run`: exit 143, no lock, no partial folder, no output folder."""
    import signal
    import time

    out = tmp_path / "killed"
    longer = tmp_path / "longer.yaml"
    longer.write_text(f"extends: {tiny}\nname: longer\nyears: {{start: 2026, end: 2050}}\nreplicates: 4\n", "utf-8")
    job = subprocess.Popen(
        [sys.executable, "-m", "model.cli", "run", str(longer), "--out", str(out), "--quiet", "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not lock_path(out).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert lock_path(out).exists(), "the run never claimed its folder"
    job.send_signal(signal.SIGTERM)
    code = job.wait(timeout=60)
    assert code == 143, (code, job.stderr.read().decode())
    assert list(tmp_path.glob(".killed*")) == [] and not out.exists()


def test_resume_refuses_a_folder_made_from_other_data_or_code(tiny, tmp_path, monkeypatch):
    """Replicates made before the region's data (or the model's code) changed are not mixed with new ones."""
    import model.experiments.ensemble as ensemble
    from model.experiments.fingerprint import digest

    out = tmp_path / "resumed"
    ensemble.run_ensemble([tiny], replicates=1, out=out, workers=1)
    real = ensemble.fingerprints
    monkeypatch.setattr(ensemble, "fingerprints", lambda folder: {**real(folder), "region_data": "edited"})
    with pytest.raises(InputError, match="the region's data or the model's code changed"):
        ensemble.run_ensemble([tiny], replicates=2, out=out, workers=1, resume=True)
    data = tmp_path / "data"
    data.mkdir()
    (data / "municipalities.csv").write_text("# source\nname,amenity\nGjøvik,1.0\n", encoding="utf-8")
    before = digest([data])
    (data / "municipalities.csv").write_text("# source\nname,amenity\nGjøvik,0.5\n", encoding="utf-8")
    assert digest([data]) != before


def _children(pid: int) -> set[int]:
    """The process's child processes (Linux /proc)."""
    found = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as file:
            found |= {int(child) for child in file.read().split()}
    return found


def test_ctrl_c_stops_the_workers_keeps_what_finished_and_says_how_to_resume(tiny, tmp_path):
    """SIGINT to `compare` alone: its pool ends at once, exit 130, the finished replicates stay, --resume ends it."""
    import signal
    import time

    longer = tmp_path / "longer.yaml"
    longer.write_text(f"extends: {tiny}\nname: longer\nyears: {{start: 2026, end: 2034}}\nreplicates: 8\n", "utf-8")
    out = tmp_path / "cmp"
    command = [
        sys.executable,
        "-m",
        "model.cli",
        "compare",
        str(longer),
        "--out",
        str(out),
        "--quiet",
        "--workers",
        "2",
    ]
    job = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while not list(out.glob("replicates/*/outcomes-r*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.2)
    kept = sorted(out.glob("replicates/*/outcomes-r*.parquet"))
    assert kept, "no replicate finished in time"
    workers = _children(job.pid)
    assert workers, "the pool has no workers"
    job.send_signal(signal.SIGINT)
    assert job.wait(timeout=30) == 130
    stderr = job.stderr.read()
    assert f"to go on, run the same command with --out {out} --resume" in stderr and "Traceback" not in stderr
    deadline = time.monotonic() + 10  # the resource tracker ends when its pipe closes; workers at once
    while [pid for pid in workers if os.path.exists(f"/proc/{pid}")] and time.monotonic() < deadline:
        time.sleep(0.2)
    alive = {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in workers if os.path.exists(f"/proc/{pid}")}
    assert not alive, f"workers outlived their job: {alive}"
    assert not lock_path(out).exists()
    assert set(kept) <= set(out.glob("replicates/*/outcomes-r*.parquet"))
    before = {path: path.stat().st_mtime_ns for path in kept}
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert len(list(out.glob("replicates/*/outcomes-r*.parquet"))) == 8
    assert all(path.stat().st_mtime_ns == mtime for path, mtime in before.items())  # kept, not run again
