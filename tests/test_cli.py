"""End to end through the installed ``reframe`` command: open the output and check it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import reframe
from reframe.croppath import CropPath

CLI = [sys.executable, "-m", "reframe"]
ROOT = Path(__file__).resolve().parents[1]


def run(*args: str | os.PathLike, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd or ROOT, timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def inside(box_xywh: np.ndarray, window: np.ndarray) -> float:
    x, y, w, h = box_xywh
    wx, wy, ww, wh = window
    ix = max(0.0, min(x + w, wx + ww) - max(x, wx))
    iy = max(0.0, min(y + h, wy + wh) - max(y, wy))
    return ix * iy / (w * h)


@pytest.fixture(scope="module")
def converted(clip_with_cut, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    dst, path_json = out / "vertical.mp4", out / "path.json"
    res = run("convert", clip_with_cut.path, "-o", dst, "--save-path", path_json)
    assert res.returncode == 0, res.stderr
    return clip_with_cut, dst, path_json, res


@pytest.mark.slow
def test_convert_writes_a_vertical_h264_with_audio_of_the_same_duration(converted):
    truth, dst, _, res = converted
    info = reframe.probe(dst)
    src = reframe.probe(truth.path)
    assert (info.width, info.height) == (1080, 1920)
    assert info.codec == "h264"
    assert info.has_audio and info.audio[0].codec == "aac"
    assert info.frame_count == src.frame_count
    assert abs(info.duration - src.duration) <= 1 / float(src.fps)
    assert "Traceback" not in res.stderr
    # faststart: the index (moov) comes before the media data (mdat)
    head = dst.read_bytes()[:65536]
    assert 0 <= head.find(b"moov") < head.find(b"mdat") or head.find(b"mdat") == -1


@pytest.mark.slow
def test_convert_keeps_the_subject_in_the_window_and_respects_the_cut(converted):
    truth, _, path_json, _ = converted
    path = CropPath.load(path_json)
    assert path.detections is None  # written only with --with-detections
    assert path.cuts == list(truth.cut_frames)
    shares = [inside(truth.head_boxes[i], path.windows[i]) for i in range(truth.n_frames)]
    assert min(shares) >= 0.9
    cut = truth.cut_frames[0]
    centres = path.windows[:, 0] + path.windows[:, 2] / 2
    # the window moves only at the cut, never in the frames around it
    assert np.ptp(centres[cut - 3 : cut]) == 0 and np.ptp(centres[cut : cut + 3]) == 0


@pytest.mark.slow
def test_plan_then_render_an_edited_path_without_reanalysis(converted, tmp_path):
    truth, _, _, _ = converted
    pj = tmp_path / "p.json"
    res = run("plan", truth.path, "-o", pj, "--aspect", "1:1", "--with-detections",
              "--save-analysis", tmp_path / "a.json")
    assert res.returncode == 0, res.stderr
    data = json.loads(pj.read_text())
    assert data["version"] == 3 and data["aspect"] == "1:1" and data["detections"]
    # The saved analysis plans the very same path again, without analysing.
    from reframe.analysis import Analysis
    from reframe.plan import Planner

    again = Planner(reframe.PlanConfig(aspect="1:1")).run(Analysis.load(tmp_path / "a.json"))
    assert again == CropPath.load(pj)
    assert again.to_json(with_detections=True) == CropPath.load(pj).to_json(with_detections=True)
    # Hand edit: pin the window to the left edge for the whole clip.
    n, h = data["source"]["frame_count"], data["source"]["height"]
    data["keyframes"] = [[0, 0, 0, h, h], [n - 1, 0, 0, h, h]]
    pj.write_text(json.dumps(data))
    dst = tmp_path / "square.mp4"
    res = run("render", truth.path, "--path", pj, "-o", dst, "--size", "native")
    assert res.returncode == 0, res.stderr
    info = reframe.probe(dst)
    assert (info.width, info.height) == (h, h)
    assert info.frame_count == truth.n_frames


@pytest.mark.slow
def test_the_old_analyze_command_still_plans_and_says_it_is_deprecated(converted, tmp_path):
    truth, _, path_json, _ = converted
    res = run("analyze", truth.path, "-o", tmp_path / "old.json", "-q")
    assert res.returncode == 0, res.stderr
    assert "use 'reframe plan'" in res.stderr
    old, new = CropPath.load(tmp_path / "old.json"), CropPath.load(path_json)
    np.testing.assert_array_equal(old.windows, new.windows)


@pytest.mark.slow
def test_several_aspects_from_one_run_each_have_their_file_and_size(converted, tmp_path):
    truth, _, _, _ = converted
    res = run("convert", truth.path, "-o", tmp_path / "o.mp4", "--aspect", "9:16,4:5,1:1",
              "--save-path", tmp_path / "p.json", "--preset", "ultrafast", "-q")
    assert res.returncode == 0, res.stderr
    sizes = {"9x16": (1080, 1920), "4x5": (1080, 1350), "1x1": (1080, 1080)}
    for name, size in sizes.items():
        info = reframe.probe(tmp_path / f"o_{name}.mp4")
        assert (info.width, info.height) == size
        assert info.frame_count == truth.n_frames
        assert CropPath.load(tmp_path / f"p_{name}.json").aspect == reframe.Aspect.parse(name.replace("x", ":"))
    assert not (tmp_path / "o.mp4").exists()


def test_missing_input_is_one_line_and_exit_code_3(tmp_path):
    res = run("convert", tmp_path / "nope.mp4", "-o", tmp_path / "o.mp4")
    assert res.returncode == 3
    assert res.stderr.strip().count("\n") == 0 and "nope.mp4" in res.stderr
    assert not (tmp_path / "o.mp4").exists()


@pytest.mark.slow  # a command-line run
def test_text_file_named_mp4_is_refused(tmp_path):
    bad = tmp_path / "page.mp4"
    bad.write_text("<html>not a video</html>")
    res = run("convert", bad, "-o", tmp_path / "o.mp4")
    assert res.returncode == 3, res.stderr
    assert "Traceback" not in res.stderr
    assert list(tmp_path.iterdir()) == [bad]


@pytest.mark.slow  # two command-line runs
def test_output_over_the_input_is_refused_also_through_a_link(still_face_clip, tmp_path):
    src = tmp_path / "in.mp4"
    shutil.copy(still_face_clip.path, src)
    before = src.read_bytes()
    link = tmp_path / "link.mp4"
    link.symlink_to(src)
    for dst in (src, link):
        res = run("convert", src, "-o", dst, "--overwrite")
        assert res.returncode == 5, res.stderr
    assert src.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.mp4", "link.mp4"]


def test_existing_output_needs_overwrite(still_face_clip, tmp_path):
    dst = tmp_path / "o.mp4"
    dst.write_bytes(b"keep me")
    res = run("convert", still_face_clip.path, "-o", dst)
    assert res.returncode == 5
    assert dst.read_bytes() == b"keep me"


def test_bad_aspect_is_a_usage_error(still_face_clip, tmp_path):
    res = run("convert", still_face_clip.path, "-o", tmp_path / "o.mp4", "--aspect", "tall")
    assert res.returncode == 2
    assert "aspect" in res.stderr


def test_bad_crop_path_file_is_refused(still_face_clip, tmp_path):
    pj = tmp_path / "p.json"
    pj.write_text('{"format": "something else"}')
    res = run("render", still_face_clip.path, "--path", pj, "-o", tmp_path / "o.mp4")
    assert res.returncode == 6
    assert not (tmp_path / "o.mp4").exists()


@pytest.mark.slow  # a command-line run
def test_unknown_encoder_is_a_usage_error_before_any_work(still_face_clip, tmp_path):
    res = run("convert", still_face_clip.path, "-o", tmp_path / "o.mp4", "--encoder", "h264_nosuch")
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "h264_nosuch" in res.stderr and "libx264" in res.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.slow  # a command-line run
def test_hardware_encoder_without_its_device_is_one_clear_line(still_face_clip, tmp_path):
    from reframe.errors import UsageError
    from reframe.render import check_encoder

    try:
        check_encoder("h264_nvenc")
    except UsageError:
        pass
    else:
        pytest.skip("this machine can encode with NVENC")
    res = run("convert", still_face_clip.path, "-o", tmp_path / "o.mp4", "--encoder", "h264_nvenc")
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "h264_nvenc" in res.stderr and "libx264" in res.stderr


@pytest.mark.slow  # two fresh interpreters
def test_the_command_line_is_inside_the_package_with_a_version(tmp_path):
    """`python -m reframe`, the `reframe` command and `python cli.py` are one command line, with --version;
    what is installed is the package alone, not a top-level `cli` module that could collide."""
    for cmd in ([*CLI, "--version"], [sys.executable, str(ROOT / "cli.py"), "--version"]):
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=120)
        assert res.returncode == 0, res.stderr
        assert res.stdout.strip() == f"reframe {reframe.__version__}"
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "reframe"]
    assert script.value == "reframe.cli:main"
