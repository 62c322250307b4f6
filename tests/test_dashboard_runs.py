"""Runs on demand: the cache, fair turns between sessions, cancelling, failures that stay in their session."""

from __future__ import annotations

import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from model.dashboard import app as page
from model.dashboard import controls, library, runs, state, views
from model.dashboard.server import Workshop
from model.experiments.executors import ExecutorChoice, Outcome, Task
from model.experiments.runner import RunResult
from model.inputs.region import cached_region
from tests.conftest import ROOT

TIMEOUT = 60


def fake_result(task: Task) -> RunResult:
    """A small result that depends on the scenario's seed and the replicate, as a real one does."""
    value = float(task.scenario.seed * 100 + task.replicate)
    outcomes = pd.DataFrame(
        {
            "scenario": task.scenario.name,
            "replicate": task.replicate,
            "year": [2026, 2027],
            "municipality": "Gjøvik",
            "variable": "population",
            "value": [value, value + 1],
        }
    )
    commuting = pd.DataFrame(
        {
            "scenario": task.scenario.name,
            "replicate": task.replicate,
            "year": [2026],
            "residence": "Gjøvik",
            "workplace": "Oslo",
            "persons": [value],
        }
    )
    return RunResult(task.scenario.name, outcomes, commuting, task.replicate, task.scenario.seed, 0.0, 1.0)


class FakeExecutor:
    """Stands in for the process pool: records calls, can hold the first one, fail a scenario or break."""

    def __init__(self, failing: tuple[str, ...] = (), hold: bool = False, breaks: int = 0):
        self.calls: list[tuple[str, int]] = []
        self.failing = failing
        self.release = threading.Event()
        self.started = threading.Event()
        if not hold:
            self.release.set()
        self.breaks = breaks
        self.opened = 0

    @contextmanager
    def __call__(self, choice: ExecutorChoice):
        """Open 'the executor'."""
        self.opened += 1

        def run(tasks: list[Task]):
            for task in tasks:
                self.started.set()
                self.release.wait(TIMEOUT)
                if self.breaks:
                    self.breaks -= 1
                    raise RuntimeError("the pool broke")
                self.calls.append((task.scenario.name, task.replicate))
                if task.scenario.name in self.failing:
                    yield Outcome(task, error="ValueError: boom")
                else:
                    yield Outcome(task, result=fake_result(task))

        yield run


def wait_over(queue: runs.RunQueue, *jobs: runs.Job) -> None:
    """Wait until the jobs are over."""
    deadline = time.monotonic() + TIMEOUT
    for job in jobs:
        while not job.over:
            assert time.monotonic() < deadline, job
            queue.wait(job, 0.2)


@pytest.fixture()
def scenarios(baseline):
    """Three distinct small scenarios (they differ by seed, so by cache key)."""
    return [baseline.model_copy(update={"name": name, "seed": seed}) for name, seed in (("a", 1), ("b", 2), ("c", 3))]


def test_asking_again_is_instant_and_identical(tmp_path, scenarios):
    """A second job for the same scenarios runs nothing and reads the very same tables."""
    fake = FakeExecutor()
    queue = runs.RunQueue(runs.ReplicateCache(tmp_path, "stamp"), open_executor=fake, slots=2)
    first = queue.submit("session-1", scenarios[:2], 3)
    wait_over(queue, first)
    assert first.state == "finished" and len(fake.calls) == 6, first.error
    tables = queue.cache.comparison(scenarios[:2], 3).outcomes("b")
    again = queue.submit("session-2", scenarios[:2], 3)
    assert again.state == "finished" and again.done == again.total == 6
    assert len(fake.calls) == 6
    pd.testing.assert_frame_equal(queue.cache.comparison(scenarios[:2], 3).outcomes("b"), tables)
    # The same scenario under another name is the same result: the baseline's replicates are shared.
    renamed = queue.submit("session-3", [scenarios[0].model_copy(update={"name": "renamed"})], 3)
    assert renamed.state == "finished" and len(fake.calls) == 6
    fewer = queue.cache.comparison(scenarios[:2], 2)
    assert fewer.complete_replicates() == [0, 1]
    queue.close()


def test_sessions_take_turns_on_the_executor(tmp_path, scenarios):
    """A big request does not shut out a small one: replicates alternate between sessions."""
    fake = FakeExecutor(hold=True)
    queue = runs.RunQueue(runs.ReplicateCache(tmp_path, "stamp"), open_executor=fake, slots=1)
    big = queue.submit("big", [scenarios[0]], 4)
    assert fake.started.wait(TIMEOUT)
    small = queue.submit("small", [scenarios[1]], 2)
    fake.release.set()
    wait_over(queue, big, small)
    assert fake.calls == [("a", 0), ("b", 0), ("a", 1), ("b", 1), ("a", 2), ("a", 3)]
    queue.close()


def test_a_replicate_asked_for_twice_runs_once(tmp_path, scenarios):
    """Two sessions asking for the same baseline share its replicates."""
    fake = FakeExecutor(hold=True)
    queue = runs.RunQueue(runs.ReplicateCache(tmp_path, "stamp"), open_executor=fake, slots=1)
    one = queue.submit("one", [scenarios[0], scenarios[1]], 2)
    two = queue.submit("two", [scenarios[0], scenarios[2]], 2)
    fake.release.set()
    wait_over(queue, one, two)
    assert sorted(fake.calls) == sorted({("a", 0), ("a", 1), ("b", 0), ("b", 1), ("c", 0), ("c", 1)})
    queue.close()


def test_cancel_drops_waiting_replicates_and_spares_other_sessions(tmp_path, scenarios):
    """Cancelled: the replicate in flight finishes (into the cache), the rest never run; others go on."""
    fake = FakeExecutor(hold=True)
    queue = runs.RunQueue(runs.ReplicateCache(tmp_path, "stamp"), open_executor=fake, slots=1)
    mine = queue.submit("mine", [scenarios[0]], 5)
    assert fake.started.wait(TIMEOUT)
    theirs = queue.submit("theirs", [scenarios[1]], 2)
    queue.cancel(mine)
    assert mine.state == "cancelled"
    fake.release.set()
    wait_over(queue, theirs)
    assert theirs.state == "finished"
    assert [c for c in fake.calls if c[0] == "a"] == [("a", 0)]
    assert queue.cache.has(runs.scenario_key(scenarios[0]), 0)
    queue.close()


def test_a_failing_run_fails_only_its_own_session(tmp_path, scenarios):
    """One session's failing scenario shows its error there; another session's job finishes with results."""
    fake = FakeExecutor(failing=("b",))
    queue = runs.RunQueue(runs.ReplicateCache(tmp_path, "stamp"), open_executor=fake, slots=1)
    failing = queue.submit("one", [scenarios[0], scenarios[1]], 2)
    healthy = queue.submit("two", [scenarios[0], scenarios[2]], 2)
    wait_over(queue, failing, healthy)
    assert failing.state == "failed" and "boom" in failing.error and "b, replicate" in failing.error
    assert healthy.state == "finished" and healthy.done == healthy.total == 4
    assert len(queue.cache.comparison([scenarios[0], scenarios[2]], 2).outcomes("c")) == 4
    queue.close()


def test_a_broken_executor_is_replaced(tmp_path, scenarios):
    """A pool that breaks fails the replicate it ran; a new pool serves the next request."""
    fake = FakeExecutor(breaks=1)
    queue = runs.RunQueue(runs.ReplicateCache(tmp_path, "stamp"), open_executor=fake, slots=1)
    broken = queue.submit("one", [scenarios[0]], 1)
    wait_over(queue, broken)
    assert broken.state == "failed" and "the pool broke" in broken.error
    later = queue.submit("two", [scenarios[1]], 1)
    wait_over(queue, later)
    assert later.state == "finished" and fake.opened == 2
    queue.close()


def test_the_cache_depends_on_the_code_and_data():
    """The fingerprint covers the model's code and the region data, and nothing that varies between calls."""
    assert runs.fingerprint() == runs.fingerprint()
    assert len(runs.fingerprint()) == 16


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    """A workshop on a copy of the library, running replicates in this process."""
    folder = tmp_path_factory.mktemp("scenarios")
    for path in (ROOT / "scenarios").glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    shutil.copytree(ROOT / "scenarios" / "calibration", folder / "calibration")
    shelf = library.load_library(folder)
    cache = runs.ReplicateCache(tmp_path_factory.mktemp("cache"))
    queue = runs.RunQueue(cache, ExecutorChoice(workers=1))
    yield Workshop(folder, shelf, cached_region(Path(shelf.baseline.region_folder)), cache, queue)
    queue.close()


def test_an_invalid_lever_reaches_no_run(place):
    """The Run button's action returns the schema's message and queues nothing."""
    draft = state.draft_from(place.library.baseline, state.BASELINE_FILE)
    draft = state.add_strategy(draft, controls.new_strategy("attract_businesses", library.examples(place.library)))
    draft = state.set_strategy_value(draft, 0, "firms_per_year", 5000)
    outcome = page.start_run(place, "session", draft)
    assert outcome == {"levers.strategies[0].firms_per_year": ["must be at most 1000 (got 5000)"]}
    assert place.queue.waiting() == (0, 0) and place.queue.replicates_run == 0
    too_many = page.start_run(place, "session", draft, tuple(f"s{i}.yaml" for i in range(6)))
    assert "at most 5" in too_many[""][0]


def test_a_real_run_gives_the_reports_figures_a_map_and_the_report(place):
    """Two replicates of a short run: key numbers, figures with captions, a map per year, report.html."""
    draft = state.draft_from(place.library.baseline, state.BASELINE_FILE)
    draft = state.add_strategy(draft, controls.new_strategy("attract_businesses", library.examples(place.library)))
    draft = replace(draft, replicates=2, start=2027, end=2028, cooperation="joint")
    job = page.start_run(place, "session", draft)
    wait_over(place.queue, job)
    assert job.state == "finished", job.error
    shown = views.build(place.cache.comparison(job.scenarios, job.replicates), place.region)
    assert shown.names == ["baseline", "baseline_edited"]
    assert list(shown.key_numbers["scenario"]) == shown.names
    assert {
        "net jobs",
        "net population",
        "held by in-commuters",
        "deadweight of gross direct",
        "MNOK per net job",
    } <= set(shown.key_numbers.columns)
    assert set(shown.figures) == {
        "Population",
        "Jobs",
        "Population against the baseline",
        "Jobs against the baseline",
        "Net jobs and cost per job",
        "Jobs by sector",
        "Age structure",
    }
    assert all(path.is_file() and caption for path, caption in shown.figures.values())
    assert views.build(place.cache.comparison(job.scenarios, job.replicates), place.region) is shown
    first, last = views.map_png(shown, 2026, "baseline_edited"), views.map_png(shown, 2028, "baseline_edited")
    assert first.startswith(b"\x89PNG") and first != last
    report = views.report(shown, place.queue.choice)
    text = report.read_text(encoding="utf-8")
    assert "baseline_edited" in text and "data:image/png;base64," in text


def test_runs_go_to_a_dask_cluster_when_asked(tmp_path, baseline):
    """The queue uses `regionsim compare`'s executors: here a local Dask cluster of one worker."""
    short = baseline.model_copy(update={"years": baseline.years.model_copy(update={"start": 2026, "end": 2027})})
    queue = runs.RunQueue(runs.ReplicateCache(tmp_path), ExecutorChoice(dask_local=1))
    job = queue.submit("session", [short], 2)
    wait_over(queue, job)
    queue.close()
    assert job.state == "finished", job.error
    assert queue.cache.comparison([short], 2).complete_replicates() == [0, 1]
