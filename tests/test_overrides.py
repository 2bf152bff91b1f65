"""Corrections by hand: pinned subjects, shot layouts and moved windows, kept by a re-plan."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from test_plan import FPS, analysis, heads, info

from reframe import plan
from reframe.analysis import Analysis
from reframe.config import PlanConfig
from reframe.croppath import CropPath
from reframe.detections import Detections
from reframe.errors import CropPathError, UsageError
from reframe.overrides import Overrides, Pin
from reframe.plan import Planner
from reframe.probe import probe
from reframe.replan import analysis_from_path, replan
from reframe.testing import media


def centres(path: CropPath) -> np.ndarray:
    return path.windows[:, 0] + path.windows[:, 2] / 2


def a_big_and_a_small_head(frames: int = 200, cuts=()) -> Analysis:
    """A big head at x=420 (the one the planner follows) and a small one far right at x=1500."""
    samples = {f: Detections.concat([heads(420, size=160), heads(1500, size=90)]) for f in range(0, frames, 5)}
    for c in cuts:
        samples[c] = samples[c - c % 5]
    return Analysis(info(frames), tuple(cuts), samples)


def test_a_pin_makes_the_window_follow_the_other_person_from_that_time():
    a = a_big_and_a_small_head()
    before = plan(a, PlanConfig(layout="follow"))
    assert np.all(np.abs(centres(before) - 420) < 200)
    pinned = plan(a, PlanConfig(layout="follow"), Overrides(pins=(Pin(2.0, 1510, 330),)))
    c = centres(pinned)
    x, _, w, _ = pinned.windows[0]
    assert x <= 340 and x + w >= 500  # before the pin: the big head, as planned
    assert np.all(np.abs(c[130:] - 1500) < 150), c[130:]  # after it: the pinned one
    assert np.ptp(c[:20]) == 0.0 and np.ptp(c[-30:]) < 1.0  # re-planned: a still camera, a pan, a still camera
    assert np.max(np.abs(np.diff(c))) <= 0.5 * 1920 / FPS + 1e-6
    shot = pinned.shots[0]
    assert shot.layout == "follow" and shot.reason == "pinned by hand at 2.0 s"
    assert pinned.overrides.pins == (Pin(2.0, 1510, 330),)


def test_a_pin_on_a_split_shot_follows_the_pinned_person():
    a = analysis(150, lambda f: [420, 1500])
    assert plan(a).shots[0].layout == "split"
    pinned = plan(a, overrides=Overrides(pins=(Pin(0.0, 400, 300),)))
    assert pinned.shots[0].layout == "follow"
    assert np.all(np.abs(centres(pinned) - 420) < 150)


def test_a_shot_override_changes_the_layout_and_survives_a_replan(tmp_path):
    a = a_big_and_a_small_head(200, cuts=(100,))
    planned = plan(a)
    assert [s.layout for s in planned.shots] == ["split", "split"]
    hand = Overrides.parse(shots=["1=fit"])
    path = plan(a, overrides=hand)
    assert [s.layout for s in path.shots] == ["split", "fit"]
    assert path.shots[1].reason == "fit chosen by hand"
    assert path.shots[0] == planned.shots[0]
    path.save(tmp_path / "p.json", with_detections=True)
    saved = json.loads((tmp_path / "p.json").read_text())
    assert saved["version"] == 3 and saved["overrides"]["shots"] == {"1": {"layout": "fit"}}
    loaded = CropPath.load(tmp_path / "p.json")
    assert loaded.overrides == hand
    # A re-plan for another aspect, and one from the crop path alone with a pin added, keep it.
    square = Planner(PlanConfig(aspect="1:1")).run(a, loaded.overrides)
    assert square.shots[1].layout == "fit"
    again = replan(loaded, a.info, loaded.overrides.merged(Overrides(pins=(Pin(1.0, 1500, 330),))))
    assert [s.layout for s in again.shots] == ["follow", "fit"]
    assert again.shots[0].reason == "pinned by hand at 1.0 s"
    assert np.all(np.abs(centres(again)[90:100] - 1500) < 150)
    assert again.overrides.shots == hand.shots and len(again.overrides.pins) == 1


def test_a_zoom_chosen_by_hand_widens_the_window():
    path = plan(a_big_and_a_small_head(), overrides=Overrides().with_shot(0, zoom=1.2))
    assert path.windows[0, 2] == pytest.approx(1080 * 9 / 16 * 1.2, abs=0.01)
    assert "zoom 1.20x chosen by hand" in path.shots[0].reason


def test_a_window_dragged_at_a_frame_moves_the_shot_by_as_much():
    a = a_big_and_a_small_head(200, cuts=(100,))
    planned = plan(a)
    x0 = planned.windows[40, 0]
    moved = plan(a, overrides=Overrides().with_keyframe(40, x0 + 100, 0))
    assert moved.windows[40, 0] == pytest.approx(x0 + 100)
    assert np.allclose(moved.windows[:100, 0], planned.windows[:100, 0] + 100)  # held over the whole shot
    assert np.array_equal(moved.windows[100:], planned.windows[100:])  # the next shot is untouched
    assert "window moved by hand at 1.6 s" in moved.shots[0].reason
    two = plan(a, overrides=Overrides().with_keyframe(10, x0 + 100, 0).with_keyframe(90, x0, 0))
    offset = two.windows[:100, 0] - planned.windows[:100, 0]
    assert offset[10] == pytest.approx(100) and offset[50] == pytest.approx(50) and offset[90] == pytest.approx(0)


def test_bad_overrides_are_refused():
    with pytest.raises(UsageError, match="TIME=X,Y"):
        Overrides.parse(["3.2"])
    with pytest.raises(UsageError, match="not one of"):
        Overrides.parse(shots=["1=wide"])
    with pytest.raises(UsageError, match="shot 4 does not exist"):
        plan(a_big_and_a_small_head(), overrides=Overrides.parse(shots=["4=fit"]))
    with pytest.raises(UsageError, match="outside the video"):
        plan(a_big_and_a_small_head(), overrides=Overrides.parse(["99=10,10"]))
    path = plan(a_big_and_a_small_head())
    data = path.to_dict() | {"overrides": {"shots": {"3": {"layout": "fit"}}}}
    with pytest.raises(CropPathError, match="shot 3 does not exist"):
        CropPath.from_dict(data)


def test_a_version_2_file_without_overrides_still_loads():
    data = plan(a_big_and_a_small_head()).to_dict() | {"version": 2}
    assert "overrides" not in data
    assert not CropPath.from_dict(data).overrides


@pytest.fixture(scope="module")
def pair(synthetic_media_dir):
    return media.two_people(synthetic_media_dir / "two_people.mp4")


def analysis_of(pair) -> Analysis:
    """The clip's true head boxes as an analysis (no detector run)."""
    video = probe(pair.path)
    samples = {}
    for f in range(0, video.frame_count, 5):
        x, y, w, h = pair.head_boxes[f].T
        samples[f] = Detections(np.stack([x, y, x + w, y + h], 1), np.full(2, 0.9), np.zeros(2))
    return Analysis(video, pair.cut_frames, samples)


def path_of(pair) -> CropPath:
    """A crop path planned on the clip's true head boxes."""
    return Planner().run(analysis_of(pair))


@pytest.mark.slow  # command-line renders
def test_render_with_a_pin_and_a_shot_layout_replans_from_the_crop_path(pair, tmp_path):
    path = path_of(pair)
    assert path.shots[0].layout == "split"
    path.save(tmp_path / "p.json", with_detections=True)
    before = (tmp_path / "p.json").read_bytes()
    right = pair.head_boxes[25, 1]
    x, y = right[0] + right[2] / 2, right[1] + right[3] / 2
    cmd = [sys.executable, "-m", "reframe", "render", str(pair.path), "--path", str(tmp_path / "p.json"),
           "-o", str(tmp_path / "out.mp4"), "--pin", f"0.5={x:.0f},{y:.0f}", "--quiet"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert probe(tmp_path / "out.mp4").frame_count == path.source.frame_count
    assert (tmp_path / "p.json").read_bytes() == before  # the input crop path is never written
    bad = subprocess.run([*cmd[:-3], "--shot", "7=fit", "-y"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "shot 7 does not exist" in bad.stderr
    bad = subprocess.run([*cmd[:-3], "--pin", "half=1,2", "-y"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "TIME=X,Y" in bad.stderr


@pytest.mark.slow  # a command-line render
def test_a_path_saved_without_detections_replans_from_its_saved_analysis(pair, tmp_path):
    analysis = analysis_of(pair)
    video = analysis.info
    analysis.save(tmp_path / "a.json")
    Planner().run(analysis).save(tmp_path / "p.json")
    assert "detections" not in json.loads((tmp_path / "p.json").read_text())
    loaded = CropPath.load(tmp_path / "p.json")
    assert loaded.detections is None
    pin = Overrides(pins=(Pin(0.5, *pair.head_boxes[25, 1, :2] + pair.head_boxes[25, 1, 2:] / 2),))
    with pytest.raises(CropPathError, match="carries no detections"):
        replan(loaded, video, pin)
    assert replan(loaded, video, pin, analysis=analysis) == replan(path_of(pair), video, pin)
    cmd = [sys.executable, "-m", "reframe", "render", str(pair.path), "--path", str(tmp_path / "p.json"),
           "-o", str(tmp_path / "out.mp4"), "--pin", "0.5=500,100", "--quiet"]
    refused = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert refused.returncode == 6 and "--analysis" in refused.stderr and not (tmp_path / "out.mp4").exists()
    done = subprocess.run([*cmd, "--analysis", str(tmp_path / "a.json")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert probe(tmp_path / "out.mp4").frame_count == video.frame_count


@pytest.mark.slow  # encodes a clip for one refusal
def test_analysis_from_path_refuses_another_video(pair):
    path = path_of(pair)
    other = info(path.source.frame_count)
    with pytest.raises(CropPathError, match="planned for a 640x360 video"):
        analysis_from_path(path, other)


def test_a_pin_saved_and_loaded_stays_on_its_frame_at_ntsc_rates():
    from fractions import Fraction

    from reframe.plan.byhand import frame_at as _frame_at

    video = info(300)
    video = type(video)(**{**video.__dict__, "fps": Fraction(30000, 1001), "timestamps": np.arange(300) * 1001 / 30000})
    for frame in (1, 50, 299):
        pin = Pin(float(video.timestamps[frame]), 10, 10)
        again = Overrides.from_dict(Overrides(pins=(pin,)).to_dict()).pins[0]
        assert _frame_at(video, again.time) == frame
