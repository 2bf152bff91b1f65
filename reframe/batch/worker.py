"""What runs on a worker: one file converted, with the detectors kept for the next file."""

from __future__ import annotations

import atexit
import multiprocessing.util
import threading
import time
from dataclasses import replace

from ..config import AnalyzeConfig
from ..errors import ReframeError
from .backend import OutputFile, Task, WorkerProgress, WorkerResult

# Per (thread, config): Dask workers may run several tasks at once, and each
# thread keeps its own detectors for every file it gets.
_analyzers: dict = {}
_busy: set = set()
_lock = threading.Lock()
_progress_queue = None  # set in local pool workers by init_worker


def init_worker(progress_queue) -> None:
    """The local pool's initializer: progress goes back to the runner through ``progress_queue``."""
    global _progress_queue
    _progress_queue = progress_queue


def _analyzer(config: AnalyzeConfig):
    """This thread's Analyzer for ``config``: the detectors are built once per worker, not per file."""
    from ..analyze import Analyzer

    key = (threading.get_ident(), config)
    with _lock:
        analyzer = _analyzers.get(key)
        stale = [k for k in _analyzers if k[0] == key[0] and k != key]
        old = [_analyzers.pop(k) for k in stale]
    for a in old:
        a.close()
    if analyzer is None:
        analyzer = Analyzer(config)
        with _lock:
            if not _analyzers:
                # Close them while MediaPipe's dispatch threads still run: left
                # to garbage collection at exit, its finalizers fail noisily. A
                # pool worker runs multiprocessing's finalizers before joining
                # threads; elsewhere atexit is the last chance (Dask workers
                # are also asked through client.run after each batch).
                multiprocessing.util.Finalize(None, close_analyzers, exitpriority=100)
                atexit.register(close_analyzers)
            _analyzers[key] = analyzer
    return analyzer


def close_analyzers() -> int:
    """Release the detectors of this process's idle workers (also run on Dask workers after a batch)."""
    with _lock:
        idle = [k for k in _analyzers if k[0] not in _busy]
        analyzers = [_analyzers.pop(k) for k in idle]
    for a in analyzers:
        try:
            a.close()
        except Exception:  # already shutting down: nothing left to release
            pass
    return len(analyzers)


def convert_one(task: Task) -> WorkerResult:
    """Convert one file on a worker; every failure is returned, not raised, so it stays this file's."""
    from ..pipeline import convert

    started = time.perf_counter()
    q = _progress_queue
    last: list = [None, -1.0]

    def progress(stage: str, fraction: float) -> None:
        # A few updates per stage are enough for a display; the queue is shared by all workers.
        if stage != last[0] or fraction - last[1] >= 0.02 or fraction >= 1.0:
            last[0], last[1] = stage, fraction
            try:
                q.put_nowait(WorkerProgress(task.id, stage, fraction))
            except Exception:
                pass

    me = threading.get_ident()
    with _lock:
        _busy.add(me)
    try:
        analyzer = _analyzer(task.settings.analyze)
        settings = task.settings
        results = convert(
            task.source, dict(task.outputs), save_path=dict(task.saves) or None,
            analyze_config=settings.analyze, plan_config=settings.plan,
            render_config=replace(settings.render, overwrite=task.overwrite),
            progress=progress if q is not None else None, analyzer=analyzer,
        )
        outputs = tuple(
            OutputFile(aspect, str(r.path), r.path.stat().st_size) for aspect, r in zip(task.outputs, results)
        )
        return WorkerResult(time.perf_counter() - started, outputs)
    except ReframeError as e:
        return WorkerResult(time.perf_counter() - started, error=str(e), error_type=type(e).__name__)
    except (Exception, MemoryError) as e:  # a bug or an unwrapped library error: still only this file's
        return WorkerResult(
            time.perf_counter() - started, error=f"unexpected {type(e).__name__}: {e}", error_type="InternalError"
        )
    finally:
        with _lock:
            _busy.discard(me)
