"""Planner and path solver on plain arrays: no video needed."""

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from reframe.analysis import Analysis
from reframe.config import PlanConfig
from reframe.croppath import CropPath
from reframe.detections import Detections, Kind
from reframe.pathsolver import Avoid, solve_path
from reframe import plan
from reframe.probe import VideoInfo

W, H, FPS = 1920, 1080, 25


def info(frames: int) -> VideoInfo:
    return VideoInfo(
        path=Path("synthetic.mp4"), width=W, height=H, coded_width=W, coded_height=H, rotation=0,
        sar=Fraction(1), fps=Fraction(FPS), time_base=Fraction(1, 12800), frame_count=frames,
        duration=frames / FPS, start_time=0.0, codec="h264", pix_fmt="yuv420p",
        timestamps=np.arange(frames) / FPS,
    )


def heads(*centres_x: float, size: float = 120, y: float = 300) -> Detections:
    boxes = [[cx - size / 2, y, cx + size / 2, y + size * 1.2] for cx in centres_x]
    return Detections(np.array(boxes), np.full(len(boxes), 0.9), np.full(len(boxes), Kind.FACE))


def analysis(frames: int, track, cuts=(), every: int = 5) -> Analysis:
    """``track(f)`` gives the head centres at frame f."""
    samples = {f: heads(*track(f)) for f in range(0, frames, every)}
    for c in cuts:  # the analysis samples the first frame of each shot
        samples[c] = heads(*track(c))
    return Analysis(info(frames), tuple(cuts), samples)


def centres(path: CropPath) -> np.ndarray:
    return path.windows[:, 0] + path.windows[:, 2] / 2


def test_still_subject_with_shake_gives_a_still_window():
    rng = np.random.default_rng(1)
    jitter = rng.normal(0, 4, 400)
    path = plan(analysis(400, lambda f: [500 + jitter[f]]))
    c = centres(path)
    assert np.ptp(c) == 0.0
    x, _, w, _ = path.window(0)
    assert x <= 440 and x + w >= 560  # the head is inside


def test_moving_subject_gives_bounded_speed_and_keeps_the_head_inside():
    cfg = PlanConfig(max_speed=0.5)
    track = lambda f: [300 + 5.0 * f]  # 125 px/s, well under the limit
    path = plan(analysis(250, track), cfg)
    c = centres(path)
    speed = np.abs(np.diff(c))
    assert speed.max() <= cfg.max_speed * W / FPS + 1e-6
    for f in range(0, 250, 5):
        x, _, w, _ = path.window(f)
        hx = track(f)[0]
        assert x <= hx - 60 + 1 and hx + 60 <= x + w + 1
    # A constant-speed subject gives a pan whose middle is at constant speed.
    mid = np.diff(c[80:170])
    assert np.ptp(mid) < 0.05


def test_no_motion_across_a_cut():
    track = lambda f: [400] if f < 100 else [1500]
    path = plan(analysis(200, track, cuts=(100,)))
    c = centres(path)
    assert [s.start for s in path.shots] == [0, 100]
    assert np.ptp(c[:100]) == 0.0 and np.ptp(c[100:]) == 0.0
    assert c[99] < 700 and c[100] > 1200


def test_two_far_apart_faces_are_never_sliced():
    path = plan(analysis(150, lambda f: [300, 1600]))
    for f in range(150):
        x, _, w, _ = path.window(f)
        for hx in (300, 1600):
            left, right = hx - 60, hx + 60
            inside = max(0.0, min(right, x + w) - max(left, x)) / 120
            assert inside in (0.0, 1.0) or inside > 0.99 or inside < 0.01


def test_two_close_faces_are_framed_together():
    path = plan(analysis(100, lambda f: [900, 1150]))
    x, _, w, _ = path.window(50)
    assert x <= 840 and x + w >= 1210


def test_salient_region_is_followed_when_no_one_is_there():
    box = Detections(np.array([[1500, 500, 1700, 700]]), np.array([0.8]), np.array([Kind.SALIENT]))
    a = Analysis(info(100), (), {f: box for f in range(0, 100, 5)})
    c = centres(plan(a))
    assert c[50] > 1300


def test_solver_ramp_is_constant_speed_and_still_segments_are_exact():
    t = np.concatenate([np.full(100, 400.0), np.linspace(400, 1200, 200), np.full(100, 1200.0)])
    c = solve_path(t, t - 50, t + 50, size=600, extent=1920, max_step=20, dead_zone=60)
    d = np.diff(c)
    assert np.ptp(c[:60]) == 0.0 and np.ptp(c[-40:]) == 0.0
    moving = d[np.abs(d) > 0.01]
    assert np.median(moving) == pytest.approx(4.0, abs=0.3)


def test_solver_respects_avoid_side():
    n = 60
    t = np.full(n, 700.0)
    c = solve_path(t, t - 50, t + 50, size=600, extent=1920, max_step=20, dead_zone=10,
                   avoid=[Avoid(i, 950, 1070, +1) for i in range(n)])
    assert np.all(c + 300 <= 950 + 1e-3)


def boxes(kind: Kind, *xyxy) -> Detections:
    return Detections(np.array(xyxy, float), np.full(len(xyxy), 0.8), np.full(len(xyxy), kind))


def test_an_animal_beside_a_person_is_framed_with_her():
    # Head at 700-820; a dog at 850-1100: together 400 px, inside a 607 px window.
    d = Detections.concat([heads(760), boxes(Kind.ANIMAL, [850, 600, 1100, 800])])
    path = plan(Analysis(info(100), (), {f: d for f in range(0, 100, 5)}))
    x, _, w, _ = path.window(50)
    assert x <= 700 and x + w >= 1100


def test_a_dog_pacing_too_far_from_her_is_kept_out_of_frame_most_of_the_time():
    # Head at 700-820; a dog 320 px wide pacing 960-1360 and back: never fits
    # with her in a 607 px window. Samples every 6 frames must weigh as much
    # as the frames they stand for, or the window drifts onto the dog.
    dog = {f: 1000 + 40 * np.sin(f / 15) for f in range(0, 300, 6)}
    samples = {
        f: Detections.concat([heads(760), boxes(Kind.PERSON, [660, 300, 860, 1000]),
                              boxes(Kind.ANIMAL, [d, 650, d + 320, 850])])
        for f, d in dog.items()
    }
    path = plan(Analysis(info(300), (), samples))
    sliced = 0
    for f in range(300):
        x, _, w, _ = path.window(f)
        d = dog[f - f % 6]
        inside = max(0.0, min(d + 320, x + w) - max(d, x)) / 320
        sliced += 0.15 < inside < 0.85
        assert x <= 700 and x + w >= 820  # her head, always
    assert sliced < 0.25 * 300, sliced


def test_before_anyone_arrives_the_camera_follows_what_moves():
    # Nobody for the first 3 s (a salient region at the right), then a face at the left.
    samples = {}
    for f in range(0, 200, 5):
        if f < 75:
            samples[f] = boxes(Kind.SALIENT, [1500, 400, 1700, 600])
        else:
            samples[f] = heads(300)
    c = centres(plan(Analysis(info(200), (), samples)))
    assert c[10] > 1300 and c[190] < 600


def test_an_object_seen_all_shot_outranks_a_bigger_one_passing_through():
    # A cup being filled (salient) on every sample; a kettle twice its size,
    # as salient, on a few samples only: the window stays on the cup.
    cup, kettle = [1300, 500, 1480, 700], [300, 300, 700, 700]
    samples = {}
    for f in range(0, 300, 6):
        objects = [cup, kettle] if 60 <= f < 110 else [cup]
        samples[f] = Detections.concat([boxes(Kind.OBJECT, *objects), boxes(Kind.SALIENT, *objects)])
    path = plan(Analysis(info(300), (), samples))
    assert path.shots[0].subject == "object"
    c = centres(path)
    assert np.ptp(c) == 0.0
    x, _, w, _ = path.window(80)
    assert x <= 1300 and x + w >= 1480


def test_a_salient_region_is_never_pushed_out_of_the_window():
    # A strong region and a weak one that fit together: both stay in.
    d = boxes(Kind.SALIENT, [800, 500, 1000, 700], [1020, 100, 1060, 140])
    d = Detections(d.xyxy, np.array([1.0, 0.2]), d.kind)
    x, _, w, _ = plan(Analysis(info(60), (), {f: d for f in range(0, 60, 5)})).window(30)
    assert x <= 800 and x + w >= 1060


def test_the_window_does_not_move_in_the_two_frames_after_a_cut():
    # The subject runs right from the first frame of the second shot.
    track = lambda f: [400] if f < 50 else [600 + 12.0 * (f - 50)]
    c = centres(plan(analysis(150, track, cuts=(50,), every=2), PlanConfig(motion="lively")))
    assert c[50] == c[51] == c[52]
    assert np.ptp(c[50:]) > 100  # it does follow afterwards


@pytest.mark.parametrize("motion", ["calm", "lively", "locked"])
def test_every_motion_keeps_a_walking_subject_in_frame(motion):
    track = lambda f: [400 + 3.0 * f]
    path = plan(analysis(300, track), PlanConfig(motion=motion))
    for f in range(0, 300, 10):
        x, _, w, _ = path.window(f)
        assert x <= track(f)[0] - 60 + 1 and track(f)[0] + 60 <= x + w + 1
    assert {s.motion for s in path.shots} == {motion}


def test_lively_recentres_most_and_locked_least():
    # The subject steps 150 px aside and stays: lively recentres on it, calm
    # part of the way, locked not at all (the head is still well inside).
    track = lambda f: [800] if f < 60 else [950]
    moved = {m: np.abs(np.diff(centres(plan(analysis(200, track), PlanConfig(motion=m))))).sum()
             for m in ("calm", "lively", "locked")}
    assert moved["locked"] == 0.0
    assert 0 < moved["calm"] < moved["lively"]


def test_unknown_motion_is_a_usage_error():
    from reframe.errors import UsageError

    with pytest.raises(UsageError):
        PlanConfig(motion="wobbly")


def test_pillarbox_bars_are_found_and_fades_are_not_bars():
    from reframe.bars import BarFinder

    rng = np.random.default_rng(0)
    bars = BarFinder()
    for i in range(20):
        thumb = np.full((90, 160, 3), 16, np.uint8)  # compressed black
        thumb[:, 20:140] = rng.integers(40, 255, (90, 120, 3)) if i % 5 else 0  # some frames fade to black
        bars.add(thumb)
    x, y, w, h = bars.content(1920, 1080)
    assert (y, h) == (0.0, 1080.0)
    assert 240 <= x <= 264 and 1656 <= x + w <= 1680

    full = BarFinder()
    full.add(rng.integers(40, 255, (90, 160, 3)).astype(np.uint8))
    assert full.content(1920, 1080) is None


def test_subtitles_printed_on_a_letterbox_bar_are_not_picture():
    # 2.39:1 in 16:9 (picture rows 12-77 of 90), subtitles in the bottom bar on
    # most frames; a logo in the top bar; a black line across the picture.
    from reframe.bars import BarFinder

    rng = np.random.default_rng(1)
    bars = BarFinder()
    for i in range(30):
        thumb = np.full((90, 160, 3), 16, np.uint8)
        thumb[12:78] = rng.integers(40, 255, (66, 160, 3))
        thumb[40:42] = 16
        if i % 4:
            thumb[82:87, 30 + i : 120 + i] = 180  # a line of text, smeared by the thumbnail
        thumb[3:7, 140:152] = 200  # a channel logo
        bars.add(thumb)
    x, y, w, h = bars.content(1920, 1080)
    assert (x, w) == (0.0, 1920.0)
    assert 12 * 12 <= y <= 15 * 12 and 76 * 12 <= y + h <= 78 * 12


def test_the_window_stays_inside_the_picture_between_bars():
    # 4:3 picture pillarboxed in 16:9 (x 240-1680); the subject stands at the picture's left edge.
    a = analysis(100, lambda f: [300])
    a = Analysis(a.info, a.cuts, a.samples, content=(240.0, 0.0, 1440.0, 1080.0))
    path = plan(a)
    assert path.windows[:, 0].min() >= 240 - 1e-6
    assert (path.windows[:, 0] + path.windows[:, 2]).max() <= 1680 + 1e-6


def _person_with_face(body, face) -> Detections:
    boxes = [body] + ([face] if face is not None else [])
    kinds = [Kind.PERSON] + ([Kind.FACE] if face is not None else [])
    return Detections(np.array(boxes, np.float32), np.full(len(boxes), 0.9), np.array(kinds))


@pytest.mark.parametrize("cut_by_the_edge", [True, False])
def test_a_face_lost_for_a_moment_is_held_inside_a_close_shot_body(cut_by_the_edge):
    # A close shot: the body fills the right of the frame and is cut by its
    # edge; the face, far from the body's top centre, goes undetected for
    # 0.8 s (a turned head). A whole body whose face is not seen again has
    # its head at its top centre instead.
    right = W if cut_by_the_edge else W - 200
    body, face = [300, 200, right, H if cut_by_the_edge else H - 200], [1560, 220, 1700, 390]
    lost = range(20, 40) if cut_by_the_edge else range(20, 100)
    samples = {f: _person_with_face(body, None if f in lost else face) for f in range(0, 100, 5)}
    path = plan(Analysis(info(100), (), samples))
    x, _, w, _ = path.window(30)
    inside = max(0.0, min(face[2], x + w) - max(face[0], x)) / (face[2] - face[0])
    if cut_by_the_edge:
        assert inside == 1.0  # the face is kept where it was last seen
    else:
        centre = (300 + right) / 2  # the head guessed at the top centre of the whole body
        assert x < centre < x + w


def test_a_face_missed_between_two_sightings_is_filled_in():
    """A whole body (no hold) whose face is missed for 1.2 s and found again in the same place."""
    body, face = [300, 200, W - 200, H - 200], [1560, 220, 1700, 390]
    samples = {f: _person_with_face(body, None if 20 <= f < 50 else face) for f in range(0, 100, 5)}
    x, _, w, _ = plan(Analysis(info(100), (), samples)).window(35)
    assert x <= face[0] and face[2] <= x + w


@pytest.mark.parametrize("n", [600, 1500])  # 1500 frames: the solver works on a coarser grid
def test_a_face_to_keep_out_weighs_the_same_on_short_and_long_shots(n):
    # A must-keep head at 800-900 and a face at 880-1000 to keep out: they
    # cannot both be satisfied, and the balance must not depend on the grid.
    t = np.full(n, 850.0)
    every = 5  # one keep-out constraint per sample, standing for the frames around it
    avoid = [Avoid(i, 880, 1000, +1, weight=3.0, frames=every) for i in range(0, n, every)]
    c = solve_path(t, t - 50, t + 50, size=600, extent=1920, max_step=20, dead_zone=10, avoid=avoid)
    assert c[n // 2] + 300 == pytest.approx(900, abs=1)  # the head kept whole; the face's cost is less
