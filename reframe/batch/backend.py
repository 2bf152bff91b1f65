"""Where conversions run: the interface the runner drives, and what passes between it and the workers.

Two backends implement it: :class:`reframe.batch.pool.LocalPool` (worker
processes on this machine) and :class:`reframe.batch.cluster.DaskBackend`
(a Dask distributed cluster). Workers only convert and return a
:class:`WorkerResult`; the runner, in the client process, keeps the ledger.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from .settings import BatchSettings


@dataclass(frozen=True)
class Task:
    """One file to convert, as sent to a worker (plain paths: it is pickled to another process or machine)."""

    id: int
    source: str
    outputs: dict[str, str]  # aspect text -> output path
    saves: dict[str, str]  # aspect text -> crop path JSON path
    settings: BatchSettings
    overwrite: bool  # replace what exists under an output name


@dataclass(frozen=True)
class OutputFile:
    """One file a worker wrote."""

    aspect: str
    path: str
    size: int  # bytes


@dataclass(frozen=True)
class WorkerResult:
    """What became of a task: its outputs, or why it failed (a failure is returned, never raised)."""

    elapsed: float | None  # seconds the conversion took; None when unknown
    outputs: tuple[OutputFile, ...] = ()
    error: str | None = None
    error_type: str | None = None  # the ReframeError subclass, e.g. "InputError"; "InternalError" for a bug

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class WorkerProgress:
    """How far a task has got, for the runner's progress events."""

    task_id: int
    stage: str
    fraction: float


class WorkerDied(Exception):
    """The process converting a task died (a crash in native code, the OOM killer) with every task it held."""


class Pending(Protocol):
    """A submitted task (a concurrent.futures or Dask future)."""

    def done(self) -> bool: ...


@runtime_checkable
class Backend(Protocol):
    """Runs tasks somewhere; the runner keeps up to ``slots`` of them in flight."""

    slots: int

    def submit(self, task: Task) -> Pending: ...

    def result(self, pending: Pending) -> WorkerResult:
        """The result of a finished task. Raises :class:`WorkerDied` when its worker died, so that the
        runner can retry the tasks that were in flight; any other exception fails this task alone."""
        ...

    def poll(self, timeout: float) -> list[WorkerProgress]:
        """Progress reported since the last call, waiting up to ``timeout`` seconds for some."""
        ...

    def restart(self) -> None:
        """Start again after :class:`WorkerDied`; the tasks that were in flight are forgotten."""
        ...

    def close(self, cancel: bool = False) -> None:
        """Release the workers; ``cancel`` stops tasks still running (their partial files are left to clean)."""
        ...


def default_jobs() -> int:
    """Local workers when ``jobs`` is not given: one per usable core, at most 4.

    A conversion is multithreaded (libx264, the detectors) yet leaves cores
    idle in its serial parts (probing, decoding, the detector loop,
    planning), which a second file fills (benchmarks/batch_throughput.py
    measures it). More workers than cores would only add memory, since each
    holds its own detectors and frame buffers; 4 caps that on big machines
    (raise ``jobs`` there if memory allows).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def cluster_address(cluster) -> str | None:
    """The scheduler address of a ``cluster`` argument, as the ledger and report name it."""
    if cluster is None or isinstance(cluster, str):
        return cluster
    return getattr(cluster, "scheduler_address", None) or str(cluster)


def open_backend(jobs: int | None, cluster) -> Backend:
    """The local pool, or the Dask cluster when ``cluster`` is given (imported only then: Dask is optional)."""
    if cluster is not None:
        from .cluster import DaskBackend

        return DaskBackend(cluster, jobs)
    from .pool import LocalPool

    return LocalPool(jobs or default_jobs())
