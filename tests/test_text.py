"""On-screen text: the detector on generated pictures, the planner's rules on hand-made detections."""

from __future__ import annotations

import numpy as np
import pytest

from reframe.detect import TextDetector
from reframe.detections import Kind
from reframe.testing import textcards

pytest.importorskip("skimage.data")
pytest.importorskip("PIL")


@pytest.fixture(scope="module")
def texts():
    with TextDetector() as det:
        yield det


def _covers(found: np.ndarray, truth: np.ndarray, slack: float) -> bool:
    """``found`` holds all of ``truth`` and is no more than ``slack`` px larger on any side."""
    inside = np.all(found[:2] <= truth[:2] + 0.5) and np.all(found[2:] >= truth[2:] - 0.5)
    tight = np.all(np.abs(found - truth) <= slack)
    return bool(inside and tight)


@pytest.mark.parametrize("background", ["rocket", "coffee", "chelsea", "brick"])
def test_finds_a_title_and_a_lower_third(texts, background):
    img = textcards.background(background, 960, 540)
    title = textcards.draw_text(img, "THE LONG WAY HOME", 64, (480, 200))
    lower = textcards.draw_text(img, "Ada Lovelace, engineer", 30, (250, 460))
    found = texts.detect(img)
    assert np.all(found.kind == Kind.TEXT)
    assert len(found) == 2, found.xyxy
    order = np.argsort(found.xyxy[:, 1])
    assert _covers(found.xyxy[order[0]], title, slack=30)
    assert _covers(found.xyxy[order[1]], lower, slack=30)
    assert np.all(found.confidence > 0.6)


def test_no_text_no_boxes(texts):
    for background in ("rocket", "coffee", "chelsea"):
        assert len(texts.detect(textcards.background(background, 960, 540))) == 0


def test_boxes_in_the_given_pictures_pixels(texts):
    img = textcards.background("coffee", 1280, 720)
    title = textcards.draw_text(img, "CHAPTER ONE", 90, (640, 360))
    found = texts.detect(img)
    assert len(found) == 1 and _covers(found.xyxy[0], title, slack=40)


@pytest.mark.parametrize("background", ["rocket", "brick"])
def test_second_look_holds_a_small_title_closer(texts, background):
    # A title whose line is 5 % of the picture tall: on the first look's coarse map its box overshoots
    # by most of a line height, which decides whether a title a little wider than the window fits one.
    img = textcards.background(background, 1280, 720)
    title = textcards.draw_text(img, "THE LAST HARBOUR", 46, (640, 360))
    with TextDetector(refine=1) as coarse:
        (first,) = coarse.detect(img).xyxy
    (second,) = texts.detect(img).xyxy
    assert _covers(first, title, slack=40) and _covers(second, title, slack=40)
    assert (second[2] - second[0]) - (title[2] - title[0]) < 0.6 * ((first[2] - first[0]) - (title[2] - title[0]))


# -- the planner's rules, on detections built by hand --------------------------

from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

from reframe.analyze import Analysis  # noqa: E402
from reframe.config import PlanConfig  # noqa: E402
from reframe.detections import Detections  # noqa: E402
from reframe import plan  # noqa: E402
from reframe.probe import VideoInfo  # noqa: E402
from reframe.subtitles import SubtitleBand  # noqa: E402

W, H, FPS, N = 1920, 1080, 25, 100
WINDOW = H * 9 / 16  # 607.5: the full-height 9:16 window


def _info() -> VideoInfo:
    return VideoInfo(
        path=Path("synthetic.mp4"), width=W, height=H, coded_width=W, coded_height=H, rotation=0,
        sar=Fraction(1), fps=Fraction(FPS), time_base=Fraction(1, 12800), frame_count=N,
        duration=N / FPS, start_time=0.0, codec="h264", pix_fmt="yuv420p", timestamps=np.arange(N) / FPS,
    )


def _boxes(kind: Kind, *boxes) -> Detections:
    n = len(boxes)
    return Detections(np.array(boxes, np.float32), np.full(n, 0.9, np.float32), np.full(n, kind, np.int8))


def _plan(*parts: Detections, subtitles=(), **config):
    samples = {f: Detections.concat(list(parts)) for f in range(0, N, 5)}
    return plan(Analysis(_info(), (), samples, subtitles=tuple(subtitles)), PlanConfig(**config))


def _shows(path, box) -> bool:
    """Every window of the path holds all of ``box`` across."""
    x, w = path.windows[:, 0], path.windows[:, 2]
    return bool(np.all((x <= box[0] + 0.5) & (x + w >= box[2] - 0.5)))  # windows are rounded to 0.01 px


def _keeps_out(path, box) -> bool:
    """No window of the path shows any of ``box`` across."""
    x, w = path.windows[:, 0], path.windows[:, 2]
    return bool(np.all((x + w <= box[0] + 0.5) | (x >= box[2] - 0.5)))


def test_a_title_wider_than_any_window_shows_the_whole_picture():
    title = [200, 450, 1720, 630]
    path = _plan(_boxes(Kind.TEXT, title))
    shot = path.shots[0]
    assert (shot.subject, shot.layout) == ("text", "fit")
    assert "title wider than the window" in shot.reason


def test_a_title_a_little_wider_than_the_window_is_zoomed_out_to_keep_it_whole():
    title = [900, 450, 900 + 1.1 * WINDOW, 560]
    path = _plan(_boxes(Kind.TEXT, title))
    shot = path.shots[0]
    assert (shot.subject, shot.layout) == ("text", "follow") and "zoomed out" in shot.reason
    assert 1.1 < path.windows[0, 2] / WINDOW <= 1.25
    assert _shows(path, title)
    # With zoom forbidden the same title is shown whole the only other way.
    assert _plan(_boxes(Kind.TEXT, title), zoom_max=1.0).shots[0].layout == "fit"


def test_a_title_narrower_than_the_window_is_framed_whole_where_it_is():
    title = [1250, 450, 1700, 600]
    path = _plan(_boxes(Kind.TEXT, title), _boxes(Kind.SALIENT, [100, 100, 400, 400]))
    assert (path.shots[0].subject, path.shots[0].layout) == ("text", "follow")
    assert path.windows[0, 2] == pytest.approx(WINDOW)
    assert _shows(path, title)


def test_lines_of_one_title_are_one_block():
    lines = _boxes(Kind.TEXT, [700, 400, 1200, 480], [650, 500, 1250, 580])  # two lines, 600 px across together
    path = _plan(lines)
    assert path.shots[0].subject == "text" and path.shots[0].layout == "follow"
    assert path.windows[0, 2] > WINDOW  # zoomed out for the block, not for one line
    assert _shows(path, [650, 0, 1250, 0])


def test_text_beside_a_person_is_kept_out_and_never_outranks_them():
    head = [440, 300, 560, 444]
    lower_third = [1000, 800, 1700, 880]  # too far from the person to share a window
    path = _plan(_boxes(Kind.FACE, head), _boxes(Kind.TEXT, lower_third))
    assert path.shots[0].subject == "people" and path.shots[0].layout == "follow"
    assert _shows(path, head) and _keeps_out(path, lower_third)


def test_text_that_fits_with_a_person_is_kept_whole():
    head = [640, 300, 760, 444]
    sign = [820, 700, 1060, 780]
    alone = _plan(_boxes(Kind.FACE, head))
    assert not _shows(alone, sign)  # the person alone would cut the sign
    path = _plan(_boxes(Kind.FACE, head), _boxes(Kind.TEXT, sign))
    assert path.shots[0].subject == "people"
    assert _shows(path, head) and _shows(path, sign)


def test_a_wide_title_over_a_person_leaves_the_person_followed():
    head = [740, 300, 860, 444]
    title = [200, 600, 1720, 720]  # across the person, wider than any window
    path = _plan(_boxes(Kind.FACE, head), _boxes(Kind.TEXT, title))
    alone = _plan(_boxes(Kind.FACE, head))
    assert (path.shots[0].subject, path.shots[0].layout) == ("people", "follow")
    assert np.allclose(path.windows, alone.windows)


def test_small_text_does_not_disturb_framing():
    head = [440, 300, 560, 444]
    watermark = [1700, 1010, 1880, 1050]  # 40 px tall: a logo or copyright line
    alone = _plan(_boxes(Kind.FACE, head))
    with_mark = _plan(_boxes(Kind.FACE, head), _boxes(Kind.TEXT, watermark))
    assert np.allclose(with_mark.windows, alone.windows)
    assert _plan(_boxes(Kind.TEXT, watermark)).shots[0].subject == "none"


def test_text_in_a_subtitle_band_is_left_to_the_band():
    head = [440, 300, 560, 444]
    line = [560, 900, 1360, 980]
    band = SubtitleBand(0, N, (300.0, 880.0, 1320.0, 120.0))
    assert _plan(_boxes(Kind.TEXT, line)).shots[0].subject == "text"  # a title, without the band
    assert _plan(_boxes(Kind.TEXT, line), subtitles=[band]).shots[0].subject == "none"
    alone = _plan(_boxes(Kind.FACE, head))
    with_line = _plan(_boxes(Kind.FACE, head), _boxes(Kind.TEXT, line), subtitles=[band])
    assert np.allclose(with_line.windows, alone.windows)
    # Outside the band's frames the same line is text like any other.
    later = SubtitleBand(N, 2 * N, band.box)
    assert _plan(_boxes(Kind.TEXT, line), subtitles=[later]).shots[0].subject == "text"


# -- end to end: a generated title card ----------------------------------------


def _views_hold(path, box) -> bool:
    """Every frame shows all of ``box`` across: a fit shot shows the whole
    picture, a follow shot its window."""
    x, w = path.windows[:, 0], path.windows[:, 2]
    holds = (x <= box[0] + 0.5) & (x + w >= box[2] - 0.5)
    return all(shot.layout == "fit" or holds[shot.start:shot.end].all() for shot in path.shots)


@pytest.mark.parametrize(
    "text, size, layout",
    [("THE LONG WAY HOME", 44, "fit"), ("ONE WAY", 40, "follow")],
)
@pytest.mark.slow  # analysis of a whole clip
def test_a_title_card_is_shown_whole(tmp_path, text, size, layout):
    import reframe

    video = tmp_path / "title.mp4"
    title = textcards.title_card(video, text, size=size, seconds=2.0)
    window = 360 * 9 / 16
    assert title[2] - title[0] > window  # wider than the full-height window
    path = reframe.plan(reframe.analyze(reframe.probe(video)), reframe.PlanConfig(aspect="9:16"))
    shot = path.shots[0]
    assert (shot.subject, shot.layout) == ("text", layout), shot.reason
    if layout == "fit":
        assert shot.reason == "a title wider than the window: the whole picture"
    else:
        assert "zoomed out" in shot.reason and path.windows[0, 2] > window
    assert _views_hold(path, title)


def test_a_line_at_the_same_place_near_the_edge_in_several_shots_is_an_overlay():
    """A copyright line burned into the whole video is no shot's subject; a title
    at the same place in two shots still is."""
    copyright_line = [100, 960, 900, 1040]
    title = [560, 450, 1360, 600]
    samples = {f: _boxes(Kind.TEXT, copyright_line) for f in range(0, N, 5)}
    overlaid = plan(Analysis(_info(), (50,), samples), PlanConfig())
    assert [s.subject for s in overlaid.shots] == ["none", "none"]
    samples = {f: _boxes(Kind.TEXT, title) for f in range(0, N, 5)}
    titled = plan(Analysis(_info(), (50,), samples), PlanConfig())
    assert [s.subject for s in titled.shots] == ["text", "text"]
    # In one shot only, the same line near the edge is text like any other.
    assert _plan(_boxes(Kind.TEXT, copyright_line)).shots[0].subject == "text"


def test_a_logo_in_a_corner_does_not_disturb_framing():
    head = [1380, 300, 1500, 444]
    logo = [1600, 960, 1920, 1060]  # bottom right, against the edge, like a channel's logo
    alone = _plan(_boxes(Kind.FACE, head))
    assert not _shows(alone, logo) and not _keeps_out(alone, logo)  # followed alone, the person cuts it
    with_logo = _plan(_boxes(Kind.FACE, head), _boxes(Kind.TEXT, logo))
    assert np.allclose(with_logo.windows, alone.windows)
    assert _plan(_boxes(Kind.TEXT, logo)).shots[0].subject == "none"
