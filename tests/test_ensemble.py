"""Ensembles and comparisons: the same tables on every executor, safe on disk, resumable, readable."""

from __future__ import annotations

import base64
import io
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import matplotlib.image
import pandas as pd
import pytest

from model import compare, run_ensemble
from model.experiments.store import write_atomically
from model.inputs.errors import InputError
from tests.conftest import BASELINE

SCENARIOS = BASELINE.parent


@pytest.fixture(scope="module")
def short(tmp_path_factory):
    """Two short scenario files (2026-2030): the baseline and a housing strategy."""
    folder = tmp_path_factory.mktemp("scenarios")
    base = folder / "base.yaml"
    base.write_text(f"extends: {BASELINE}\nname: base\nyears: {{start: 2028, end: 2030}}\n", encoding="utf-8")
    housing = folder / "housing.yaml"
    housing.write_text(
        f"extends: {SCENARIOS / 'housing.yaml'}\nname: housing\nyears: {{start: 2028, end: 2030}}\n"
        "levers:\n  strategies:\n    - {type: housing, target: Gjøvik, dwellings_per_year: 300, amenity_gain: 0.1, "
        "from: 2027, budget_mnok_per_year: 10}\n",
        encoding="utf-8",
    )
    return base, housing


def replicate_tables(folder) -> dict[str, pd.DataFrame]:
    """Every replicate file of a comparison folder, by relative path."""
    return {str(p.relative_to(folder)): pd.read_parquet(p) for p in sorted((folder / "replicates").rglob("*.parquet"))}


def assert_same_tables(first, second) -> None:
    """Two comparison folders hold identical replicate tables."""
    a, b = replicate_tables(first), replicate_tables(second)
    assert a.keys() == b.keys() and a
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


@pytest.fixture(scope="module")
def serial(short, tmp_path_factory):
    """A comparison run in this process."""
    out = tmp_path_factory.mktemp("serial") / "compare"
    return compare(*short, replicates=3, out=out, workers=1)


def test_pool_gives_the_same_tables_as_one_process(short, serial, tmp_path):
    """A local process pool of 2 workers: bit-identical replicate tables."""
    pooled = compare(*short, replicates=3, out=tmp_path / "pool", workers=2, report=False)
    assert_same_tables(serial.folder, pooled.folder)


def test_dask_local_cluster_gives_the_same_tables(short, serial, tmp_path):
    """A local Dask cluster of 2 workers: bit-identical replicate tables."""
    dasked = compare(*short, replicates=3, out=tmp_path / "dask", dask_local=2, report=False)
    assert_same_tables(serial.folder, dasked.folder)


def test_summary_has_horizon_values_differences_and_cost(serial):
    """summary.csv: mean, 5 % and 95 % per scenario, place and variable; differences and MNOK per net job."""
    summary = pd.read_csv(serial.folder / "summary.csv")
    assert {
        "scenario",
        "municipality",
        "variable",
        "year",
        "mean",
        "p5",
        "p95",
        "difference_mean",
        "difference_p5",
        "difference_p95",
        "budget_mnok",
        "mnok_per_net_job",
    } <= set(summary.columns)
    assert set(summary["year"]) == {2030}
    housing = summary[(summary["scenario"] == "housing") & (summary["variable"] == "population")]
    assert housing.set_index("municipality").loc["Gjøvik", "difference_mean"] > 0
    assert summary[summary["scenario"] == "base"]["difference_mean"].isna().all()
    # 10 MNOK a year in 2027-2029: spending in the horizon year 2030 cannot act on its 1 January stocks.
    assert housing.set_index("municipality").loc["Gjøvikregionen", "budget_mnok"] == pytest.approx(30.0)


def test_report_has_every_section_and_its_images_decode(serial):
    """report.html: self-contained, scenario descriptions, key numbers, figures with captions, settings."""
    page = (serial.folder / "report.html").read_text(encoding="utf-8")
    for section in ("scenarios", "key-numbers", "figures", "settings"):
        assert f"id='{section}'" in page
    for figure in (
        "population",
        "jobs",
        "difference_jobs",
        "difference_population",
        "net_jobs",
        "jobs_by_sector",
        "commuting",
        "age_structure",
        "vacancies_by_sector",
        "attractiveness",
    ):
        assert f"id='{figure}'" in page, figure
    images = re.findall(r"src='data:image/png;base64,([^']+)'", page)
    assert len(images) == 10
    for data in images:
        assert matplotlib.image.imread(io.BytesIO(base64.b64decode(data)), format="png").shape[0] > 300
    assert "http://" not in page and "https://" not in page
    assert "chance" in page and "Gjøvik" in page


def test_existing_folder_is_not_overwritten_without_the_flag(short, serial):
    """Running into a finished comparison folder needs --resume or --overwrite."""
    with pytest.raises(InputError, match="already holds results"):
        compare(*short, replicates=3, out=serial.folder, workers=1)
    resumed = compare(*short, replicates=3, out=serial.folder, workers=1, resume=True, report=False)
    assert resumed.seconds < 1 and len(resumed.complete_replicates()) == 3


def test_resume_refuses_other_settings(short, serial):
    """--resume with another seed is refused: the folder holds other runs."""
    with pytest.raises(InputError, match="other scenarios, seed or settings"):
        compare(*short, replicates=3, seed=99, out=serial.folder, workers=1, resume=True)


def test_a_failing_replicate_is_reported_and_the_others_kept(short, tmp_path, monkeypatch):
    """Replicate 1 of one scenario raises: it is listed, the rest are on disk and summarised."""
    import model.experiments.executors as executors

    real = executors.simulate

    def flaky(scenario, replicate=0, seed=None, on_year=None):
        if scenario.name == "housing" and replicate == 1:
            raise ValueError("a broken replicate")
        return real(scenario, replicate=replicate, seed=seed, on_year=on_year)

    monkeypatch.setattr(executors, "simulate", flaky)
    ensemble = compare(*short, replicates=3, out=tmp_path / "flaky", workers=1)
    assert ensemble.failures == [{"scenario": "housing", "replicate": 1, "error": "ValueError: a broken replicate"}]
    assert ensemble.store.replicates("base") == [0, 1, 2]
    assert ensemble.complete_replicates() == [0, 2]
    assert (tmp_path / "flaky" / "failures.csv").is_file()
    assert (tmp_path / "flaky" / "summary.csv").is_file()


def test_killed_comparison_resumes_to_the_same_result(short, tmp_path):
    """Kill a comparison mid-way, resume it: the same replicate tables and summary as an uninterrupted run."""
    killed = tmp_path / "killed"
    command = [
        sys.executable,
        "-m",
        "model.cli",
        "compare",
        *map(str, short),
        "--replicates",
        "6",
        "--workers",
        "1",
        "--quiet",
        "--out",
        str(killed),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(killed.glob("replicates/*/outcomes-r*.parquet"))) < 3:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    interrupted = len(list(killed.glob("replicates/*/outcomes-r*.parquet")))
    assert 0 < interrupted < 12 and not (killed / "summary.csv").exists()
    subprocess.run([*command, "--resume"], check=True, stdout=subprocess.DEVNULL)
    whole = compare(*short, replicates=6, out=tmp_path / "whole", workers=1)
    assert_same_tables(killed, whole.folder)
    pd.testing.assert_frame_equal(pd.read_csv(killed / "summary.csv"), pd.read_csv(whole.folder / "summary.csv"))


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (Linux /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid) and not fields.get("State", "").startswith("Z"):
            found.append(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_a_killed_job_leaves_no_pool_workers(short, tmp_path):
    """SIGKILL a comparison on a pool of two: its workers end within seconds instead of finishing as orphans."""
    command = [sys.executable, "-m", "model.cli", "compare", *map(str, short), "--replicates", "40"]
    process = subprocess.Popen(
        [*command, "--workers", "2", "--quiet", "--out", str(tmp_path / "pool")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline, workers = time.time() + 120, []
    while time.time() < deadline and not list((tmp_path / "pool").glob("replicates/*/outcomes-r*.parquet")):
        time.sleep(0.1)
    workers = [pid for pid in _children(process.pid) if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()]
    assert len(workers) == 2
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.time() + 15
    while time.time() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers)


def test_run_ensemble_of_one_scenario(short, tmp_path):
    """run_ensemble with one scenario: its replicates on disk and a summary without differences."""
    ensemble = run_ensemble([short[0]], replicates=2, out=tmp_path / "one", workers=1)
    assert ensemble.store.replicates("base") == [0, 1]
    assert ensemble.summary["difference_mean"].isna().all()
    assert ensemble.outcomes(variables=["population"])["variable"].unique().tolist() == ["population"]


def test_two_threads_can_write_the_same_file_atomically(tmp_path):
    """Concurrent writers of one file (the dashboard's dispatchers) each finish; the file is whole."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(path: Path) -> None:
        path.write_text("whole", encoding="utf-8")
        barrier.wait(10)  # both temporary files exist before either is renamed

    def writer() -> None:
        try:
            write_atomically(tmp_path / "scenario.json", write)
        except BaseException as error:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors
    assert (tmp_path / "scenario.json").read_text(encoding="utf-8") == "whole"
    assert [p.name for p in tmp_path.iterdir()] == ["scenario.json"]


def test_a_script_without_the_main_guard_raises_instead_of_returning_nothing(short, tmp_path):
    """compare() in a script without the __main__ guard fails in every spawned worker: it raises, saying why."""
    import subprocess
    import sys

    script = tmp_path / "unguarded.py"
    script.write_text(
        "from model import compare\n"
        f"compare({str(short[0])!r}, {str(short[1])!r}, replicates=2, workers=2, out={str(tmp_path / 'out')!r})\n",
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode != 0
    assert "EnsembleFailed: all 4 replicates failed" in done.stderr, done.stderr[-2000:]
    assert "needs `if __name__ == '__main__':` around" in done.stderr
