"""The local backend: a pool of worker processes on this machine."""

from __future__ import annotations

import multiprocessing
import queue as queue_module
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .backend import Task, WorkerDied, WorkerProgress, WorkerResult
from .worker import convert_one, init_worker


class LocalPool:
    """A spawn-context process pool: no inherited threads or locks, the same on every platform.

    Each worker process builds its detectors once and keeps them for every
    file it gets; progress comes back through one queue shared by all.
    """

    def __init__(self, jobs: int) -> None:
        self.ctx = multiprocessing.get_context("spawn")
        self.queue = self.ctx.Queue()
        self.slots = jobs
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.slots, mp_context=self.ctx, initializer=init_worker, initargs=(self.queue,))

    def submit(self, task: Task) -> Future:
        return self.pool.submit(convert_one, task)

    def result(self, pending: Future) -> WorkerResult:
        try:
            return pending.result()
        except BrokenProcessPool:
            raise WorkerDied("a worker process died") from None

    def poll(self, timeout: float) -> list[WorkerProgress]:
        updates = []
        try:
            updates.append(self.queue.get(timeout=timeout))
            while True:
                updates.append(self.queue.get_nowait())
        except (queue_module.Empty, OSError, EOFError):
            pass
        return updates

    def restart(self) -> None:
        # A dead worker breaks the whole executor: it accepts no more work.
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new_pool()

    def close(self, cancel: bool = False) -> None:
        if cancel:
            # Workers may be mid-file; stop them now (their .partial files are cleaned up).
            for p in list((getattr(self.pool, "_processes", None) or {}).values()):
                try:
                    p.terminate()
                except Exception:
                    pass
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.queue.close()
        self.queue.cancel_join_thread()
