"""Where replicates run: in this process, on a local process pool, or on a Dask cluster.

Every executor takes the same tasks and yields each result as soon as it is
done, so finished replicates reach the disk while others still run. A task
is one replicate of one scenario; its randomness depends on (seed, replicate)
only, so results are bit-identical whichever executor runs them.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass

from model.experiments.runner import RunResult, simulate
from model.inputs.scenario import Scenario


@dataclass(frozen=True)
class Task:
    """One replicate of one scenario."""

    scenario: Scenario
    replicate: int
    seed: int | None = None


@dataclass
class Outcome:
    """What became of a task: its result, or the error it raised."""

    task: Task
    result: RunResult | None = None
    error: str | None = None


def run_task(task: Task) -> RunResult:
    """Run one task (the function every executor calls)."""
    return simulate(task.scenario, replicate=task.replicate, seed=task.seed)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


@dataclass(frozen=True)
class ExecutorChoice:
    """How to run: `workers` local processes (1: in this process), a local Dask cluster, or a scheduler."""

    workers: int | None = None
    dask_local: int | None = None
    scheduler: str | None = None

    def describe(self) -> str:
        """In words, for manifests and reports."""
        if self.scheduler:
            return f"Dask cluster at {self.scheduler}"
        if self.dask_local:
            return f"local Dask cluster of {self.dask_local} workers"
        workers = self.workers or os.cpu_count() or 1
        return "this process" if workers == 1 else f"local process pool of {workers} workers"


@contextmanager
def executor(choice: ExecutorChoice) -> Iterator:
    """A function that runs tasks and yields their outcomes as they finish."""
    if choice.scheduler or choice.dask_local:
        with _dask(choice) as run:
            yield run
        return
    workers = choice.workers or os.cpu_count() or 1
    if workers == 1:
        yield _serial
        return
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, context, initializer=follow_parent, initargs=(os.getpid(),))

    def run(tasks: list[Task]) -> Iterator[Outcome]:
        futures = {pool.submit(run_task, task): task for task in tasks}
        for future in as_completed(futures):
            error = future.exception()
            task = futures[future]
            yield Outcome(task, error=_describe(error)) if error else Outcome(task, result=future.result())

    try:
        yield run
    except BaseException:
        stop_now(pool)  # Ctrl-C or a failure: waiting for the queued tasks would go on for minutes
        raise
    finally:
        pool.shutdown(wait=True)


def stop_now(pool: ProcessPoolExecutor) -> None:
    """Cancel the queued tasks and end the running ones (their results are lost; finished ones are kept)."""
    pool.shutdown(wait=False, cancel_futures=True)
    for process in list((getattr(pool, "_processes", None) or {}).values()):  # Python 3.11 has no public way
        process.terminate()


def follow_parent(parent: int) -> None:
    """Worker initialiser: end the worker once its parent is gone.

    A job killed outright (SIGKILL, a closed terminal) cannot stop its pool; without this
    its workers would finish their task, a replicate or a whole calibration candidate,
    as orphans.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="follow-parent").start()


def _serial(tasks: list[Task]) -> Iterator[Outcome]:
    for task in tasks:
        try:
            yield Outcome(task, result=run_task(task))
        except Exception as error:  # a failing replicate is reported; the others go on
            yield Outcome(task, error=_describe(error))


@contextmanager
def _dask(choice: ExecutorChoice) -> Iterator:
    import dask
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    if choice.scheduler:
        client = Client(choice.scheduler)
        cluster = None
    else:
        # Dask's nannies set MALLOC_TRIM_THRESHOLD_ for their workers; any explicit value turns off
        # glibc's adaptive mmap threshold, so every array above 128 kB is mapped and faulted in anew,
        # and a replicate (many such temporary arrays) runs about 60 % slower. Keep glibc's default.
        with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
            cluster = LocalCluster(
                n_workers=choice.dask_local, threads_per_worker=1, processes=True, dashboard_address=None
            )
        client = Client(cluster)
    try:

        def run(tasks: list[Task]) -> Iterator[Outcome]:
            futures = {client.submit(run_task, task, pure=False): task for task in tasks}
            # Results travel back as they finish, not one request per result when asked for.
            for future, result in dask_completed(list(futures), with_results=True, raise_errors=False):
                task = futures[future]
                if future.status == "error":
                    yield Outcome(task, error=_describe(future.exception()))
                else:
                    yield Outcome(task, result=result)
                future.release()

        yield run
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
