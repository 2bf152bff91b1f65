"""The Dask backend: the same tasks on a Dask distributed cluster (``pip install 'reframe[cluster]'``).

The workers must see the sources and the output folder under the same paths
(shared storage); results come back to this process, which keeps the ledger.
"""

from __future__ import annotations

import os
import time

from ..errors import UsageError
from .backend import Task, WorkerProgress, WorkerResult
from .worker import close_analyzers, convert_one


class DaskBackend:
    """Tasks on a Dask cluster given as a scheduler address, a ``distributed.Client`` or a ``LocalCluster``."""

    def __init__(self, cluster, jobs: int | None) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise UsageError("running on a cluster needs Dask: pip install 'reframe[cluster]'") from None
        self.own = not isinstance(cluster, Client)
        if self.own:
            try:
                self.client = Client(cluster, timeout="20s")
            except (OSError, TimeoutError, ValueError) as e:
                raise UsageError(f"cannot reach the Dask scheduler at {cluster}: {e}") from e
        else:
            self.client = cluster
        threads = sum(self.client.nthreads().values())
        # Keep about one task per worker thread in flight, so "running" in the ledger means running.
        self.slots = jobs or max(1, threads)
        self.futures: list = []

    def submit(self, task: Task):
        fut = self.client.submit(
            convert_one, task, pure=False, key=f"reframe-{task.id}-{os.getpid()}-{time.monotonic_ns()}"
        )
        self.futures.append(fut)
        return fut

    def result(self, pending) -> WorkerResult:
        return pending.result()

    def poll(self, timeout: float) -> list[WorkerProgress]:
        # Progress does not cross the cluster: only a file's start and end are seen.
        time.sleep(timeout)
        return []

    def restart(self) -> None:
        pass  # a lost Dask worker does not stop the others: nothing to start again

    def close(self, cancel: bool = False) -> None:
        if cancel:
            try:
                self.client.cancel([f for f in self.futures if not f.done()])
            except Exception:
                pass
        else:
            try:
                self.client.run(close_analyzers)
            except Exception:  # a worker gone: its detectors went with it
                pass
        self.futures.clear()
        if self.own:
            self.client.close()
