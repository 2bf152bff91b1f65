"""Convert a whole catalog: many files, resumable, parallel, failure-isolated.

:func:`run_batch` converts every video under the given files, folders and
globs into an output folder that mirrors the source tree, with the options
of :func:`reframe.pipeline.convert` (several aspects included)::

    report = run_batch(["archive/"], "vertical/", {"aspect": "9:16,4:5", "crf": 22})
    report.ok, [f.error for f in report.failed]

A job ledger (SQLite, in the output folder) records every input with a
fingerprint of its content and of the options, its state, timings, outputs
and error. A second run of the same batch skips what is done and still valid,
redoes what failed or was cut short (a crash, ``kill -9``), and picks up
inputs or options that changed. Only this (client) process writes the
ledger; workers just convert and return a result.

Work runs in a local process pool (each worker builds its detectors once and
keeps them for every file it gets) or, with ``cluster=``, on a Dask
distributed cluster whose workers see the same paths (shared storage).
A file that fails, even one that crashes its worker process, is reported and
the others go on. Progress goes to a callback as :class:`BatchEvent`; the
library never prints.
"""

from __future__ import annotations

import atexit
import glob
import hashlib
import json
import multiprocessing
import multiprocessing.util
import os
import queue as queue_module
import socket
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path

from . import atomic
from .config import AnalyzeConfig, PlanConfig, RenderConfig
from .errors import Interrupted, OutputError, ReframeError, UsageError
from .pipeline import output_paths, parse_aspects

# Extensions picked up when scanning folders and globs (files named
# explicitly are tried whatever their name).
VIDEO_EXTENSIONS = frozenset(
    ".mp4 .m4v .mov .mkv .webm .avi .wmv .flv .mpg .mpeg .m2v .ts .mts .m2ts .mxf .3gp .ogv .dv".split()
)
LEDGER_NAME = ".reframe-ledger.sqlite"
REPORT_NAME = "reframe-report.json"
# The content fingerprint hashes the size and the first and last 4 MB: a
# full hash would read every byte of a multi-gigabyte master on every
# re-run, while a re-encode, replacement, truncation or append changes the
# size, the header (moov/ftyp) or the tail. Unchanged size and mtime reuse
# the recorded hash, so a re-run of an unchanged catalog reads nothing.
FINGERPRINT_EDGE = 4 << 20


def default_jobs() -> int:
    """Local workers when ``jobs`` is not given: one per usable core, at most 4.

    A conversion is multithreaded (libx264, the detectors) yet leaves cores
    idle in its serial parts (probing, decoding, the detector loop,
    planning), which a second file fills: on 2 cores, 2 workers convert
    about 1.5 times the files per minute of 1 (benchmarks/batch_throughput.py).
    More workers than cores would only add memory, since each holds its own
    detectors and frame buffers; 4 caps that on big machines (raise ``jobs``
    there if memory allows).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


# ---------------------------------------------------------------------------
# Results and events


@dataclass(frozen=True)
class BatchEvent:
    """One step of a batch, for a progress display.

    ``kind``: ``"queued"`` (will be converted), ``"skipped"`` (done before
    and still valid), ``"started"``, ``"progress"`` (``stage`` and
    ``fraction`` of the file), ``"done"``, ``"failed"`` (``message`` says
    why) or ``"finished"`` (the whole batch; ``name`` is empty).
    ``completed`` files of ``total`` are finished (done, skipped or failed).
    """

    kind: str
    name: str
    completed: int
    total: int
    stage: str | None = None
    fraction: float | None = None
    message: str | None = None


BatchProgress = Callable[[BatchEvent], None]


@dataclass(frozen=True)
class FileResult:
    """What happened to one input."""

    source: Path
    name: str  # path relative to its source folder: mirrored under the output folder
    status: str  # "converted", "skipped" (done before and still valid) or "failed"
    outputs: tuple[Path, ...] = ()
    error: str | None = None
    error_type: str | None = None  # the ReframeError subclass, e.g. "InputError"
    elapsed: float | None = None  # seconds the conversion took (this run or the one that made it)


@dataclass
class BatchReport:
    """The outcome of :func:`run_batch`; ``to_dict()`` is the JSON report."""

    out_dir: Path
    files: list[FileResult]
    options: dict
    jobs: int
    cluster: str | None
    started: float  # epoch seconds
    finished: float
    report_path: Path | None = None

    @property
    def converted(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "converted"]

    @property
    def skipped(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "skipped"]

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict:
        from . import __version__

        def stamp(t: float) -> str:
            return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds")

        return {
            "format": "reframe.batch-report",
            "version": 1,
            "reframe": __version__,
            "out_dir": str(self.out_dir),
            "started": stamp(self.started),
            "finished": stamp(self.finished),
            "elapsed": round(self.finished - self.started, 3),
            "jobs": self.jobs,
            "cluster": self.cluster,
            "options": self.options,
            "ok": self.ok,
            "counts": {k: len(getattr(self, k)) for k in ("converted", "skipped", "failed")},
            "files": [
                {
                    "source": str(f.source), "name": f.name, "status": f.status,
                    "outputs": [str(p) for p in f.outputs], "error": f.error, "error_type": f.error_type,
                    "elapsed": None if f.elapsed is None else round(f.elapsed, 3),
                }
                for f in self.files
            ],
        }

    def save(self, path: str | os.PathLike) -> Path:
        """Write the JSON report (atomically: a reader never sees half of it)."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic.write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")
        except OSError as e:
            raise OutputError(f"cannot write the report {path}: {e.strerror or e}") from e
        return path


# ---------------------------------------------------------------------------
# Options


@dataclass(frozen=True)
class _Options:
    aspects: list  # [Aspect]
    convert: dict  # keyword options for convert(), without aspect and overwrite
    overwrite: bool
    save_paths: bool
    canonical: dict  # every setting that shapes the output, defaults filled in
    fingerprint: str


def _normalize(options: Mapping) -> _Options:
    """Validate the options once, up front, and fingerprint what shapes the output."""
    from . import __version__

    opts = dict(options)
    aspects = parse_aspects(opts.pop("aspect", opts.pop("aspects", "9:16")))
    overwrite = bool(opts.pop("overwrite", False))
    save_paths = bool(opts.pop("save_paths", False))
    split: dict[type, dict] = {}
    for cls in (AnalyzeConfig, PlanConfig, RenderConfig):
        names = {f.name for f in fields(cls)} - {"aspect", "overwrite"}
        split[cls] = {k: opts.pop(k) for k in list(opts) if k in names}
    if opts:
        raise UsageError(f"unknown option(s): {', '.join(sorted(opts))}")
    analyze = asdict(AnalyzeConfig(**split[AnalyzeConfig]))
    plan = asdict(PlanConfig(**split[PlanConfig]))
    plan.pop("aspect")
    render = asdict(RenderConfig(**split[RenderConfig]))
    render.pop("overwrite")
    canonical = {
        "reframe": __version__, "aspects": [str(a) for a in aspects], "save_paths": save_paths,
        "analyze": analyze, "plan": plan, "render": render,
    }
    digest = hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()
    convert = {**split[AnalyzeConfig], **split[PlanConfig], **split[RenderConfig]}
    return _Options(aspects, convert, overwrite, save_paths, canonical, digest)


# ---------------------------------------------------------------------------
# Finding the inputs


@dataclass
class _Job:
    source: Path  # absolute
    name: str  # relative, posix
    outputs: dict = field(default_factory=dict)  # aspect text -> absolute output Path
    saves: dict = field(default_factory=dict)  # aspect text -> crop path JSON Path
    error: str | None = None
    error_type: str | None = None
    size: int = 0
    mtime_ns: int = 0
    content: str | None = None
    overwrite: bool = False
    crashes: int = 0
    id: int = 0


def _is_video(p: Path) -> bool:
    return p.suffix.lower() in VIDEO_EXTENSIONS


def _visible(rel: Path) -> bool:
    return not any(part.startswith(".") for part in rel.parts)


def _collect(sources: Iterable[str | os.PathLike], out_dir: Path) -> list[_Job]:
    """Files, folders (recursive) and globs -> jobs named by their path below their root."""
    jobs: list[_Job] = []
    seen: set[Path] = set()
    out_abs = out_dir.resolve()

    def add(path: Path, name: str) -> None:
        real = path.resolve()
        if real in seen:
            return
        seen.add(real)
        jobs.append(_Job(path.absolute(), name))

    def inside_out_dir(p: Path) -> bool:
        return p.resolve().is_relative_to(out_abs)

    for item in sources:
        text = os.fspath(item)
        p = Path(text)
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*")
                if _is_video(f) and _visible(f.relative_to(p)) and f.is_file() and not inside_out_dir(f)
            )
            if not found:
                jobs.append(_Job(p.absolute(), text, error="no video files in this folder", error_type="InputError"))
            for f in found:
                add(f, f.relative_to(p).as_posix())
        elif p.exists() or p.is_symlink():
            add(p, p.name)
        elif glob.has_magic(text):
            # Names are relative to the pattern's fixed leading folders, so
            # "shows/**/*.mov" mirrors what is below "shows".
            parts = Path(text).parts
            fixed = next(i for i, part in enumerate(parts) if glob.has_magic(part))
            root = Path(*parts[:fixed]) if fixed else Path(".")
            found = sorted(
                Path(f) for f in glob.glob(text, recursive=True)
                if Path(f).is_file() and _is_video(Path(f)) and not inside_out_dir(Path(f))
            )
            if not found:
                jobs.append(_Job(Path(text), text, error="no video file matches this pattern", error_type="InputError"))
            for f in found:
                add(f, f.relative_to(root).as_posix() if f.is_relative_to(root) else f.name)
        else:
            jobs.append(_Job(p.absolute(), text, error=f"{text}: no such file or folder", error_type="InputError"))
    return jobs


def _assign_outputs(jobs: list[_Job], out_dir: Path, opts: _Options) -> None:
    """Mirror each input's relative path under ``out_dir`` as an MP4 (one per aspect)."""
    stems: dict[str, int] = {}
    for job in jobs:
        if job.error is None:
            key = str(Path(job.name).with_suffix("")).casefold()
            stems[key] = stems.get(key, 0) + 1
    taken: dict[str, str] = {}
    for job in jobs:
        if job.error is not None:
            continue
        rel = Path(job.name)
        # clip.mov and clip.mkv side by side keep their extension in the name.
        base = rel.with_suffix(".mp4") if stems[str(rel.with_suffix("")).casefold()] == 1 else Path(f"{rel}.mp4")
        key = base.as_posix().casefold()
        if key in taken:
            job.error = f"its output {base} would collide with the output of {taken[key]}"
            job.error_type = "OutputError"
            continue
        taken[key] = str(job.source)
        paths = output_paths(out_dir / base, opts.aspects)
        job.outputs = {str(a): p for a, p in paths.items()}
        if opts.save_paths:
            job.saves = {str(a): p.with_suffix(".path.json") for a, p in paths.items()}


def _fingerprint(path: Path, size: int) -> str:
    h = hashlib.sha256(str(size).encode())
    with open(path, "rb") as f:
        h.update(f.read(FINGERPRINT_EDGE))
        if size > 2 * FINGERPRINT_EDGE:
            f.seek(size - FINGERPRINT_EDGE)
        h.update(f.read(FINGERPRINT_EDGE))
    return f"edges{FINGERPRINT_EDGE >> 20}m:{h.hexdigest()}"


# ---------------------------------------------------------------------------
# The ledger


_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    source     TEXT PRIMARY KEY,      -- absolute input path
    name       TEXT NOT NULL,         -- relative name, mirrored in the output folder
    size       INTEGER,
    mtime_ns   INTEGER,
    content    TEXT,                  -- content fingerprint (size + first/last 4 MB)
    options    TEXT,                  -- fingerprint of the normalized options + reframe version
    state      TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
    run        INTEGER,               -- runs.id that last touched it
    attempts   INTEGER NOT NULL DEFAULT 0,
    started    REAL,                  -- epoch seconds
    finished   REAL,
    elapsed    REAL,                  -- conversion seconds
    outputs    TEXT,                  -- JSON [{"aspect", "path" (relative to the output folder), "size"}]
    error      TEXT,
    error_type TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    started   REAL NOT NULL,
    finished  REAL,
    host      TEXT,
    pid       INTEGER,
    jobs      INTEGER,
    cluster   TEXT,
    options   TEXT,                   -- the normalized options, JSON
    converted INTEGER,
    skipped   INTEGER,
    failed    INTEGER
);
"""


class Ledger:
    """The job ledger of one output folder (SQLite in WAL mode).

    WAL lets anyone read the ledger (``sqlite3 .reframe-ledger.sqlite``)
    while a batch writes it, and every state change is its own committed
    transaction, so a killed run loses at most the files in flight.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
        except sqlite3.Error as e:
            raise OutputError(f"cannot open the batch ledger {self.path}: {e}") from e

    def close(self) -> None:
        self.db.close()

    def get(self, source: Path) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM files WHERE source = ?", (str(source),)).fetchone()

    def rows(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM files ORDER BY name").fetchall()

    def reset_interrupted(self) -> int:
        """Files left 'running' by a run that died: failed, so they are redone."""
        cur = self.db.execute(
            "UPDATE files SET state = 'failed', error = 'interrupted: the run converting it ended early', "
            "error_type = 'Interrupted' WHERE state = 'running'"
        )
        return cur.rowcount

    def start_run(self, jobs: int, cluster: str | None, options: dict) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (started, host, pid, jobs, cluster, options) VALUES (?, ?, ?, ?, ?, ?)",
            (time.time(), socket.gethostname(), os.getpid(), jobs, cluster, json.dumps(options, default=str)),
        )
        return int(cur.lastrowid)

    def finish_run(self, run: int, converted: int, skipped: int, failed: int) -> None:
        self.db.execute(
            "UPDATE runs SET finished = ?, converted = ?, skipped = ?, failed = ? WHERE id = ?",
            (time.time(), converted, skipped, failed, run),
        )

    def put(self, job: _Job, options_fp: str, state: str, run: int, outputs: list[dict], **extra) -> None:
        values = {
            "source": str(job.source), "name": job.name, "size": job.size, "mtime_ns": job.mtime_ns,
            "content": job.content, "options": options_fp, "state": state, "run": run,
            "outputs": json.dumps(outputs), "error": None, "error_type": None, **extra,
        }
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        updates = ", ".join(f"{c} = excluded.{c}" for c in values if c != "source")
        self.db.execute(
            f"INSERT INTO files ({cols}) VALUES ({marks}) ON CONFLICT (source) DO UPDATE SET {updates}",
            tuple(values.values()),
        )

    def mark_running(self, job: _Job, run: int) -> None:
        self.db.execute(
            "UPDATE files SET state = 'running', run = ?, attempts = attempts + 1, started = ?, finished = NULL, "
            "error = NULL, error_type = NULL WHERE source = ?",
            (run, time.time(), str(job.source)),
        )

    def mark_done(self, job: _Job, outputs: list[dict], elapsed: float) -> None:
        self.db.execute(
            "UPDATE files SET state = 'done', finished = ?, elapsed = ?, outputs = ?, error = NULL, "
            "error_type = NULL WHERE source = ?",
            (time.time(), elapsed, json.dumps(outputs), str(job.source)),
        )

    def mark_failed(self, job: _Job, error: str, error_type: str | None, elapsed: float | None) -> None:
        self.db.execute(
            "UPDATE files SET state = 'failed', finished = ?, elapsed = ?, error = ?, error_type = ? "
            "WHERE source = ?",
            (time.time(), elapsed, error, error_type, str(job.source)),
        )


class _FolderLock:
    """One batch at a time per output folder; the OS drops the lock when the process dies (even ``kill -9``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def __enter__(self) -> _FolderLock:
        try:
            import fcntl
        except ImportError:  # no flock (Windows): run unguarded
            return self
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            self.fd = None
            raise OutputError(f"another reframe batch is writing to {self.path.parent}; wait for it to finish") from None
        except OSError as e:
            raise OutputError(f"cannot lock {self.path}: {e.strerror or e}") from e
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _clean_partials(out_dir: Path) -> int:
    """Remove the partial files of killed runs (videos, crop paths, reports: every file is
    renamed into place only when complete, :mod:`reframe.atomic`)."""
    removed = 0
    for p in out_dir.rglob("*.partial"):
        if atomic.is_partial(p) and p.is_file():
            try:
                p.unlink()
                removed += 1
            except OSError:
                pass
    return removed


# ---------------------------------------------------------------------------
# Workers


# Per (thread, config): Dask workers may run several tasks at once, and each
# thread keeps its own detectors for every file it gets.
_analyzers: dict = {}
_busy: set = set()
_lock = threading.Lock()
_progress_queue = None  # set in local pool workers by _init_worker


def _init_worker(progress_queue) -> None:
    global _progress_queue
    _progress_queue = progress_queue


def _analyzer(config: AnalyzeConfig):
    """This thread's Analyzer for ``config``: the detectors are built once per worker, not per file."""
    from .analyze import Analyzer

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
                multiprocessing.util.Finalize(None, _close_analyzers, exitpriority=100)
                atexit.register(_close_analyzers)
            _analyzers[key] = analyzer
    return analyzer


def _close_analyzers() -> int:
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


def convert_one(
    job_id: int,
    source: str,
    outputs: Mapping[str, str],
    saves: Mapping[str, str],
    options: Mapping,
    overwrite: bool,
) -> dict:
    """Convert one file on a worker; every failure is returned, not raised, so it stays this file's.

    Returns ``{"ok": True, "outputs": [...], "elapsed": s}`` or
    ``{"ok": False, "error": message, "error_type": class name, "elapsed": s}``.
    """
    from .pipeline import convert

    started = time.perf_counter()
    q = _progress_queue
    last: list = [None, -1.0]

    def progress(stage: str, fraction: float) -> None:
        # A few updates per stage are enough for a display; the queue is shared by all workers.
        if stage != last[0] or fraction - last[1] >= 0.02 or fraction >= 1.0:
            last[0], last[1] = stage, fraction
            try:
                q.put_nowait((job_id, stage, fraction))
            except Exception:
                pass

    me = threading.get_ident()
    with _lock:
        _busy.add(me)
    try:
        names = {f.name for f in fields(AnalyzeConfig)}
        analyzer = _analyzer(AnalyzeConfig(**{k: v for k, v in options.items() if k in names}))
        results = convert(
            source, dict(outputs), save_paths=dict(saves) or None, progress=progress if q is not None else None,
            analyzer=analyzer, overwrite=overwrite, **options,
        )
        out = [
            {"aspect": aspect, "path": str(r.path), "size": r.path.stat().st_size, "width": r.width,
             "height": r.height, "duration": r.duration}
            for aspect, r in zip(outputs, results)
        ]
        return {"ok": True, "outputs": out, "elapsed": time.perf_counter() - started}
    except ReframeError as e:
        return {"ok": False, "error": str(e), "error_type": type(e).__name__, "elapsed": time.perf_counter() - started}
    except (Exception, MemoryError) as e:  # a bug or an unwrapped library error: still only this file's
        return {
            "ok": False, "error": f"unexpected {type(e).__name__}: {e}", "error_type": "InternalError",
            "elapsed": time.perf_counter() - started,
        }
    finally:
        with _lock:
            _busy.discard(me)


class _LocalPool:
    """A spawn-context process pool: no inherited threads or locks, the same on every platform."""

    def __init__(self, jobs: int) -> None:
        self.ctx = multiprocessing.get_context("spawn")
        self.queue = self.ctx.Queue()
        self.slots = jobs
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.slots, mp_context=self.ctx, initializer=_init_worker, initargs=(self.queue,))

    def submit(self, job: _Job, options: Mapping):
        return self.pool.submit(
            convert_one, job.id, str(job.source), {a: str(p) for a, p in job.outputs.items()},
            {a: str(p) for a, p in job.saves.items()}, dict(options), job.overwrite,
        )

    def poll(self, timeout: float) -> list[tuple[int, str, float]]:
        updates = []
        try:
            updates.append(self.queue.get(timeout=timeout))
            while True:
                updates.append(self.queue.get_nowait())
        except (queue_module.Empty, OSError, EOFError):
            pass
        return updates

    def restart(self) -> None:
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


class _DaskCluster:
    """The same jobs on a Dask distributed cluster; results come back to this process, which keeps the ledger."""

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

    def submit(self, job: _Job, options: Mapping):
        fut = self.client.submit(
            convert_one, job.id, str(job.source), {a: str(p) for a, p in job.outputs.items()},
            {a: str(p) for a, p in job.saves.items()}, dict(options), job.overwrite,
            pure=False, key=f"reframe-{job.id}-{os.getpid()}-{time.monotonic_ns()}",
        )
        self.futures.append(fut)
        return fut

    def poll(self, timeout: float) -> list:
        time.sleep(timeout)
        return []

    def restart(self) -> None:
        pass

    def close(self, cancel: bool = False) -> None:
        if cancel:
            try:
                self.client.cancel([f for f in self.futures if not f.done()])
            except Exception:
                pass
        else:
            try:
                self.client.run(_close_analyzers)
            except Exception:  # a worker gone: its detectors went with it
                pass
        self.futures.clear()
        if self.own:
            self.client.close()


def _address(cluster) -> str | None:
    if cluster is None or isinstance(cluster, str):
        return cluster
    return getattr(cluster, "scheduler_address", None) or str(cluster)


# ---------------------------------------------------------------------------
# The batch


def run_batch(
    sources: Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    options: Mapping | None = None,
    *,
    jobs: int | None = None,
    cluster=None,
    force: bool = False,
    report: str | os.PathLike | None = None,
    progress: BatchProgress | None = None,
) -> BatchReport:
    """Convert every video in ``sources`` into ``out_dir``, mirroring their folders.

    ``sources``: files, folders (searched recursively for video extensions)
    and glob patterns (``"shows/**/*.mov"``). ``options``: those of
    :func:`reframe.pipeline.convert` (``aspect`` may list several, e.g.
    ``"9:16,4:5"``; then each file gets ``<name>_9x16.mp4`` and so on), plus
    ``save_paths=True`` to keep each crop path JSON beside its output.
    ``overwrite``: also replace existing outputs the ledger does not know
    (outputs the batch made itself are replaced when their input or options
    change). ``force``: convert again even what the ledger shows done.

    ``jobs``: local worker processes (default :func:`default_jobs`).
    ``cluster``: a Dask scheduler address (``"tcp://host:8786"``), a
    ``distributed.Client`` or a ``LocalCluster``: the workers must see the
    sources and ``out_dir`` under the same paths.

    The JSON report goes to ``report`` (default ``out_dir/reframe-report.json``).
    Raises :class:`UsageError` for bad options, :class:`OutputError` when
    ``out_dir`` cannot be written or another batch is writing to it, and
    :class:`Interrupted` on Ctrl-C (finished files stay done; run again to
    convert the rest). A file that fails does not raise: it is in
    ``report.failed`` with its reason.
    """
    opts = _normalize(options or {})
    if jobs is not None and jobs < 1:
        raise UsageError("jobs must be at least 1")
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create the output folder {out_dir}: {e.strerror or e}") from e
    out_dir = out_dir.resolve()
    emit = progress or (lambda event: None)
    started = time.time()

    with _FolderLock(out_dir / f"{LEDGER_NAME}.lock"):
        ledger = Ledger(out_dir / LEDGER_NAME)
        try:
            # Holding the lock, nothing here belongs to a live run: what is
            # 'running' or '.partial' was left by a killed one.
            ledger.reset_interrupted()
            _clean_partials(out_dir)
            all_jobs = _collect(sources, out_dir)
            for i, job in enumerate(all_jobs):
                job.id = i
            _assign_outputs(all_jobs, out_dir, opts)
            n_workers = jobs or (1 if cluster is not None else default_jobs())
            run = ledger.start_run(n_workers, _address(cluster), opts.canonical)
            results: dict[int, FileResult] = {}
            todo = _triage(all_jobs, ledger, opts, run, force, out_dir, results, emit)
            if todo:
                _execute(todo, ledger, run, opts, jobs, cluster, out_dir, results, emit, len(all_jobs))
            files = [results[j.id] for j in all_jobs]
            done = BatchReport(out_dir, files, opts.canonical, n_workers, _address(cluster), started, time.time())
            ledger.finish_run(run, len(done.converted), len(done.skipped), len(done.failed))
        finally:
            ledger.close()
    done.report_path = done.save(report if report is not None else out_dir / REPORT_NAME)
    emit(BatchEvent("finished", "", len(files), len(files)))
    return done


def _relative_outputs(job: _Job, out_dir: Path, sizes: Mapping[str, int] | None = None) -> list[dict]:
    return [
        {"aspect": a, "path": p.relative_to(out_dir).as_posix(), "size": (sizes or {}).get(str(p))}
        for a, p in job.outputs.items()
    ]


def _triage(
    jobs: list[_Job], ledger: Ledger, opts: _Options, run: int, force: bool, out_dir: Path,
    results: dict[int, FileResult], emit: BatchProgress,
) -> list[_Job]:
    """Decide for each input: failed already, skipped (done and valid), or to convert."""
    total = len(jobs)
    todo: list[_Job] = []

    def fail(job: _Job, error: str, error_type: str) -> None:
        results[job.id] = FileResult(job.source, job.name, "failed", error=error, error_type=error_type)
        emit(BatchEvent("failed", job.name, len(results), total, message=error))

    for job in jobs:
        if job.error is not None:
            fail(job, job.error, job.error_type or "InputError")
            continue
        row = ledger.get(job.source)
        try:
            st = job.source.stat()
            job.size, job.mtime_ns = st.st_size, st.st_mtime_ns
            if row is not None and row["content"] and (row["size"], row["mtime_ns"]) == (job.size, job.mtime_ns):
                job.content = row["content"]
            else:
                job.content = _fingerprint(job.source, job.size)
        except OSError as e:
            fail(job, f"cannot read {job.source}: {e.strerror or e}", "InputError")
            continue
        recorded = json.loads(row["outputs"]) if row is not None and row["outputs"] else []
        if not force and row is not None and _still_valid(row, recorded, job, opts, out_dir):
            outs = tuple(out_dir / o["path"] for o in recorded)
            results[job.id] = FileResult(job.source, job.name, "skipped", outs, elapsed=row["elapsed"])
            emit(BatchEvent("skipped", job.name, len(results), total))
            continue
        # Outputs this ledger recorded for this input are the batch's own to replace;
        # anything else under those names needs overwrite.
        ours = {out_dir / o["path"] for o in recorded}
        foreign = [p for p in job.outputs.values() if (p.exists() or p.is_symlink()) and p not in ours]
        if foreign and not opts.overwrite:
            fail(job, f"{foreign[0]} already exists and was not made by this batch; allow overwriting to replace it",
                 "OutputError")
            continue
        job.overwrite = True if opts.overwrite else any(p.exists() for p in job.outputs.values())
        ledger.put(job, opts.fingerprint, "pending", run, _relative_outputs(job, out_dir))
        todo.append(job)
        emit(BatchEvent("queued", job.name, len(results), total))
    return todo


def _still_valid(row: sqlite3.Row, recorded: list[dict], job: _Job, opts: _Options, out_dir: Path) -> bool:
    if row["state"] != "done" or row["content"] != job.content or row["options"] != opts.fingerprint:
        return False
    wanted = {p.relative_to(out_dir).as_posix() for p in job.outputs.values()}
    if {o["path"] for o in recorded} != wanted:
        return False
    for o in recorded:
        try:
            if (out_dir / o["path"]).stat().st_size != o["size"]:
                return False
        except OSError:
            return False
    return all(p.exists() for p in job.saves.values())


def _execute(
    todo: list[_Job], ledger: Ledger, run: int, opts: _Options, jobs: int | None, cluster, out_dir: Path,
    results: dict[int, FileResult], emit: BatchProgress, total: int,
) -> None:
    backend = _DaskCluster(cluster, jobs) if cluster is not None else _LocalPool(jobs or default_jobs())
    by_id = {j.id: j for j in todo}
    waiting = deque(todo)
    inflight: dict = {}  # future -> job
    cancelled = True
    try:
        while waiting or inflight:
            # A job whose worker died once runs alone next time, so a second
            # death is surely its own and no other file is blamed.
            while waiting and len(inflight) < backend.slots:
                if inflight and (waiting[0].crashes or any(j.crashes for j in inflight.values())):
                    break
                job = waiting.popleft()
                ledger.mark_running(job, run)
                inflight[backend.submit(job, opts.convert)] = job
                emit(BatchEvent("started", job.name, len(results), total))
            for job_id, stage, fraction in backend.poll(0.2):
                if job_id in by_id and by_id[job_id].id not in results:
                    emit(BatchEvent("progress", by_id[job_id].name, len(results), total, stage, fraction))
            broken = False
            for fut in [f for f in inflight if f.done()]:
                job = inflight.pop(fut)
                try:
                    res = fut.result()
                except BrokenProcessPool:
                    broken = True
                    inflight[fut] = job  # handled with the rest of the pool below
                    continue
                except Exception as e:  # e.g. a Dask worker lost on every retry
                    res = {"ok": False, "error": f"worker failure: {type(e).__name__}: {e}",
                           "error_type": "InternalError", "elapsed": None}
                _record(job, res, ledger, out_dir, results, emit, total)
            if broken:
                # A worker died (a crash in native code, the OOM killer) and took
                # the pool with it: every file in flight is suspect once.
                for job in reversed(list(inflight.values())):
                    job.crashes += 1
                    if job.crashes < 2:
                        waiting.appendleft(job)
                    else:
                        _record(job, {"ok": False, "error": "its worker process died while converting it, twice",
                                      "error_type": "InternalError", "elapsed": None},
                                ledger, out_dir, results, emit, total)
                inflight.clear()
                backend.restart()
        cancelled = False
    except KeyboardInterrupt:
        for job in inflight.values():
            ledger.mark_failed(job, "interrupted", "Interrupted", None)
        raise Interrupted(
            f"batch interrupted; {sum(r.status != 'failed' for r in results.values())} of {total} files are done, "
            "run the same command again to convert the rest"
        ) from None
    finally:
        backend.close(cancel=cancelled)
        if cancelled:
            _clean_partials(out_dir)


def _record(
    job: _Job, res: dict, ledger: Ledger, out_dir: Path, results: dict[int, FileResult], emit: BatchProgress,
    total: int,
) -> None:
    if res["ok"]:
        sizes = {o["path"]: o["size"] for o in res["outputs"]}
        ledger.mark_done(job, _relative_outputs(job, out_dir, sizes), res["elapsed"])
        results[job.id] = FileResult(
            job.source, job.name, "converted", tuple(job.outputs.values()), elapsed=res["elapsed"]
        )
        emit(BatchEvent("done", job.name, len(results), total))
    else:
        ledger.mark_failed(job, res["error"], res["error_type"], res["elapsed"])
        results[job.id] = FileResult(
            job.source, job.name, "failed", error=res["error"], error_type=res["error_type"], elapsed=res["elapsed"]
        )
        emit(BatchEvent("failed", job.name, len(results), total, message=res["error"]))
