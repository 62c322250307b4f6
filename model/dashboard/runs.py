"""Runs on demand: a fair queue on the executor, a cache of replicates, and cancelling.

Every session's "Run" becomes a :class:`Job`: the replicates of its scenarios
that are not yet in the cache. The :class:`RunQueue` hands replicates to the
same executors as ``regionsim compare`` (a local process pool, or Dask), one
at a time and in turn from each session with work waiting, so a large request
does not shut out a small one. A replicate is run once however many sessions
ask for it. A failing replicate fails the jobs that need it and no others; an
executor that breaks is replaced.

The :class:`ReplicateCache` files each replicate by a hash of the resolved
scenario (without its name and description) and the code and data it ran on,
so asking again, from any session, is instant, and common random numbers make
the baseline's replicates shared by every comparison.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from model.experiments.ensemble import Ensemble
from model.experiments.executors import ExecutorChoice, Outcome, Task, executor
from model.experiments.runner import RunResult
from model.experiments.store import EnsembleStore, write_atomically
from model.inputs.region import REGIONS_FOLDER
from model.inputs.scenario import Scenario

CACHED = "replicate"  # the name replicates are filed under: the folder (the hash) says which scenario
SCHEDULER_SLOTS = 8  # replicates in flight on a Dask cluster of unknown size
MODEL_FOLDER = Path(__file__).resolve().parent.parent

Runner = Callable[[list[Task]], Iterator[Outcome]]
OpenExecutor = Callable[[ExecutorChoice], AbstractContextManager[Runner]]


def fingerprint() -> str:
    """A hash of the model's code and the region and national data: results depend on nothing else."""
    digest = hashlib.sha256()
    code = sorted(p for p in MODEL_FOLDER.rglob("*.py") if "dashboard" not in p.parts)
    data = sorted(p for folder in (REGIONS_FOLDER, REGIONS_FOLDER.parent / "national") for p in folder.rglob("*"))
    for path in (*code, *data):
        if path.is_file():
            digest.update(str(path.relative_to(MODEL_FOLDER.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def scenario_key(scenario: Scenario) -> str:
    """What a replicate's result depends on: the resolved scenario without name, description and count."""
    data = {k: v for k, v in scenario.resolved_dict().items() if k not in ("name", "description", "replicates")}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]


class ReplicateCache:
    """Finished replicates on disk, filed by scenario key, under the code-and-data fingerprint."""

    def __init__(self, folder: Path, stamp: str | None = None):
        self.folder = folder / (stamp or fingerprint())

    def store(self, key: str) -> EnsembleStore:
        """The replicate files of one scenario key."""
        return EnsembleStore(self.folder / key)

    def has(self, key: str, replicate: int) -> bool:
        """Whether a replicate is cached."""
        return self.store(key).done(CACHED, replicate)

    def save(self, key: str, scenario: Scenario, result: RunResult) -> None:
        """Keep a finished replicate (atomically), with the scenario it belongs to beside it."""
        store = self.store(key)
        store.save(dataclasses.replace(result, scenario=CACHED))
        described = store.folder / "scenario.json"
        if not described.exists():
            text = json.dumps(scenario.resolved_dict(), indent=2, ensure_ascii=False)
            write_atomically(described, lambda p: p.write_text(text, encoding="utf-8"))

    def comparison(self, scenarios: list[Scenario], replicates: int) -> CachedEnsemble:
        """The cached replicates of scenarios as an ensemble the report's functions can read."""
        parts = [[s.name, s.description, scenario_key(s)] for s in scenarios]
        key = hashlib.sha256(json.dumps([parts, replicates], ensure_ascii=False).encode()).hexdigest()[:20]
        stores = {s.name: self.store(k) for s, (*_, k) in zip(scenarios, parts, strict=True)}
        folder = self.folder / "comparisons" / key
        return CachedEnsemble(folder, list(scenarios), replicates, scenarios[0].seed, stores=stores, key=key)


class ComparisonStore:
    """The replicate files of several cached scenarios, read as one ensemble's store."""

    def __init__(self, stores: dict[str, EnsembleStore], replicates: int):
        self.stores = stores
        self.count = replicates

    def replicates(self, scenario: str) -> list[int]:
        """Replicate numbers of a scenario that the comparison uses."""
        return [r for r in self.stores[scenario].replicates(CACHED) if r < self.count]

    def outcomes(
        self, scenario: str, replicates: list[int], variables: list[str] | None = None, years: list[int] | None = None
    ) -> pd.DataFrame:
        """A scenario's outcome rows (as EnsembleStore.outcomes)."""
        return self.stores[scenario].outcomes(CACHED, replicates, variables, years)

    def commuting(self, scenario: str, replicates: list[int], year: int) -> Iterator[pd.DataFrame]:
        """A scenario's commuting flows in one year, replicate by replicate."""
        return self.stores[scenario].commuting(CACHED, replicates, year)


@dataclass
class CachedEnsemble(Ensemble):
    """An ensemble whose replicates live in the cache; its own folder takes figures and the report."""

    stores: dict[str, EnsembleStore] = field(default_factory=dict)
    key: str = ""

    @property
    def store(self) -> ComparisonStore:  # type: ignore[override]
        """The cached replicate files, limited to the replicates asked for."""
        return ComparisonStore(self.stores, self.replicates)


@dataclass
class Job:
    """One session's request: every replicate of its scenarios.

    Attributes:
        id: a number, unique in the server.
        session: the browser session that asked.
        scenarios: the scenarios, the baseline first.
        replicates: replicates per scenario.
        total: distinct replicates needed (a scenario equal to another counts once).
        done: of those, how many are in the cache.
        state: queued, running, finished, failed or cancelled.
        error: why it failed.
    """

    id: int
    session: str
    scenarios: list[Scenario]
    replicates: int
    total: int = 0
    done: int = 0
    state: str = "queued"
    error: str | None = None

    @property
    def over(self) -> bool:
        """Whether the job will change no more."""
        return self.state in ("finished", "failed", "cancelled")

    @property
    def fraction(self) -> float:
        """Share of its replicates done (0-1)."""
        return self.done / self.total if self.total else 1.0


Unit = tuple[str, int]  # (scenario key, replicate)


class RunQueue:
    """Replicates from every session, run in turn on one executor, each once."""

    def __init__(
        self,
        cache: ReplicateCache,
        choice: ExecutorChoice | None = None,
        open_executor: OpenExecutor = executor,
        slots: int | None = None,
    ):
        self.cache = cache
        self.choice = choice or ExecutorChoice()
        self._open = open_executor
        self.slots = (
            slots
            or self.choice.workers
            or self.choice.dask_local
            or (SCHEDULER_SLOTS if self.choice.scheduler else os.cpu_count() or 1)
        )
        self._changed = threading.Condition()
        self._pending: OrderedDict[str, deque[tuple[Unit, Scenario]]] = OrderedDict()
        self._wanted: dict[Unit, list[Job]] = {}
        self._running: set[Unit] = set()
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._executor_lock = threading.Lock()
        self._stack: ExitStack | None = None
        self._runner: Runner | None = None
        self._generation = 0
        self.replicates_run = 0
        # Started here, outside any browser session, so no session's context follows them.
        self._start_threads()

    def submit(self, session: str, scenarios: list[Scenario], replicates: int) -> Job:
        """Queue the replicates of scenarios that the cache lacks; returns the job at once."""
        with self._changed:
            if self._closed:
                raise RuntimeError("the run queue is closed")
            job = Job(next(self._ids), session, list(scenarios), replicates)
            units: set[Unit] = set()
            for scenario in scenarios:
                key = scenario_key(scenario)
                for replicate in range(replicates):
                    unit = (key, replicate)
                    if unit in units:
                        continue
                    units.add(unit)
                    if self.cache.has(*unit):
                        job.done += 1
                        continue
                    self._wanted.setdefault(unit, []).append(job)
                    if unit not in self._running:
                        self._queue_of(session).append((unit, scenario))
            job.total = len(units)
            if job.done == job.total:
                job.state = "finished"
            else:
                self._jobs[job.id] = job
            self._changed.notify_all()
            return job

    def cancel(self, job: Job) -> None:
        """Stop a job: its waiting replicates are dropped (those running finish into the cache)."""
        with self._changed:
            if not job.over:
                job.state = "cancelled"
                self._forget(job)
            self._changed.notify_all()

    def cancel_session(self, session: str) -> None:
        """Cancel every job of a session (its browser went away)."""
        for job in [j for j in list(self._jobs.values()) if j.session == session]:
            self.cancel(job)

    def wait(self, job: Job, timeout: float) -> None:
        """Block until something changes in the queue, or the timeout passes."""
        with self._changed:
            if not job.over:
                self._changed.wait(timeout)

    def waiting(self) -> tuple[int, int]:
        """Replicates running and replicates waiting, over all sessions."""
        with self._changed:
            queued = {unit for units in self._pending.values() for unit, _ in units if self._wanted.get(unit)}
            return len(self._running), len(queued - self._running)

    def close(self) -> None:
        """Cancel everything, stop the dispatchers and shut the executor down."""
        with self._changed:
            self._closed = True
            for job in list(self._jobs.values()):
                job.state = "cancelled"
            self._jobs.clear()
            self._wanted.clear()
            self._pending.clear()
            self._changed.notify_all()
        for thread in self._threads:
            thread.join(timeout=60)
        with self._executor_lock:
            if self._stack is not None:
                self._stack.close()
                self._stack = self._runner = None

    # Inside: dispatchers, one per slot of the executor.

    def _start_threads(self) -> None:
        while len(self._threads) < self.slots:
            thread = threading.Thread(target=self._dispatch, name=f"regionsim-run-{len(self._threads)}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _queue_of(self, session: str) -> deque[tuple[Unit, Scenario]]:
        """A session's waiting replicates; a session new to the queue has the next turn."""
        if session not in self._pending:
            self._pending[session] = deque()
            self._pending.move_to_end(session, last=False)
        return self._pending[session]

    def _next(self) -> tuple[Unit, Scenario] | None:
        """The next replicate, taking sessions in turn (round robin)."""
        for session in list(self._pending):
            pending = self._pending[session]
            self._pending.move_to_end(session)
            while pending:
                unit, scenario = pending.popleft()
                if self._wanted.get(unit) and unit not in self._running:
                    if not pending:
                        del self._pending[session]
                    return unit, scenario
            del self._pending[session]
        return None

    def _dispatch(self) -> None:
        while True:
            with self._changed:
                item = self._next()
                while item is None and not self._closed:
                    self._changed.wait()
                    item = self._next()
                if self._closed:
                    return
                unit, scenario = item
                self._running.add(unit)
                for job in self._wanted.get(unit, []):
                    job.state = "running"
                self._changed.notify_all()
            outcome = self._execute(Task(scenario, unit[1]))
            if outcome.result is not None:
                try:
                    self.cache.save(unit[0], scenario, outcome.result)
                except Exception as error:  # a full disk, say: this replicate fails, the server goes on
                    outcome = Outcome(outcome.task, error=f"cannot keep the result ({error})")
            with self._changed:
                self.replicates_run += 1
                self._running.discard(unit)
                for job in self._wanted.pop(unit, []):
                    if outcome.error:
                        self._fail(job, f"{scenario.name}, replicate {unit[1]}: {outcome.error}")
                    else:
                        job.done += 1
                        if job.done == job.total:
                            job.state = "finished"
                            self._jobs.pop(job.id, None)
                self._changed.notify_all()

    def _fail(self, job: Job, message: str) -> None:
        job.state, job.error = "failed", message
        self._forget(job)

    def _forget(self, job: Job) -> None:
        """Take a job off every replicate it waited for."""
        self._jobs.pop(job.id, None)
        for unit in list(self._wanted):
            waiting = [j for j in self._wanted[unit] if j is not job]
            if waiting:
                self._wanted[unit] = waiting
            else:
                del self._wanted[unit]

    def _execute(self, task: Task) -> Outcome:
        """Run one replicate; an executor that breaks is replaced, and only this replicate fails."""
        generation = None
        try:
            with self._executor_lock:
                if self._runner is None:
                    self._generation += 1
                    self._stack, generation = ExitStack(), self._generation
                    self._runner = self._stack.enter_context(self._open(self.choice))
                runner, generation = self._runner, self._generation
            return list(runner([task]))[0]
        except Exception as error:  # the executor itself failed (a worker died, the cluster went away)
            with self._executor_lock:
                if generation == self._generation and self._stack is not None:
                    stack, self._stack, self._runner = self._stack, None, None
                    try:
                        stack.close()
                    except Exception:  # a broken pool may fail to shut down; it is dropped either way
                        pass
            return Outcome(task, error=f"{type(error).__name__}: {error}")
