"""The batch runner: triage against the ledger, then the conversions on a backend, then the report."""

from __future__ import annotations

import json
import os
import sqlite3
import time
import warnings
from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import Interrupted, OutputError, UsageError
from .backend import Backend, Task, WorkerDied, WorkerResult, cluster_address, default_jobs, open_backend
from .inputs import Job, assign_outputs, collect
from .ledger import LEDGER_NAME, FolderLock, Ledger, clean_partials
from .report import REPORT_NAME, BatchEvent, BatchProgress, BatchReport, FileResult
from .settings import BatchSettings


def run_batch(
    sources: Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    settings: BatchSettings | Mapping | None = None,
    *,
    jobs: int | None = None,
    cluster=None,
    force: bool = False,
    report: str | os.PathLike | None = None,
    progress: BatchProgress | None = None,
) -> BatchReport:
    """Convert every video in ``sources`` into ``out_dir``, mirroring their folders.

    ``sources``: files, folders (searched recursively for video extensions)
    and glob patterns (``"shows/**/*.mov"``). ``settings``: a
    :class:`BatchSettings` (the analysis, plan and render configs, and the
    aspects: with several, each file gets ``<name>_9x16.mp4`` and so on);
    the flat options of :func:`reframe.pipeline.convert` as a mapping still
    work, with a DeprecationWarning. ``settings.render.overwrite``: also
    replace existing outputs the ledger does not know (outputs the batch
    made itself are replaced when their input or settings change).
    ``force``: convert again even what the ledger shows done.

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
    if settings is None:
        settings = BatchSettings()
    elif not isinstance(settings, BatchSettings):
        warnings.warn(
            "run_batch with a mapping of options is deprecated; pass a BatchSettings", DeprecationWarning, stacklevel=2
        )
        settings = BatchSettings.from_options(settings)
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
    address = cluster_address(cluster)

    with FolderLock(out_dir / f"{LEDGER_NAME}.lock"):
        ledger = Ledger(out_dir / LEDGER_NAME)
        try:
            # Holding the lock, nothing here belongs to a live run: what is
            # 'running' or '.partial' was left by a killed one.
            ledger.reset_interrupted()
            clean_partials(out_dir)
            all_jobs = collect(sources, out_dir)
            for i, job in enumerate(all_jobs):
                job.id = i
            assign_outputs(all_jobs, out_dir, settings)
            n_workers = jobs or (1 if cluster is not None else default_jobs())
            run = ledger.start_run(n_workers, address, settings.canonical())
            batch = _Batch(ledger, run, settings, out_dir, len(all_jobs), emit)
            todo = batch.triage(all_jobs, force)
            if todo:
                # The backend is opened only when there is work: a run with nothing to do needs no cluster.
                batch.execute(todo, open_backend(jobs, cluster))
            files = [batch.results[j.id] for j in all_jobs]
            done = BatchReport(out_dir, files, settings.canonical(), n_workers, address, started, time.time())
            ledger.finish_run(run, len(done.converted), len(done.skipped), len(done.failed))
        finally:
            ledger.close()
    done.report_path = done.save(report if report is not None else out_dir / REPORT_NAME)
    emit(BatchEvent("finished", "", len(files), len(files)))
    return done


class _Batch:
    """One run over the jobs: decides what to convert, drives the backend, records each outcome."""

    def __init__(
        self, ledger: Ledger, run: int, settings: BatchSettings, out_dir: Path, total: int, emit: BatchProgress
    ) -> None:
        self.ledger = ledger
        self.run = run  # the ledger's runs.id
        self.settings = settings
        self.out_dir = out_dir
        self.total = total
        self.emit = emit
        self.results: dict[int, FileResult] = {}  # by job id

    def event(self, kind: str, job: Job, **details) -> None:
        self.emit(BatchEvent(kind, job.name, len(self.results), self.total, **details))

    def relative_outputs(self, job: Job, sizes: Mapping[str, int] | None = None) -> list[dict]:
        """The ledger's record of a job's outputs: paths relative to the output folder, sizes when known."""
        return [
            {"aspect": a, "path": p.relative_to(self.out_dir).as_posix(), "size": (sizes or {}).get(str(p))}
            for a, p in job.outputs.items()
        ]

    def triage(self, jobs: list[Job], force: bool) -> list[Job]:
        """Decide for each input: failed already, skipped (done and valid), or to convert."""
        todo: list[Job] = []
        for job in jobs:
            if job.error is not None:
                self.fail(job, job.error, job.error_type or "InputError")
                continue
            row = self.ledger.get(job.source)
            try:
                job.identify(row)
            except OSError as e:
                self.fail(job, f"cannot read {job.source}: {e.strerror or e}", "InputError")
                continue
            recorded = json.loads(row["outputs"]) if row is not None and row["outputs"] else []
            if not force and row is not None and self.still_valid(row, recorded, job):
                outs = tuple(self.out_dir / o["path"] for o in recorded)
                self.results[job.id] = FileResult(job.source, job.name, "skipped", outs, elapsed=row["elapsed"])
                self.event("skipped", job)
                continue
            # Outputs this ledger recorded for this input are the batch's own to replace;
            # anything else under those names needs overwrite.
            ours = {self.out_dir / o["path"] for o in recorded}
            foreign = [p for p in job.outputs.values() if (p.exists() or p.is_symlink()) and p not in ours]
            overwrite = self.settings.render.overwrite
            if foreign and not overwrite:
                self.fail(job, f"{foreign[0]} already exists and was not made by this batch; "
                          "allow overwriting to replace it", "OutputError")
                continue
            job.overwrite = True if overwrite else any(p.exists() for p in job.outputs.values())
            self.ledger.put(job, self.settings.fingerprint, "pending", self.run, self.relative_outputs(job))
            todo.append(job)
            self.event("queued", job)
        return todo

    def still_valid(self, row: sqlite3.Row, recorded: list[dict], job: Job) -> bool:
        if row["state"] != "done" or row["content"] != job.content or row["options"] != self.settings.fingerprint:
            return False
        wanted = {p.relative_to(self.out_dir).as_posix() for p in job.outputs.values()}
        if {o["path"] for o in recorded} != wanted:
            return False
        for o in recorded:
            try:
                if (self.out_dir / o["path"]).stat().st_size != o["size"]:
                    return False
            except OSError:
                return False
        return all(p.exists() for p in job.saves.values())

    def task(self, job: Job) -> Task:
        return Task(
            job.id, str(job.source), {a: str(p) for a, p in job.outputs.items()},
            {a: str(p) for a, p in job.saves.items()}, self.settings, job.overwrite,
        )

    def execute(self, todo: list[Job], backend: Backend) -> None:
        """Convert ``todo`` on ``backend``, keeping its slots full; record each file as it finishes."""
        by_id = {j.id: j for j in todo}
        waiting = deque(todo)
        inflight: dict = {}  # pending task -> job
        cancelled = True
        try:
            while waiting or inflight:
                # A job whose worker died once runs alone next time, so a second
                # death is surely its own and no other file is blamed.
                while waiting and len(inflight) < backend.slots:
                    if inflight and (waiting[0].crashes or any(j.crashes for j in inflight.values())):
                        break
                    job = waiting.popleft()
                    self.ledger.mark_running(job, self.run)
                    inflight[backend.submit(self.task(job))] = job
                    self.event("started", job)
                for update in backend.poll(0.2):
                    job = by_id.get(update.task_id)
                    if job is not None and job.id not in self.results:
                        self.event("progress", job, stage=update.stage, fraction=update.fraction)
                died = False
                for pending in [p for p in inflight if p.done()]:
                    job = inflight.pop(pending)
                    try:
                        res = backend.result(pending)
                    except WorkerDied:
                        died = True
                        inflight[pending] = job  # handled with the rest in flight below
                        continue
                    except Exception as e:  # e.g. a Dask worker lost on every retry
                        res = WorkerResult(None, error=f"worker failure: {type(e).__name__}: {e}",
                                           error_type="InternalError")
                    self.record(job, res)
                if died:
                    # A worker died (a crash in native code, the OOM killer) and took
                    # the others in flight with it: each of them is suspect once.
                    for job in reversed(list(inflight.values())):
                        job.crashes += 1
                        if job.crashes < 2:
                            waiting.appendleft(job)
                        else:
                            died_twice = "its worker process died while converting it, twice"
                            self.record(job, WorkerResult(None, error=died_twice, error_type="InternalError"))
                    inflight.clear()
                    backend.restart()
            cancelled = False
        except KeyboardInterrupt:
            for job in inflight.values():
                self.ledger.mark_failed(job, "interrupted", "Interrupted", None)
            raise Interrupted(
                f"batch interrupted; {sum(r.status != 'failed' for r in self.results.values())} of {self.total} "
                "files are done, run the same command again to convert the rest"
            ) from None
        finally:
            backend.close(cancel=cancelled)
            if cancelled:
                clean_partials(self.out_dir)

    def record(self, job: Job, res: WorkerResult) -> None:
        if res.ok:
            sizes = {o.path: o.size for o in res.outputs}
            self.ledger.mark_done(job, self.relative_outputs(job, sizes), res.elapsed)
            self.results[job.id] = FileResult(
                job.source, job.name, "converted", tuple(job.outputs.values()), elapsed=res.elapsed
            )
            self.event("done", job)
        else:
            self.fail(job, res.error, res.error_type, res.elapsed, record=True)

    def fail(self, job: Job, error: str, error_type: str, elapsed: float | None = None, record: bool = False) -> None:
        """Report a failed file; ``record``: also in the ledger (a conversion that failed, not an input refused)."""
        if record:
            self.ledger.mark_failed(job, error, error_type, elapsed)
        self.results[job.id] = FileResult(job.source, job.name, "failed", error=error, error_type=error_type,
                                          elapsed=elapsed)
        self.event("failed", job, message=error)
