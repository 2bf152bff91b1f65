"""Quality metrics on hand-made windows and annotations (no clips needed)."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest

from reframe.config import Aspect
from reframe.croppath import CropPath, SourceRef
from reframe.evaluation import Annotation, inside_share, pool, required_share, score, steadiness

W, H = 640, 360
WIN_W = 202.5  # 9:16 window in a 640x360 source


def ann(keyframes, frames=100, shots=None) -> Annotation:
    return Annotation.from_dict(
        {
            "clip": "t.mp4",
            "width": W,
            "height": H,
            "fps": 25,
            "frames": frames,
            "shots": shots or [[0, frames - 1]],
            "keyframes": keyframes,
        }
    )


def static(x: float, frames: int = 100) -> np.ndarray:
    return np.tile([x, 0.0, WIN_W, float(H)], (frames, 1))


def test_window_containing_box_covers():
    a = ann([{"frame": 10, "must": [[300, 40, 50, 60]]}, {"frame": 50, "must": [[320, 40, 50, 60]]}])
    s = score(static(250), a)
    assert s.coverage == 1.0
    assert s.sliced_share == 0.0
    assert s.uncovered_frames == [] and s.sliced_frames == []


def test_box_half_out_is_sliced_and_not_covered():
    # box 300..350 against a window ending at 325: half inside
    a = ann([{"frame": 10, "must": [[300, 40, 50, 60]]}])
    s = score(static(325 - WIN_W), a)
    assert s.results[0].must_inside == (0.5,)
    assert s.coverage == 0.0
    assert s.sliced_share == 1.0
    assert s.uncovered_frames == [10] and s.sliced_frames == [10]


def test_optional_box_can_be_sliced_but_not_uncovered():
    a = ann([{"frame": 10, "must": [[250, 40, 50, 60]], "optional": [[430, 40, 50, 60]]}])
    s = score(static(250), a)  # window 250..452.5 holds 430..480 only 45%
    assert s.coverage == 1.0
    assert s.sliced_frames == [10]


def test_box_fully_outside_or_slightly_cut_is_not_sliced():
    a = ann([{"frame": 10, "optional": [[0, 40, 50, 60], [440, 40, 50, 60]]}])
    # first box fully outside (0%), second 95% inside (440..490 vs window ending at 487.5)
    s = score(static(487.5 - WIN_W), a)
    assert s.sliced == 0
    assert s.coverage == 1.0  # no must boxes: nothing to miss


def test_large_box_is_not_counted_as_sliced():
    # 180 px wide is more than 80% of the 202.5 px window
    a = ann([{"frame": 10, "optional": [[100, 40, 180, 60]]}])
    s = score(static(190), a)
    assert 0.15 < inside_share((100, 40, 180, 60), tuple(static(190)[0])) < 0.85
    assert s.sliced == 0


def test_oversize_box_needs_only_the_share_that_can_fit():
    box = [100, 40, 405, 60]  # twice as wide as any 9:16 window
    assert required_share(tuple(box), (WIN_W, H)) == pytest.approx(0.45)
    a = ann([{"frame": 10, "must": [box]}])
    assert score(static(200), a).coverage == 1.0  # window fully on the box: 50% inside
    assert score(static(0), a).coverage == 0.0  # 0..202.5 holds 100..202.5: 25%


def test_oversize_rule_uses_the_given_aspect():
    a = ann([{"frame": 10, "must": [[100, 40, 300, 60]]}])
    windows = np.tile([100.0, 0.0, 270.0, 360.0], (100, 1))  # 3:4, holds 90% of the box
    # by default the aspect is the windows' own: the box is wider than 270 px
    assert score(windows, a).results[0].must_required == pytest.approx((0.81,))
    assert score(windows, a).coverage == 1.0
    # a narrower output aspect lowers what the box needs
    assert score(windows, a, aspect="9:16").results[0].must_required == pytest.approx((0.9 * WIN_W / 300,))


def test_centered_baseline_scores():
    src = SourceRef("t.mp4", W, H, Fraction(25), 100, 4.0)
    path = CropPath.centered(src, Aspect(9, 16))
    a = ann([{"frame": 10, "must": [[300, 40, 40, 40]]}, {"frame": 20, "must": [[10, 40, 40, 40]]}])
    s = score(path.windows, a)
    assert (s.coverage, s.speed, s.accel, s.p99_accel) == (0.5, 0.0, 0.0, 0.0)


def test_constant_speed_has_speed_and_no_acceleration():
    n = 50
    windows = np.array([[100.0 + 3.2 * i, 0, WIN_W, H] for i in range(n)])
    speed, accel, p99 = steadiness(windows, [(0, n - 1)], W)
    assert speed == pytest.approx(5.0)  # 3.2 px of 640 = 5 thousandths
    assert accel == 0.0 and p99 == 0.0


def test_frames_near_a_cut_are_left_out():
    # Static in both shots with a big jump at the cut (frame 50) and a wobble on
    # the two frames either side of it; none of that may count.
    n = 100
    x = np.full(n, 100.0)
    x[50:] = 400.0
    x[48] += 7
    x[49] -= 5
    x[50] += 9
    x[51] -= 3
    windows = np.column_stack([x, np.zeros(n), np.full(n, WIN_W), np.full(n, float(H))])
    assert steadiness(windows, [(0, 49), (50, 99)], W) == (0.0, 0.0, 0.0)
    # a wobble on the third frame after the cut does count
    windows[52, 0] += 6
    speed, accel, _ = steadiness(windows, [(0, 49), (50, 99)], W)
    assert speed > 0 and accel > 0
    # the same wobble without the cut annotated counts too, and the jump dominates
    assert steadiness(windows, [(0, 99)], W)[0] > speed


def test_clip_ends_are_not_cuts():
    windows = np.array([[100.0 + (5 if i < 2 else 0), 0, WIN_W, H] for i in range(20)])
    speed, _, _ = steadiness(windows, [(0, 19)], W)
    assert speed > 0


def test_length_mismatch_scores_the_frames_that_exist():
    a = ann([{"frame": 10, "must": [[300, 40, 50, 60]]}, {"frame": 99, "must": [[300, 40, 50, 60]]}])
    short = score(static(250, frames=99), a)
    assert short.windows == 99 and short.frames == 100 and short.frames_scored == 99
    assert short.keyframes == 1 and short.coverage == 1.0
    assert any("99 windows for 100" in n for n in short.notes)
    long = score(static(250, frames=101), a)
    assert long.keyframes == 2 and long.frames_scored == 100
    assert long.notes
    assert not score(static(250), a).notes


def test_no_measurable_motion_is_nan():
    s = score(static(250, frames=1), ann([{"frame": 0, "must": [[300, 40, 50, 60]]}], frames=1))
    assert math.isnan(s.speed) and s.to_dict()["speed"] is None


def test_pool_weighs_keyframes():
    a1 = ann([{"frame": f, "must": [[300, 40, 50, 60]]} for f in range(0, 90, 10)])  # 9 keyframes, covered
    a2 = ann([{"frame": 10, "must": [[0, 40, 50, 60]]}])  # 1 keyframe, missed
    p = pool([score(static(250), a1), score(static(250), a2)])
    assert (p.keyframes, p.covered) == (10, 9)
    assert p.coverage == pytest.approx(0.9)


def test_load_and_malformed(tmp_path):
    f = tmp_path / "a.json"
    f.write_text(json.dumps({"clip": "a.mp4", "width": W, "height": H, "fps": 25, "frames": 5,
                             "shots": [[0, 4]], "keyframes": [{"frame": 3, "must": [[1, 2, 3, 4]]}]}))
    a = Annotation.load(f)
    assert a.stem == "a" and a.keyframes[0].must == ((1.0, 2.0, 3.0, 4.0),)
    f.write_text(json.dumps({"clip": "a.mp4"}))
    with pytest.raises(ValueError, match="malformed"):
        Annotation.load(f)


def test_still_subject_shots_and_motion_after_cuts():
    # Shot 1 (0-49): the head stays put; shot 2 (50-99): it crosses the frame.
    keys = [{"frame": f, "must": [[300, 50, 40, 40]]} for f in (10, 30)]
    keys += [{"frame": f, "must": [[100 + 4 * (f - 50), 50, 40, 40]]} for f in (60, 90)]
    a = ann(keys, shots=[[0, 49], [50, 99]])
    x = np.full(100, 220.0)
    x[50:] = np.linspace(50, 250, 50)  # pans from the cut on
    x[20:30] += np.arange(10) % 2  # a wobble in the still shot
    s = score(np.column_stack([x, np.zeros(100), np.full(100, WIN_W), np.full(100, float(H))]), a)
    assert s.still_shots == 1
    assert s.still_accel > 0  # the wobble, measured on the still shot only
    assert (s.cuts, s.cuts_moving) == (1, 1) and s.cut_motion == pytest.approx(200 / 49 / W * 1000, rel=1e-3)
    x[20:30] = 220.0
    x[50:53] = 50.0  # held still over the two frames after the cut
    s = score(np.column_stack([x, np.zeros(100), np.full(100, WIN_W), np.full(100, float(H))]), a)
    assert s.still_accel == 0.0 and s.cuts_moving == 0
