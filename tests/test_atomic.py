"""Every file reframe writes appears complete under its name or not at all, and what a killed run
left half-written is recognised and cleaned by the next batch."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from reframe import atomic
from reframe.batch import BatchReport, run_batch
from reframe.config import Aspect
from reframe.croppath import CropPath, SourceRef
from reframe.errors import OutputError

ROOT = Path(__file__).resolve().parents[1]


def small_path() -> CropPath:
    return CropPath.centered(SourceRef("clip.mp4", 320, 180, Fraction(30), 30, 1.0), Aspect.parse("9:16"))


def test_the_block_s_file_is_renamed_into_place_only_when_it_ends_normally(tmp_path):
    dst = tmp_path / "out.txt"
    with atomic.atomic_path(dst) as tmp:
        assert atomic.is_partial(tmp) and tmp.parent == tmp_path
        tmp.write_text("whole")
    assert dst.read_text() == "whole" and sorted(tmp_path.iterdir()) == [dst]

    with pytest.raises(KeyboardInterrupt):  # any exception: Ctrl-C too
        with atomic.atomic_path(dst) as tmp:
            tmp.write_text("half")
            raise KeyboardInterrupt
    assert dst.read_text() == "whole" and sorted(tmp_path.iterdir()) == [dst]  # the old file is untouched


def _disk_full_halfway(self, text, *args, **kwargs):
    with open(self, "w") as f:
        f.write(text[: len(text) // 2])
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))


@pytest.mark.parametrize("save", [
    lambda dst: small_path().save(dst),
    lambda dst: BatchReport(dst.parent, [], {}, 1, None, 0.0, 0.0).save(dst),
], ids=["crop-path", "batch-report"])
def test_a_failing_write_leaves_nothing_under_the_final_name(tmp_path, monkeypatch, save):
    monkeypatch.setattr(Path, "write_text", _disk_full_halfway)
    with pytest.raises(OutputError, match="No space left"):
        save(tmp_path / "out.json")
    assert list(tmp_path.iterdir()) == []


def test_a_crop_path_partial_left_by_a_killed_run_is_cleaned_by_the_next_batch(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    small_path().save(tmp_path / "whole.json")
    # A process killed between writing the crop path and renaming it.
    killed = (
        "import os, sys; from reframe.croppath import CropPath; path = CropPath.load(sys.argv[1]); "
        "os.replace = lambda *a: os._exit(9); path.save(sys.argv[2])"
    )
    done = subprocess.run([sys.executable, "-c", killed, tmp_path / "whole.json", out / "clip.path.json"],
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 9
    [left] = out.iterdir()
    assert atomic.is_partial(left) and left.name.startswith(".clip.path.json.")
    (out / "notes.partial").write_text("not ours")  # a user's file of another name is kept
    (tmp_path / "nothing").mkdir()
    run_batch([tmp_path / "nothing"], out, jobs=1, report=tmp_path / "report.json")
    assert not left.exists() and (out / "notes.partial").exists()
