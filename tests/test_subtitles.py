"""The subtitle finder on generated clips: subtitles of many looks are found where
they are, for as long as they show; text that is not subtitles is left alone."""

from __future__ import annotations

import numpy as np
import pytest

from reframe.detect.subtitles import SubtitleFinder
from reframe.frames import FrameReader
from reframe.probe import probe
from reframe.testing import subtitle_media as sm

# Whole generated clips analysed or encoded: left out of the quick run.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def subtitle_clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("subtitles")
    made: dict[str, sm.SubtitleTruth] = {}

    def get(name: str) -> sm.SubtitleTruth:
        if name not in made:
            made[name] = sm.make(name, folder)
        return made[name]

    return get


def find(truth: sm.SubtitleTruth):
    info = probe(truth.path)
    finder = SubtitleFinder(info)
    with FrameReader(info, fast_decode=True, threads=1) as reader:
        for frame in reader:
            finder.add(frame)
    return finder.finish(truth.cut_frames), finder


@pytest.mark.parametrize("name", list(sm.POSITIVES))
def test_subtitles_are_found_where_and_while_they_show(subtitle_clips, name):
    truth = subtitle_clips(name)
    bands, finder = find(truth)
    stretches = truth.stretches(int(SubtitleFinder.GAP * float(truth.fps)))
    assert len(stretches) == 1
    start, end, box = stretches[0]
    assert len(bands) == 1, bands
    band = bands[0]
    assert sm.iou(band.box, box) >= 0.75, (band.box, box)
    # Timing to within a look (a few frames) at both ends.
    assert abs(band.start - start) <= finder.step + 1, (band.start, start)
    assert abs(band.end - end) <= finder.step + 1, (band.end, end)
    # The band holds every line shown (to within a few pixels).
    x, y, w, h = band.box
    slack = 3 + 0.01 * truth.width
    for lines in truth.boxes[band.start : band.end]:
        for lx, ly, lw, lh in lines:
            assert x <= lx + slack and y <= ly + slack, (band.box, (lx, ly, lw, lh))
            assert lx + lw <= x + w + slack and ly + lh <= y + h + slack, (band.box, (lx, ly, lw, lh))


@pytest.mark.parametrize("name", sm.NEGATIVES)
def test_text_that_is_not_subtitles_is_left_alone(subtitle_clips, name):
    bands, _ = find(subtitle_clips(name))
    assert bands == ()


def test_the_analysis_reports_the_bands(subtitle_clips):
    from reframe import analyze

    truth = subtitle_clips("sans_outline")
    analysis = analyze(truth.path)
    assert len(analysis.subtitles) == 1
    (start, end, box), = truth.stretches(int(SubtitleFinder.GAP * float(truth.fps)))
    assert sm.iou(analysis.subtitles[0].box, box) >= 0.75


def test_truth_boxes_hold_the_ink_of_each_line():
    style = sm.Style(font="serif-bold", outline=2, shadow=2)
    drawn = sm.render_cue(("Two lines of text,", "the second one shorter."), style, 640, 360)
    assert len(drawn.boxes) == 2
    frame = np.zeros((360, 640, 3), np.float32)
    sm.composite(frame, drawn)
    ink = frame.max(axis=2) > 0
    ink_rows = np.flatnonzero(ink.any(axis=1))
    top, bottom = drawn.boxes[0], drawn.boxes[1]
    assert top[1] + top[3] <= bottom[1]  # one box per line, the first above
    assert ink_rows.min() >= top[1] and ink_rows.max() < bottom[1] + bottom[3]
    ink_cols = np.flatnonzero(ink.any(axis=0))
    assert ink_cols.min() >= min(top[0], bottom[0]) and ink_cols.max() < max(top[0] + top[2], bottom[0] + bottom[2])


def test_chinese_text_is_drawn_in_a_chinese_font():
    from PIL import ImageFont

    font = ImageFont.truetype(sm.font_path("cjk"), 40)
    # A font without the glyphs draws every character as the same box.
    masks = [np.asarray(font.getmask(c)) for c in "你好世界"]
    assert len({m.tobytes() for m in masks}) == 4
