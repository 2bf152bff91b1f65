"""The batch backend interface: the local pool behind it, and the runner driving any backend through it alone."""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import Future
from pathlib import Path

import pytest

from reframe.testing import lavfi
from reframe.batch import (
    LEDGER_NAME, Backend, BatchSettings, OutputFile, Task, WorkerDied, WorkerProgress, WorkerResult, run_batch, runner,
)
from reframe.batch.pool import LocalPool
from reframe.config import PlanConfig, RenderConfig
from reframe.errors import UsageError

FAST = BatchSettings(render=RenderConfig(preset="ultrafast", size="native"))


@pytest.mark.slow  # two worker processes, one real conversion
def test_the_local_pool_runs_tasks_in_worker_processes_and_returns_result_dataclasses(tmp_path):
    clip = lavfi.clip(tmp_path / "clip.mp4", size="160x90", audio=False)
    tasks = [
        Task(0, str(clip), {"9:16": str(tmp_path / "clip_9x16.mp4")}, {}, FAST, overwrite=False),
        Task(1, str(tmp_path / "missing.mp4"), {"9:16": str(tmp_path / "missing_9x16.mp4")}, {}, FAST,
             overwrite=False),
    ]
    pool = LocalPool(2)
    assert isinstance(pool, Backend)
    updates: list[WorkerProgress] = []
    try:
        pending = [pool.submit(t) for t in tasks]
        deadline = time.monotonic() + 240
        while not all(p.done() for p in pending) and time.monotonic() < deadline:
            updates += pool.poll(0.2)
        results = [pool.result(p) for p in pending]
        updates += pool.poll(0.2)
    finally:
        pool.close()

    converted, failed = results
    assert isinstance(converted, WorkerResult) and converted.ok and converted.elapsed > 0
    made = tmp_path / "clip_9x16.mp4"
    assert converted.outputs == (OutputFile("9:16", str(made), made.stat().st_size),)
    assert not failed.ok and failed.error_type == "InputError" and failed.outputs == ()
    assert not (tmp_path / "missing_9x16.mp4").exists()
    assert updates and all(isinstance(u, WorkerProgress) for u in updates)
    assert {u.task_id for u in updates} <= {0, 1} and any(u.task_id == 0 and u.fraction >= 1.0 for u in updates)


class FakeBackend:
    """Converts in this process by writing a few bytes; its "worker" dies on the files named in ``deaths``."""

    slots = 2

    def __init__(self, deaths: list[str]) -> None:
        self.deaths = list(deaths)  # a name once per death
        self.submitted: list[str] = []
        self.restarts = 0
        self.closed: bool | None = None

    def submit(self, task: Task) -> Future:
        name = Path(task.source).name
        self.submitted.append(name)
        future: Future = Future()
        if name in self.deaths:
            self.deaths.remove(name)
            future.set_exception(WorkerDied())
            return future
        outputs = []
        for aspect, path in task.outputs.items():
            Path(path).write_bytes(b"video")
            outputs.append(OutputFile(aspect, path, 5))
        future.set_result(WorkerResult(0.5, tuple(outputs)))
        return future

    def result(self, pending: Future) -> WorkerResult:
        return pending.result()

    def poll(self, timeout: float) -> list[WorkerProgress]:
        return []

    def restart(self) -> None:
        self.restarts += 1

    def close(self, cancel: bool = False) -> None:
        self.closed = cancel


@pytest.mark.parametrize("deaths", [["a.mp4"], ["a.mp4", "a.mp4"]], ids=["once", "twice"])
def test_the_runner_retries_alone_a_file_whose_worker_died_through_the_interface(tmp_path, monkeypatch, deaths):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    for name in ("a.mp4", "b.mp4"):
        (src / name).write_bytes(b"not decoded by the fake backend")
    backend = FakeBackend(deaths)
    assert isinstance(backend, Backend)
    monkeypatch.setattr(runner, "open_backend", lambda jobs, cluster: backend)

    report = run_batch([src], out, FAST, jobs=2)

    # a and b start together; a's worker dies (b finished first), and a runs again, alone.
    assert backend.submitted == ["a.mp4", "b.mp4", "a.mp4"] and backend.restarts == len(deaths)
    assert backend.closed is False
    ledger = sqlite3.connect(out / LEDGER_NAME)
    try:
        assert dict(ledger.execute("SELECT name, attempts FROM files")) == {"a.mp4": 2, "b.mp4": 1}
    finally:
        ledger.close()
    status = {f.name: (f.status, f.error_type) for f in report.files}
    if len(deaths) == 1:
        assert status == {"a.mp4": ("converted", None), "b.mp4": ("converted", None)}
        assert (out / "a.mp4").read_bytes() == b"video"
    else:
        assert status == {"a.mp4": ("failed", "InternalError"), "b.mp4": ("converted", None)}
        assert "died" in report.failed[0].error


def test_a_mapping_of_options_still_works_with_a_deprecation_warning_and_the_same_fingerprint(tmp_path):
    options = {"aspect": "9:16,1:1", "preset": "ultrafast", "motion": "lively", "save_paths": True, "overwrite": True}
    settings = BatchSettings(aspects="9:16,1:1", plan=PlanConfig(motion="lively"),
                             render=RenderConfig(preset="ultrafast", overwrite=True), save_paths=True)
    assert BatchSettings.from_options(options) == settings
    # Overwriting does not change what a file becomes: it leaves the fingerprint alone.
    assert settings.fingerprint == BatchSettings.from_options({**options, "overwrite": False}).fingerprint
    assert settings.fingerprint != BatchSettings.from_options({**options, "crf": 30}).fingerprint
    with pytest.warns(DeprecationWarning, match="BatchSettings"):
        report = run_batch([tmp_path / "nothing"], tmp_path / "out", options, jobs=1)
    assert report.options == settings.canonical() and report.failed[0].error_type == "InputError"
    with pytest.raises(UsageError, match="unknown option"), pytest.warns(DeprecationWarning):
        run_batch([tmp_path / "nothing"], tmp_path / "out", {"aspekt": "9:16"})
