"""Layouts (follow, split, fit), zoom and crop path version 2: on plain arrays, then on generated clips."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from test_plan import FPS, H, W, analysis, heads, info

from reframe.analysis import Analysis
from reframe.render.compose import Compositor
from reframe.config import Aspect, PlanConfig
from reframe.croppath import CropPath
from reframe.detections import Detections, Kind
from reframe.errors import CropPathError, UsageError
from reframe import plan
from reframe.evaluation import Annotation, score
from reframe import render
from reframe.render import _Warper
from reframe.testing import media

FULL = H * 9 / 16  # the full-height 9:16 window of a 1920x1080 source


def head_boxes(path: CropPath, frame: int) -> np.ndarray:
    """Head boxes ``[x1, y1, x2, y2]`` the analysis saw on a sampled frame."""
    d = path.detections[frame]
    return d.xyxy[d.kind == Kind.FACE]


def share_inside(box, window) -> float:
    x1, y1, x2, y2 = box
    wx, wy, ww, wh = window
    ix = max(0.0, min(x2, wx + ww) - max(x1, wx))
    iy = max(0.0, min(y2, wy + wh) - max(y1, wy))
    return ix * iy / ((x2 - x1) * (y2 - y1))


def sway(*xs: float):
    return lambda f: [x + 30 * np.sin(f / 9 + k) for k, x in enumerate(xs)]


# -- planning on plain arrays ---------------------------------------------------


@pytest.mark.parametrize("gap", [700, 900, 1200, 1500])
def test_two_far_apart_people_are_never_sliced_by_a_follow_window(gap):
    path = plan(analysis(150, sway(960 - gap / 2, 960 + gap / 2)), PlanConfig(layout="follow"))
    assert path.shots[0].layout == "follow"
    for f in sorted(path.detections):
        for box in head_boxes(path, f):
            s = share_inside(box, path.windows[f])
            assert s < 0.02 or s > 0.98, (f, box, path.windows[f], s)


def test_auto_splits_two_people_who_cannot_share_a_window_one_panel_each():
    path = plan(analysis(150, sway(420, 1500)))
    shot = path.shots[0]
    assert shot.layout == "split" and "two people" in shot.reason
    left, right = path.panels[0]
    assert left.shape == right.shape == (150, 4)
    for f in sorted(path.detections):
        a, b = sorted(head_boxes(path, f), key=lambda box: box[0])
        assert share_inside(a, left[f]) == 1.0 and share_inside(b, left[f]) == 0.0
        assert share_inside(b, right[f]) == 1.0 and share_inside(a, right[f]) == 0.0
    # Each panel has the output's half aspect (9:8) and stays inside the picture.
    assert np.allclose(left[:, 2] / left[:, 3], 9 / 8) and np.allclose(right[:, 2] / right[:, 3], 9 / 8)
    assert left[:, 0].min() >= 0 and (right[:, 0] + right[:, 2]).max() <= W
    # A still pair gives still panels.
    still = plan(analysis(150, lambda f: [420, 1500]))
    assert np.ptp(still.panels[0], axis=1).max() == 0


def test_two_close_people_get_a_slightly_wider_window_of_the_same_aspect():
    path = plan(analysis(100, lambda f: [700, 1150]))
    shot = path.shots[0]
    assert shot.layout == "follow" and "zoomed out" in shot.reason
    x, y, w, h = path.window(50)
    assert FULL < w <= 1.25 * FULL and w / h == pytest.approx(9 / 16, abs=1e-3)
    assert y < 0 and y + h > H  # taller than the picture: padded above and below
    for box in head_boxes(path, 50):
        assert share_inside(box, (x, y, w, h)) == 1.0
    # Without zoom the window keeps the full height and one of them is left wholly out.
    flat = plan(analysis(100, lambda f: [700, 1150]), PlanConfig(zoom_max=1.0))
    assert flat.window(50)[2:] == (FULL, H)
    assert sorted(round(share_inside(b, flat.window(50)), 2) for b in head_boxes(flat, 50)) == [0.0, 1.0]


@pytest.mark.parametrize("size", [1.1 * FULL, 1.5 * FULL, 2.5 * FULL])
def test_a_close_up_wider_than_the_window_is_followed_tight_on_its_core_never_shrunk(size):
    """An editor crops a close-up tight and never shrinks it: the full-height window, on the face's centre."""
    samples = {f: heads(900, size=size, y=100) for f in range(0, 100, 5)}
    path = plan(Analysis(info(100), (), samples))
    shot = path.shots[0]
    assert shot.layout == "follow" and "close-up" in shot.reason and "eyes, nose and mouth" in shot.reason
    x, y, w, h = path.window(50)
    assert (w, h) == (FULL, H)  # the magnification of a full-height window, whatever zoom_max allows
    # The eyes-nose-mouth core (the middle 60 % of the face box, or what the window can hold) is in.
    core = min(0.6 * size, 0.9 * FULL)
    assert x <= 900 - core / 2 and x + w >= 900 + core / 2


def test_a_close_up_cut_by_the_frame_edge_keeps_the_window_inside_the_picture():
    samples = {f: heads(60, size=1.4 * FULL, y=100) for f in range(0, 100, 5)}  # half the face beyond the left edge
    path = plan(Analysis(info(100), (), samples))
    x, y, w, h = path.window(50)
    assert (x, w) == (0, FULL) and path.shots[0].layout == "follow"


def figures(*centres_x: float, face: float = 60, body_half: float = 110) -> Detections:
    """Full figures: a small face and the body box below it, per centre."""
    faces = [[cx - face / 2, 200, cx + face / 2, 200 + face * 1.2] for cx in centres_x]
    bodies = [[cx - body_half, 170, cx + body_half, 1000] for cx in centres_x]
    kinds = [Kind.FACE] * len(faces) + [Kind.PERSON] * len(bodies)
    return Detections(np.array(faces + bodies), np.full(len(kinds), 0.9), np.array(kinds))


def test_two_people_apart_are_split_into_panels_that_show_no_part_of_the_other():
    path = plan(Analysis(info(100), (), {f: figures(500, 1400) for f in range(0, 100, 5)}))
    assert path.shots[0].layout == "split"
    left, right = path.panels[0]
    # Each panel holds its own face and leaves the other person's body (x 1290-1510, 390-610) wholly out.
    assert np.all(left[:, 0] + left[:, 2] <= 1290 + 1) and np.all(right[:, 0] >= 610 - 1)
    assert np.all(left[:, 0] <= 470) and np.all(left[:, 0] + left[:, 2] >= 530)
    assert np.all(right[:, 0] <= 1370) and np.all(right[:, 0] + right[:, 2] >= 1430)


def test_two_people_overlapping_in_depth_are_not_split():
    near = Detections(  # a person close to the camera whose body reaches across the other's head
        np.array([[570, 200, 630, 272], [1360, 200, 1440, 296], [450, 170, 750, 1000], [520, 150, 1900, 1080]]),
        np.full(4, 0.9), np.array([Kind.FACE, Kind.FACE, Kind.PERSON, Kind.PERSON]),
    )
    path = plan(Analysis(info(100), (), {f: near for f in range(0, 100, 5)}))
    assert path.shots[0].layout == "follow" and "too close for a panel each" in path.shots[0].reason


def test_two_people_shoulder_to_shoulder_share_one_window_cropped_tight_on_their_faces():
    # Whole heads too wide apart for one window within --zoom-max, each body reaching
    # into the other's head (no panel can leave the other out), the faces close enough.
    close = Detections(
        np.array([[620, 200, 880, 500], [1020, 200, 1280, 500], [450, 250, 1060, 1080], [840, 250, 1450, 1080]]),
        np.full(4, 0.9), np.array([Kind.FACE, Kind.FACE, Kind.PERSON, Kind.PERSON]),
    )
    path = plan(Analysis(info(100), (), {f: close for f in range(0, 100, 5)}))
    shot = path.shots[0]
    assert shot.layout == "follow" and "both faces" in shot.reason, shot.reason
    x, _, w, _ = path.windows.T
    assert np.all(w <= 1.25 * FULL + 1)
    for face in ((620, 880), (1020, 1280)):  # each face's middle two thirds always in the window
        mid, third = sum(face) / 2, (face[1] - face[0]) / 3
        assert np.all(x <= mid - third) and np.all(x + w >= mid + third)


def test_two_people_apart_follow_the_speaker_before_splitting():
    """One window for both when it can; else the one speaking; a split only without a speaker."""
    samples, speech = {}, {}
    for f in range(0, 150, 5):
        talking = 0 if f < 75 else 1
        d = heads(420, 1500)
        samples[f] = d.with_activity(np.array([0.5 if k == talking else 0.01 for k in range(2)], np.float32))
        speech[f] = 1.0
    path = plan(Analysis(info(150), (), samples, speech=speech))
    shot = path.shots[0]
    assert shot.layout == "follow" and "speaker followed" in shot.reason
    centre = path.windows[:, 0] + path.windows[:, 2] / 2
    assert abs(centre[40] - 420) < FULL / 2 and abs(centre[140] - 1500) < FULL / 2
    # A cut to the new speaker, not a pan across the empty middle: every frame shows one of them whole.
    on_one = (np.abs(centre - 420) < FULL / 2 - 60) | (np.abs(centre - 1500) < FULL / 2 - 60)
    assert on_one.all() and "cut to the next speaker" in shot.note
    assert plan(Analysis(info(150), (), samples)).shots[0].layout == "split"  # the same shot without audio


def test_more_than_two_people_spread_wide_are_fitted_and_one_person_is_followed():
    three = plan(analysis(100, lambda f: [300, 960, 1600]))
    assert three.shots[0].layout == "fit" and three.shots[0].reason.startswith("3 people")
    assert three.views()[0, 0].tolist() == pytest.approx([0, H / 2 - W * 16 / 9 / 2, W, W * 16 / 9])
    one = plan(analysis(100, lambda f: [500]))
    assert one.shots[0].layout == "follow" and one.shots[0].reason == "one principal person followed"
    assert not one.panels


def test_layout_choices_per_shot_and_forced_layouts():
    two_then_one = analysis(200, lambda f: [420, 1500] if f < 100 else [900], cuts=(100,))
    auto = plan(two_then_one)
    assert [s.layout for s in auto.shots] == ["split", "follow"]
    assert set(auto.panels) == {0}
    forced = plan(two_then_one, PlanConfig(layout="split"))
    assert [s.layout for s in forced.shots] == ["split", "follow"]
    assert "not two people" in forced.shots[1].reason
    assert [s.layout for s in plan(two_then_one, PlanConfig(layout="fit")).shots] == ["fit", "fit"]
    follow = plan(two_then_one, PlanConfig(layout="follow"))
    assert [s.layout for s in follow.shots] == ["follow", "follow"]
    assert set(follow.panels) == {0}  # kept, so the shot can be switched to split by hand
    # The main window path is the same whatever the layout: it is the follow fallback.
    assert np.array_equal(follow.windows, auto.windows)
    with pytest.raises(UsageError):
        PlanConfig(layout="mosaic")
    with pytest.raises(UsageError):
        PlanConfig(zoom_max=0.5)


# -- the crop path, version 2 ---------------------------------------------------


def test_version_2_round_trips_layouts_panels_and_content():
    path = plan(analysis(120, sway(420, 1500), cuts=(60,)))
    data = json.loads(path.to_json())
    assert data["version"] == 3 and data["content"] == [0, 0, W, H]
    shot = data["shots"][0]
    assert {"layout", "motion", "reason", "panels"} <= set(shot)
    assert [p[0][0] for p in shot["panels"]] == [0, 0] and shot["panels"][0][-1][0] == 59
    assert len(shot["panels"][0]) < 60  # keyframes, not one window per frame
    assert CropPath.from_json(path.to_json()) == path


def test_detections_are_written_only_when_asked_and_older_files_keep_theirs(tmp_path):
    path = plan(analysis(60, sway(420, 1500)))
    assert "detections" not in json.loads(path.to_json())
    carried = json.loads(path.to_json(with_detections=True))
    assert len(carried["detections"]) == len(path.detections)
    path.save(tmp_path / "p.json", with_detections=True)
    loaded = CropPath.load(tmp_path / "p.json")
    assert sorted(loaded.detections) == sorted(path.detections)
    assert np.allclose(loaded.detections[0].xyxy, path.detections[0].xyxy, atol=0.05)
    assert CropPath.from_json(path.to_json()).detections is None  # not carried: none, not "nothing found"
    older = {**carried, "version": 2}  # files before the choice always carried them
    assert sorted(CropPath.from_dict(older).detections) == sorted(path.detections)


def test_version_1_files_still_load_as_follow_over_the_whole_picture():
    v1 = {
        "format": "reframe.croppath", "version": 1,
        "source": {"name": "a.mp4", "width": W, "height": H, "fps": "25/1", "frame_count": 50, "duration": 2.0},
        "aspect": "9:16",
        "shots": [{"start": 0, "end": 50, "subject": "people", "motion": "calm", "note": "people followed"}],
        "keyframes": [[0, 100, 0, FULL, H], [49, 300, 0, FULL, H]],
    }
    path = CropPath.from_dict(v1)
    assert path.shots[0].layout == "follow" and path.content_box == (0, 0, W, H) and not path.panels
    assert path.windows[49].tolist() == [300, 0, FULL, H]
    assert path.with_layout("fit").views()[0, 0, 2] == W
    assert path.with_layout("split").shots[0].layout == "follow"  # no panels: left as it was
    with pytest.raises(CropPathError, match="no panels"):
        path.with_layout("split", [0])
    with pytest.raises(CropPathError, match="split but no panels"):
        CropPath.from_dict({**v1, "shots": [{**v1["shots"][0], "layout": "split"}]})
    with pytest.raises(CropPathError, match="layout 'grid'"):
        CropPath.from_dict({**v1, "shots": [{**v1["shots"][0], "layout": "grid"}]})
    with pytest.raises(CropPathError, match="version 4"):
        CropPath.from_dict({**v1, "version": 4})


def test_coverage_counts_a_face_shown_in_either_panel():
    path = plan(analysis(100, lambda f: [420, 1500]))
    ann = Annotation.from_dict({
        "clip": "synthetic.mp4", "width": W, "height": H, "fps": FPS, "frames": 100, "shots": [[0, 99]],
        "keyframes": [{"frame": f, "must": [[360, 300, 120, 144], [1440, 300, 120, 144]]} for f in (10, 50, 90)],
    })
    assert score(path.views(), ann, "9:16").coverage == 1.0
    assert score(path.windows, ann, "9:16").coverage == 0.0  # one window cannot hold both


# -- compositing on plain planes ------------------------------------------------


def planes_with_edges(w: int = 640, h: int = 360):
    """Grey planes with a white stripe at the left and right edges of the picture."""
    y = np.full((h, w), 100, np.uint8)
    y[:, :24] = y[:, -24:] = 235
    return y, np.full((h // 2, w // 2), 128, np.uint8), np.full((h // 2, w // 2), 128, np.uint8)


def test_fit_shows_the_whole_picture_width_between_blurred_bands():
    path = plan(analysis(10, lambda f: [500]), PlanConfig(layout="fit"))
    path = CropPath(path.source, Aspect(9, 16), path.windows, path.shots)
    src = info(10)
    y, u, v = planes_with_edges(W, H)
    comp = Compositor(path, src, 540, 960, _Warper(src))
    out = comp.frame((y, u, v), 0)[:960]
    band = (960 - 304) // 2  # the picture is 540 x 304 at the vertical centre
    middle = out[band + 8 : 960 - band - 8]
    assert middle[:, :5].min() > 200 and middle[:, -5:].min() > 200  # both edges of the source are shown
    assert middle[:, 100:440].max() < 120
    top = out[: band - 8].astype(int)
    assert np.abs(np.diff(top, axis=1)).max() <= 3  # blurred: no sharp edge in the bands


def test_split_puts_each_panel_in_its_half():
    path = plan(analysis(10, lambda f: [420, 1500]))
    y = np.zeros((H, W), np.uint8)
    y[:, : W // 2] = 60
    y[:, W // 2 :] = 200
    u = v = np.full((H // 2, W // 2), 128, np.uint8)
    out = Compositor(path, info(10), 540, 960, _Warper(info(10))).frame((y, u, v), 5)[:960]
    assert np.all(out[:480] == 60) and np.all(out[480:] == 200)


# -- generated clips ------------------------------------------------------------


@pytest.fixture(scope="module")
def pair(synthetic_media_dir: Path) -> media.Pair:
    return media.two_people(synthetic_media_dir / "two_people.mp4")


def faces_in(rgb: np.ndarray, detector) -> np.ndarray:
    d = detector.detect(np.ascontiguousarray(rgb))
    return d.xyxy[d.kind == Kind.FACE]


def frame_rgb(path: Path, index: int) -> np.ndarray:
    import av

    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i == index:
                return f.to_ndarray(format="rgb24")
    raise AssertionError(f"{path} has no frame {index}")


@pytest.mark.slow
def test_two_people_clip_is_split_and_each_panel_shows_one_face(pair, tmp_path):
    from reframe.detect import FaceDetector
    from reframe import plan as plan_video

    path = plan_video(pair.path)
    assert [s.layout for s in path.shots] == ["split"]
    for f in range(0, 50, 10):
        for k in range(2):
            x, y, w, h = pair.head_boxes[f, k]
            assert share_inside((x, y, x + w, y + h), path.panels[0][k, f]) > 0.95
    dst = tmp_path / "split.mp4"
    render(pair.path, path, dst)
    rgb = frame_rgb(dst, 25)
    assert rgb.shape == (1920, 1080, 3)
    with FaceDetector() as detector:
        top, bottom = faces_in(rgb[:960], detector), faces_in(rgb[960:], detector)
        assert len(top) == 1 and len(bottom) == 1
        # Edited by hand to fit, the same path renders the whole picture: both faces side by side.
        path_json = tmp_path / "p.json"
        path.save(path_json)
        data = json.loads(path_json.read_text())
        data["shots"][0]["layout"] = "fit"
        path_json.write_text(json.dumps(data))
        fitted = tmp_path / "fit.mp4"
        render(pair.path, CropPath.load(path_json), fitted)
        rgb = frame_rgb(fitted, 25)
        found = faces_in(rgb, detector)
    assert len(found) == 2
    band = (1920 - 608) // 2
    assert all(band - 4 <= b[1] and b[3] <= 1920 - band + 4 for b in found)  # inside the sharp picture
    centres = sorted((found[:, 0] + found[:, 2]) / 2)
    assert centres[0] < 300 and centres[1] > 780  # one at each side: the whole width is shown


@pytest.mark.parametrize("track", [lambda f: [500 + 3.3 * f], lambda f: [420, 1500], lambda f: [700, 1150]])
def test_frames_composed_into_the_encoders_padded_planes_match_the_plain_buffer(track):
    import av

    from reframe.frames import plane_array

    rng = np.random.default_rng(0)
    src = (
        rng.integers(0, 255, (H, W), np.uint8),
        rng.integers(0, 255, (H // 2, W // 2), np.uint8),
        rng.integers(0, 255, (H // 2, W // 2), np.uint8),
    )
    path = plan(analysis(20, track))
    comp = Compositor(path, info(20), 1080, 1920, _Warper(info(20)))
    for f in (0, 7, 13):
        plain = comp.frame(src, f).copy()
        frame = av.VideoFrame(1080, 1920, "yuv420p")
        assert frame.planes[0].line_size > 1080  # rows padded: the views are not contiguous
        comp.frame(src, f, tuple(plane_array(p) for p in frame.planes[:3]))
        assert np.array_equal(frame.to_ndarray(), plain)
