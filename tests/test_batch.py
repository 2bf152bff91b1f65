"""Batch conversion of a catalog: mirrored outputs, failure isolation, the ledger, resume after kill -9, Dask."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

import reframe
from reframe import RenderConfig
from reframe.batch import LEDGER_NAME, REPORT_NAME, BatchSettings, run_batch
from reframe.testing import lavfi

pytestmark = pytest.mark.slow  # end to end: whole batches of conversions
ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "reframe"]
# Tiny, fast outputs: the batch machinery is under test, not the picture.
FAST = BatchSettings(render=RenderConfig(preset="ultrafast", size="native"))
FAST_ARGS = ["--preset", "ultrafast", "--size", "native"]


def cli(*args, **kwargs) -> subprocess.Popen | subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


def ledger_rows(out: Path) -> dict[str, sqlite3.Row]:
    db = sqlite3.connect(out / LEDGER_NAME, timeout=10)
    db.row_factory = sqlite3.Row
    try:
        return {r["name"]: r for r in db.execute("SELECT * FROM files")}
    finally:
        db.close()


def partials(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".partial")]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Path:
    """Three good clips (one in a nested folder, one .mov), a truncated file, an audio-only MP4 and a text file."""
    src = tmp_path_factory.mktemp("catalog")
    lavfi.clip(src / "a.mp4", size="192x108")
    lavfi.clip(src / "b.mov", size="160x90", audio=False)
    (src / "nested" / "deeper").mkdir(parents=True)
    lavfi.clip(src / "nested" / "deeper" / "c.mp4", size="320x180")
    (src / "broken.mp4").write_bytes((src / "a.mp4").read_bytes()[:3000])
    lavfi.ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", src / "tone.mp4")
    (src / "notes.txt").write_text("not a video; folders are scanned for video extensions only")
    return src


GOOD = {"a.mp4": "a", "b.mov": "b", "nested/deeper/c.mp4": "nested/deeper/c"}


@pytest.fixture(scope="module")
def first_run(catalog, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    res = cli("batch", catalog, "-o", out, "--aspect", "9:16,1:1", "--jobs", "2", *FAST_ARGS)
    return out, res


def test_catalog_is_mirrored_and_bad_files_are_reported_with_exit_code_1(catalog, first_run):
    out, res = first_run
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    for name, stem in GOOD.items():
        for aspect, ratio in (("9x16", 9 / 16), ("1x1", 1.0)):
            info = reframe.probe(out / f"{stem}_{aspect}.mp4")
            assert abs(info.width / info.height - ratio) < 0.05
            assert info.frame_count == reframe.probe(catalog / name).frame_count
    report = json.loads((out / REPORT_NAME).read_text())
    status = {f["name"]: f for f in report["files"]}
    assert set(status) == {*GOOD, "broken.mp4", "tone.mp4"}  # notes.txt is not a video
    assert report["counts"] == {"converted": 3, "skipped": 0, "failed": 2} and report["ok"] is False
    assert status["broken.mp4"]["error_type"] == "InputError"
    assert status["tone.mp4"]["error_type"] == "UnsupportedInputError"
    # The failures are named, with their reasons, on the terminal too.
    for name in ("broken.mp4", "tone.mp4"):
        assert name in res.stderr
        assert status[name]["error"].split(":")[0][:20] in res.stderr.replace("\n", " ")
    assert not (out / "broken_9x16.mp4").exists() and not (out / "tone_9x16.mp4").exists()
    rows = ledger_rows(out)
    assert {n: r["state"] for n, r in rows.items()} == {**{n: "done" for n in GOOD}, "broken.mp4": "failed",
                                                       "tone.mp4": "failed"}
    assert partials(out) == []


def test_the_same_batch_on_a_dask_cluster_gives_the_same_results(catalog, first_run, tmp_path):
    from distributed import LocalCluster

    local_out, _ = first_run
    out = tmp_path / "dask"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        report = run_batch([catalog], out, replace(FAST, aspects="9:16,1:1"), cluster=cluster)
    local = json.loads((local_out / REPORT_NAME).read_text())
    assert {f.name: (f.status, f.error_type) for f in report.files} == {
        f["name"]: (f["status"], f["error_type"]) for f in local["files"]
    }
    made = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.mp4"))
    assert made == sorted(p.relative_to(local_out).as_posix() for p in local_out.rglob("*.mp4"))
    for rel in made:
        a, b = reframe.probe(out / rel), reframe.probe(local_out / rel)
        assert (a.width, a.height, a.frame_count) == (b.width, b.height, b.frame_count)
    assert {n: r["state"] for n, r in ledger_rows(out).items()} == {
        n: r["state"] for n, r in ledger_rows(local_out).items()
    }


def test_reruns_skip_what_is_done_and_redo_changed_inputs_and_options(catalog, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(catalog, src)
    out = tmp_path / "out"
    first = run_batch([src], out, FAST, jobs=1)
    assert sorted(f.name for f in first.converted) == sorted(GOOD)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.mp4")}

    events = []
    again = run_batch([src], out, FAST, jobs=1, progress=events.append)
    assert again.converted == [] and sorted(f.name for f in again.skipped) == sorted(GOOD)
    assert sorted(f.name for f in again.failed) == ["broken.mp4", "tone.mp4"]  # failures are retried
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.mp4")} == stamps
    assert {e.name for e in events if e.kind == "skipped"} == set(GOOD)
    assert events[-1].kind == "finished"

    # A changed input is converted again, and only it.
    lavfi.clip(src / "a.mp4", size="256x144")
    changed = run_batch([src], out, FAST, jobs=1)
    assert [f.name for f in changed.converted] == ["a.mp4"]
    assert reframe.probe(out / "a.mp4").height == 144

    # A changed option converts everything again (the outputs are the batch's own to replace).
    recoded = run_batch([src], out, replace(FAST, render=replace(FAST.render, crf=30)), jobs=1)
    assert sorted(f.name for f in recoded.converted) == sorted(GOOD)
    assert all(ledger_rows(out)[n]["attempts"] == (3 if n == "a.mp4" else 2) for n in GOOD)


def test_an_output_the_batch_did_not_make_is_kept_unless_overwriting(catalog, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.mp4").write_bytes(b"keep me")
    report = run_batch([catalog / "a.mp4", catalog / "b.mov"], out, FAST, jobs=1)
    assert [(f.name, f.error_type) for f in report.failed] == [("a.mp4", "OutputError")]
    assert [f.name for f in report.converted] == ["b.mov"]
    assert (out / "a.mp4").read_bytes() == b"keep me"
    report = run_batch([catalog / "a.mp4", catalog / "b.mov"], out, replace(FAST, render=replace(FAST.render, overwrite=True)), jobs=1)
    assert report.ok and [f.name for f in report.converted] == ["a.mp4"]
    assert reframe.probe(out / "a.mp4").frame_count > 0


def test_a_run_killed_with_sigkill_resumes_with_the_rest_and_leaves_no_partial_files(tmp_path):
    src, out, marker = tmp_path / "src", tmp_path / "out", tmp_path / "paused"
    src.mkdir()
    names = [f"clip{i}.mp4" for i in range(4)]
    for i, name in enumerate(names):
        lavfi.clip(src / name, size="320x180", duration=2.0 if i else 1.0)
    # clip0 (30 frames) is converted whole; the render of clip1 (60 frames)
    # stops after 45, its partial file open, and the batch is killed there.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REFRAME_TEST_PAUSE_AFTER_FRAMES": "45",
           "REFRAME_TEST_PAUSE_MARKER": str(marker)}
    proc = subprocess.Popen(
        [*CLI, "batch", src, "-o", out, "--jobs", "1", *FAST_ARGS], cwd=ROOT, start_new_session=True,
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        done: list[str] = []
        while done != ["clip0.mp4"] and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            if marker.exists():
                try:
                    done = [n for n, r in ledger_rows(out).items() if r["state"] == "done"]
                except sqlite3.OperationalError:  # the schema is being created
                    pass
        running = proc.poll() is None
        left = partials(out)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the batch and its workers, mid-file
        proc.wait()
    assert running and done == ["clip0.mp4"], "the batch did not stop in the second file"
    assert len(left) == 1 and left[0].name.startswith(".clip1.mp4.")  # the paused render's
    before = ledger_rows(out)
    # Whatever sits under a final name is complete.
    for p in out.rglob("*.mp4"):
        if not p.name.startswith("."):
            assert reframe.probe(p).frame_count > 0

    res = cli("batch", src, "-o", out, "--jobs", "1", *FAST_ARGS)
    assert res.returncode == 0, res.stderr
    report = json.loads((out / REPORT_NAME).read_text())
    status = {f["name"]: f["status"] for f in report["files"]}
    finished_before = {n for n, r in before.items() if r["state"] == "done"}
    assert {n for n, s in status.items() if s == "skipped"} == finished_before
    assert {n for n, s in status.items() if s == "converted"} == set(names) - finished_before
    after = ledger_rows(out)
    assert all(r["state"] == "done" for r in after.values())
    for n in finished_before:  # not touched again
        assert (after[n]["finished"], after[n]["attempts"]) == (before[n]["finished"], 1)
    for name in names:
        assert reframe.probe(out / name).frame_count == reframe.probe(src / name).frame_count
    assert partials(out) == []
