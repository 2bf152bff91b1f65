"""Burned-in subtitles shown whole: planning, the crop path's subtitle fields, composition, end to end."""

from __future__ import annotations

import dataclasses
import functools
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from test_plan import H, W, analysis

from reframe import plan
from reframe.render.compose import Compositor
from reframe.config import PlanConfig
from reframe.croppath import CropPath
from reframe.errors import CropPathError, UsageError
from reframe.render import _Warper
from reframe.subtitle_place import MovedBand
from reframe.subtitles import SubtitleBand
from reframe.testing import media, people
from reframe.testing import subtitle_media as sm

LINE = "Subtitles shown whole"
BOTTOM_FIFTH = sm.BOTTOM_FIFTH  # phone apps cover the output below this share of its height
# A white line with a black outline near the bottom, as burned-in subtitles look.
LINE_STYLE = sm.Style(font="sans-bold", size=0.075, outline=3, margin=0.035)


def with_bands(a, *bands: SubtitleBand):
    return dataclasses.replace(a, subtitles=bands)


def draw_line(gray: np.ndarray, text: str, style: sm.Style = LINE_STYLE) -> tuple[float, float, float, float]:
    """``text`` drawn onto a grey plane in place by the subtitle generator; its exact box."""
    drawn = sm.render_cue((text,), style, gray.shape[1], gray.shape[0])
    rgb = np.repeat(gray[..., None].astype(np.float32), 3, axis=2)
    sm.composite(rgb, drawn)
    gray[:] = np.clip(rgb.mean(axis=2) + 0.5, 0, 255).astype(np.uint8)
    return drawn.boxes[0]


def source_planes():
    """A 1920x1080 picture (a dim gradient, nothing brighter than 180) with one subtitle line near the bottom."""
    planes, line = _source_planes()
    return tuple(p.copy() for p in planes), line


@functools.cache
def _source_planes():
    # Drawing the line is the costly part, and it is the same every time: drawn once, copied for each test.
    y = np.tile(np.linspace(40, 170, W, dtype=np.float32), (H, 1)).astype(np.uint8)
    line = draw_line(y, LINE)
    u = np.full((H // 2, W // 2), 128, np.uint8)
    return (y, u, u.copy()), line


# -- planning and the crop path -------------------------------------------------


def test_move_records_the_band_and_a_place_above_the_bottom_fifth_for_every_aspect():
    band = SubtitleBand(0, 100, (330, 970, 1000, 70))
    a = with_bands(analysis(100, lambda f: [600]), band)
    for aspect in ("9:16", "4:5", "1:1", "16:9"):
        moved = plan(a, PlanConfig(aspect=aspect)).shots[0].subtitles
        bx, by, bw, bh = moved.band
        assert bx <= 330 and by <= 970 and bx + bw >= 1330 and by + bh >= 1040  # the lines, whole, and a margin
        x, y, w, h = moved.place
        assert 0 <= x and x + w <= 1 and y + h <= BOTTOM_FIFTH + 1e-9 and y > 0.5
        assert x == pytest.approx((1 - w) / 2, abs=1e-4)  # centred
    assert plan(a, PlanConfig(subtitles="auto")).shots[0].subtitles == plan(a).shots[0].subtitles
    assert plan(a, PlanConfig(subtitles="crop")).shots[0].subtitles is None
    assert plan(analysis(100, lambda f: [600])).shots[0].subtitles is None  # no band found: nothing to move


def test_the_band_keeps_one_text_size_across_shots_and_only_shots_showing_it_move_it():
    a = with_bands(
        analysis(300, lambda f: [600], cuts=(100, 200)),
        SubtitleBand(10, 90, (260, 970, 1400, 70)),  # a long line in the first shot
        SubtitleBand(120, 180, (660, 970, 600, 70)),  # a short one in the second
        SubtitleBand(199, 203, (660, 970, 600, 70)),  # a few frames in the third: not enough
    )
    first, second, third = (s.subtitles for s in plan(a).shots)
    assert third is None
    scale = [m.place[2] / m.band[2] for m in (first, second)]  # output widths per source pixel
    assert scale[0] == pytest.approx(scale[1], rel=1e-3)
    assert first.place[2] == pytest.approx(1.0)


def test_move_lets_split_panels_leave_the_band_rows_and_keep_holds_the_band_whole():
    band = SubtitleBand(0, 120, (330, 930, 1260, 110))
    split = plan(with_bands(analysis(120, lambda f: [420, 1500]), band))
    assert split.shots[0].layout == "split"
    assert (split.panels[0][:, :, 1] + split.panels[0][:, :, 3]).max() <= 930
    # keep: a line wider than the widest window: the whole picture.
    kept = plan(with_bands(analysis(120, lambda f: [600]), band), PlanConfig(subtitles="keep"))
    assert kept.shots[0].layout == "fit" and "subtitles" in kept.shots[0].reason
    assert kept.shots[0].subtitles is None
    # A line a little wider than the window: zoomed out to hold it, the window around it.
    short = SubtitleBand(0, 120, (900, 970, 680, 70))
    zoomed = plan(with_bands(analysis(120, lambda f: [400]), short), PlanConfig(subtitles="keep"))
    shot = zoomed.shots[0]
    assert shot.layout == "follow" and "subtitles" in shot.reason
    x, _, w, _ = zoomed.window(60)
    assert x <= 900 - 2 and x + w >= 1580 + 2


def test_subtitle_option_is_validated():
    with pytest.raises(UsageError, match="subtitles 'hide'"):
        PlanConfig(subtitles="hide")


def test_crop_path_round_trips_the_subtitle_fields():
    a = with_bands(analysis(120, lambda f: [600], cuts=(60,)), SubtitleBand(0, 60, (330, 970, 1000, 70)))
    path = plan(a)
    data = json.loads(path.to_json())
    first, second = data["shots"]
    assert data["version"] == 3 and set(first["subtitles"]) == {"band", "place"} and "subtitles" not in second
    loaded = CropPath.from_json(path.to_json())
    assert loaded == path and loaded.shots[0].subtitles == path.shots[0].subtitles


def test_version_2_files_load_without_subtitles_and_bad_fields_are_refused():
    path = plan(with_bands(analysis(50, lambda f: [600]), SubtitleBand(0, 50, (330, 970, 1000, 70))))
    data = json.loads(path.to_json())
    v2 = {**data, "version": 2, "shots": [{k: v for k, v in data["shots"][0].items() if k != "subtitles"}]}
    assert CropPath.from_dict(v2).shots[0].subtitles is None

    def shot_with(subtitles):
        return {**data, "shots": [{**data["shots"][0], "subtitles": subtitles}]}

    cases = [
        ({"band": [0, 1000, 2000, 70], "place": [0, 0.7, 1, 0.04]}, "leaves the 1920x1080 source"),
        ({"band": [0, 1000, 1900, 70], "place": [0, 0.7, 1.2, 0.04]}, "must lie inside the output"),
        ({"band": [0, 1000, 1900, 70], "place": [0, 0.7, 1, 0]}, "must lie inside the output"),
        ({"band": [0, 1000, 1900], "place": [0, 0.7, 1, 0.04]}, r"band must be four numbers"),
        ({"band": [0, 1000, 1900, 70]}, r'"subtitles" must be an object with "band" and "place"'),
        ([0, 1, 2, 3], r'"subtitles" must be an object'),
    ]
    for subtitles, message in cases:
        with pytest.raises(CropPathError, match=message) as e:
            CropPath.from_dict(shot_with(subtitles))
        assert str(e.value).startswith("shot [0, 50)")
    assert MovedBand((1, 2, 3, 4), (0, 0, 1, 1)) == MovedBand.from_dict({"band": [1, 2, 3, 4], "place": [0, 0, 1, 1]}, "")


# -- composing on plain planes --------------------------------------------------


def found(out: np.ndarray, template: np.ndarray) -> tuple[float, tuple[int, int]]:
    """The best normalised match of ``template`` in ``out``: score and top-left corner."""
    res = cv2.matchTemplate(out, template, cv2.TM_CCOEFF_NORMED)
    _, score, _, corner = cv2.minMaxLoc(res)
    return score, corner


CASES = {
    "follow": (lambda f: [600], PlanConfig()),
    "split": (lambda f: [420, 1500], PlanConfig()),
    "fit": (lambda f: [600], PlanConfig(layout="fit")),
    "zoom": (lambda f: [700, 1150], PlanConfig()),
    "square": (lambda f: [600], PlanConfig(aspect="1:1")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_band_lands_whole_at_its_place_and_is_not_repeated_in_the_picture(case):
    src, line = source_planes()
    track, config = CASES[case]
    a = with_bands(analysis(20, track), SubtitleBand(0, 20, line))
    path = plan(a, config)
    shot = path.shots[0]
    assert shot.layout == {"fit": "fit", "split": "split"}.get(case, "follow")
    assert case != "zoom" or path.window(10)[2] > H * 9 / 16
    out_w, out_h = (1080, 1920) if case != "square" else (1080, 1080)
    out = Compositor(path, a.info, out_w, out_h, _Warper(a.info)).frame(src, 10)[:out_h]
    # The line, whole, at the scale the place gives it.
    x, y, w, h = shot.subtitles.place
    scale = w * out_w / shot.subtitles.band[2]
    match = sm.find_line(out, sm.line_pixels(src[0], line, pad=4), [scale])
    assert match.whole(out_h) and match.score > 0.9, match
    tx, ty, tw, th = match.box
    assert y * out_h - 2 <= ty and ty + th <= (y + h) * out_h + 2
    # Nothing of the line elsewhere: the picture is darker than the text everywhere else.
    rest = out.copy()
    rest[ty : ty + th, tx : tx + tw] = 0
    assert rest.max() < 200


def test_the_line_search_counts_a_line_only_whole_and_above_the_bottom_fifth():
    src, line = source_planes()
    pixels = sm.line_pixels(src[0], line)
    scale = 1000 / pixels.shape[1]
    shown = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    sh, sw = shown.shape

    def frame_with(top: int) -> np.ndarray:
        out = np.tile(np.linspace(60, 150, 1080, dtype=np.float32), (1920, 1)).astype(np.uint8)
        out[top : top + sh, 40 : 40 + sw] = shown
        return out

    whole = frame_with(1300)
    match = sm.find_line(whole, pixels, [0.5 * scale, scale])
    assert match.whole(1920) and match.box == (40, 1300, sw, sh) and match.scale == pytest.approx(scale)
    assert sm.find_line(whole, pixels, [scale * 1.008]).whole(1920)  # a scale a little off is refined
    low = sm.find_line(frame_with(1700), pixels, [scale])
    assert not low.whole(1920) and low.whole(1920, bottom=1.0)  # whole, but where phone apps draw
    cut = whole.copy()
    cut[:, 40 + int(0.85 * sw) :] = whole[:, -1:]  # the last words cut off by the frame edge
    assert not sm.find_line(cut, pixels, [scale]).whole(1920)
    covered = whole.copy()
    covered[1300 : 1300 + sh, 40 + sw // 2 : 40 + sw // 2 + sw // 8] = 100  # a word hidden
    assert not sm.find_line(covered, pixels, [scale]).whole(1920)
    assert sm.find_line(whole, pixels, [2.0]) is None  # larger than the frame: cannot show whole


def test_between_lines_the_band_keeps_its_place_and_background():
    src, line = source_planes()
    blank = (np.tile(np.linspace(40, 170, W, dtype=np.float32), (H, 1)).astype(np.uint8), src[1], src[2])
    a = with_bands(analysis(20, lambda f: [600]), SubtitleBand(0, 8, line), SubtitleBand(12, 20, line))
    path = plan(a)
    comp = Compositor(path, a.info, 540, 960, _Warper(a.info))
    with_line = comp.frame(src, 5)[:960].copy()
    between = comp.frame(blank, 10)[:960].copy()
    x, y, w, h = (round(v * s) for v, s in zip(path.shots[0].subtitles.place, (540, 960, 540, 960)))
    differs = np.flatnonzero(np.abs(with_line.astype(int) - between).max(axis=1) > 30)
    assert differs.min() >= y - 2 and differs.max() <= y + h + 2  # only the text changes
    # Between lines the place shows the band's rows as they are: the picture's own background there.
    bx, by, bw, bh = (round(v) for v in path.shots[0].subtitles.band)
    background = cv2.resize(blank[0][by : by + bh, bx : bx + bw], (w, h), interpolation=cv2.INTER_AREA)
    assert np.abs(between[y : y + h, x : x + w].astype(int) - background).mean() < 3


# -- generated clips ------------------------------------------------------------

CLIP_W, CLIP_H, CLIP_FPS, CLIP_SECONDS = 1280, 720, 25, 4.0
# Each line (first frame, end frame, text); gaps between them, and a short one last.
CUES = (sm.Cue(5, 36, ("We keep every word of the line.",)), sm.Cue(41, 72, ("Whole, and above the buttons.",)),
        sm.Cue(76, 96, ("Short one.",)))
CLIP_STYLE = sm.Style(font="sans-bold", size=0.06, outline=2)


@pytest.fixture(scope="module")
def subtitled(synthetic_media_dir: Path) -> sm.SubtitleTruth:
    """The astronaut over panning backgrounds with white outlined subtitle lines near the bottom."""
    return sm.subtitled_clip(synthetic_media_dir / "subtitled.mp4", CLIP_STYLE, width=CLIP_W, height=CLIP_H,
                             fps=CLIP_FPS, seconds=CLIP_SECONDS, cues=CUES)


def lumas(path: Path, frames: set[int]) -> dict[int, np.ndarray]:
    import av

    out = {}
    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i in frames:
                out[i] = f.to_ndarray(format="gray")
    return out


SCALES = np.arange(0.4, 1.6, 0.02)  # output pixels per source pixel, searched for every line


def check_every_line_whole_above_the_bottom_fifth(video: Path, clip: sm.SubtitleTruth) -> list[int]:
    """Every line, its own pixels in the source, found whole in the output frame (searched over scales),
    above the bottom fifth, and no piece of it in the picture; the top row where each line was found."""
    tops = []
    middles = {(c.start + c.end) // 2: c for c in clip.cues}
    outs, sources = lumas(video, set(middles)), lumas(clip.path, set(middles))
    assert len(outs) == len(middles)
    for f, cue in middles.items():
        out = outs[f]
        for box in clip.boxes[f]:
            line = sm.line_pixels(sources[f], box)
            match = sm.find_line(out, line, SCALES)
            assert match is not None and match.whole(out.shape[0]), (cue.lines, match)
            # The picture's copy of the line, at the picture's own scale, is gone (covered), not repeated in part.
            top, height = match.box[1], match.box[3]
            picture_scale = out.shape[0] / CLIP_H
            left = cv2.resize(line[:, : line.shape[1] // 3], None, fx=picture_scale, fy=picture_scale)
            masked = out.copy()
            masked[max(0, top - 4) : top + height + 4] = 0
            assert found(masked, left)[0] < 0.6, cue.lines
            tops.append(top)
    return tops


@pytest.mark.slow
def test_a_subtitled_clip_shows_every_line_whole_above_the_bottom_fifth(subtitled, tmp_path):
    """The library path with the bands given by hand (the analysis does not look for them here)."""
    from reframe import analyze
    from reframe.render import render_many

    a = analyze(subtitled.path)
    bands = tuple(SubtitleBand(c.start, c.end, subtitled.boxes[c.start][0]) for c in subtitled.cues)
    a = dataclasses.replace(a, subtitles=bands)
    outs = {aspect: tmp_path / f"out_{aspect.replace(':', 'x')}.mp4" for aspect in ("9:16", "4:5", "1:1")}
    paths = {aspect: plan(a, PlanConfig(aspect=aspect)) for aspect in outs}
    render_many(subtitled.path, [(paths["4:5"], outs["4:5"]), (paths["1:1"], outs["1:1"])])
    for aspect in ("4:5", "1:1"):
        check_every_line_whole_above_the_bottom_fifth(outs[aspect], subtitled)
    # A saved path with the band's place moved by hand, rendered on the command line, puts it there.
    saved = tmp_path / "path.json"
    paths["9:16"].save(saved)
    data = json.loads(saved.read_text())
    data["shots"][0]["subtitles"]["place"][1] = 0.5
    saved.write_text(json.dumps(data))
    run = subprocess.run(
        [sys.executable, "-m", "reframe", "render", str(subtitled.path), "-p", str(saved), "-o", str(outs["9:16"]),
         "-q"], capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr
    tops = check_every_line_whole_above_the_bottom_fifth(outs["9:16"], subtitled)
    assert all(abs(top - 960) <= 6 for top in tops), tops


@pytest.mark.slow
def test_convert_on_the_command_line_shows_every_line_whole(subtitled, tmp_path):
    """The analysis finds the band, the planner moves it: every line found whole in the output frames."""
    out, saved = tmp_path / "out.mp4", tmp_path / "out.json"
    run = subprocess.run(
        [sys.executable, "-m", "reframe", "convert", str(subtitled.path), "-o", str(out), "--save-path", str(saved),
         "--subtitles", "move", "-q"],
        capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr
    assert any(s.get("subtitles") for s in json.loads(saved.read_text())["shots"]), "no subtitle band found"
    check_every_line_whole_above_the_bottom_fifth(out, subtitled)


@pytest.mark.slow  # command-line runs
@pytest.mark.parametrize("command", ["convert", "analyze", "batch"])
def test_a_bad_subtitles_option_is_a_usage_error_before_any_work(command, tmp_path):
    src = tmp_path / "missing.mp4"
    src.write_bytes(b"")
    out = tmp_path / ("out" if command == "batch" else "o.mp4")
    run = subprocess.run(
        [sys.executable, "-m", "reframe", command, str(src), "-o", str(out), "--subtitles", "hide"],
        capture_output=True, text=True,
    )
    assert run.returncode == 2 and "subtitles 'hide'" in run.stderr, run.stderr


def test_lines_in_a_letterbox_bar_are_moved_from_the_bar():
    y = np.full((H, W), 16, np.uint8)
    y[140:940] = np.tile(np.linspace(40, 170, W, dtype=np.float32), (800, 1)).astype(np.uint8)
    line = draw_line(y, LINE, dataclasses.replace(LINE_STYLE, size=0.06, margin=0.03))
    assert line[1] > 940  # in the bar
    u = np.full((H // 2, W // 2), 128, np.uint8)
    a = dataclasses.replace(analysis(20, lambda f: [600]), content=(0, 140, W, 800), subtitles=(SubtitleBand(0, 20, line),))
    path = plan(a)
    moved = path.shots[0].subtitles
    assert moved.band[1] >= 940 - 1 and moved.band[1] + moved.band[3] <= H
    out = Compositor(path, a.info, 1080, 1920, _Warper(a.info)).frame((y, u, u.copy()), 10)[:1920]
    x0, y0, w0, h0 = (round(v * s) for v, s in zip(moved.place, (1080, 1920, 1080, 1920)))
    assert out[y0 : y0 + h0].max() > 220 and y0 + h0 <= BOTTOM_FIFTH * 1920
    rest = out.copy()
    rest[y0 - 2 : y0 + h0 + 2] = 0
    assert rest.max() < 200


@pytest.mark.slow
def test_a_letterboxed_film_with_its_lines_in_the_bar_fills_the_output_and_shows_every_line(tmp_path):
    """Lines printed on the bottom bar do not make the bar picture: the window
    stays on the picture (no black strip in the output) and the lines are moved whole."""
    import reframe
    from fractions import Fraction

    w, h, top, picture_h, n, fps = 640, 360, 46, 268, 150, Fraction(25)
    cues = sm.dialogue_cues(n, fps, texts=sm.LATIN)
    drawn = [sm.render_cue(c.lines, sm.Style(size=0.045, outline=0, margin=0.03), w, h) for c in cues]
    assert all(top + picture_h < box[1] for d in drawn for box in d.boxes)  # in the bar

    def frames():
        for i, frame, grain in sm.scene_frames(w, picture_h, n, fps=fps):
            out = np.zeros((h, w, 3), np.float32)
            out[top : top + picture_h] = people.finish(frame, grain)
            for c, d in zip(cues, drawn):
                if c.start <= i < c.end:
                    sm.composite(out, d)
            yield np.clip(out, 0, 255).astype(np.uint8)

    src, out = tmp_path / "film.mp4", tmp_path / "out.mp4"
    media.encode(src, frames(), width=w, height=h, fps=fps)
    analysed = reframe.analyze(src)
    x, y, cw, ch = analysed.content
    edge = 3 * h / 90  # the bars' blurred edges, three thumbnail rows
    assert (x, cw) == (0.0, w) and top <= y <= top + edge and top + picture_h - edge <= y + ch <= top + picture_h
    reframe.render(src, reframe.plan(analysed), out)
    middles = {(c.start + c.end) // 2: c for c in cues}
    outs, sources = lumas(out, set(middles)), lumas(src, set(middles))
    scales = np.arange(2.5, 4.5, 0.02)  # the band, a third of the width, scaled to the output's 1080
    for f, cue in middles.items():
        assert np.median(outs[f][-40:]) > 40, f  # the picture reaches the bottom: no bar shown
        for box in drawn[cues.index(cue)].boxes:
            match = sm.find_line(outs[f], sm.line_pixels(sources[f], box), scales)
            assert match is not None and match.whole(outs[f].shape[0]), (cue.lines, match)


def test_keep_shows_the_bar_rows_its_lines_are_printed_on():
    # Under keep the lines stay in the picture: on a letterboxed film with its
    # lines in the bottom bar, the picture shown grows over the bar down to them.
    y = np.full((H, W), 16, np.uint8)
    line = draw_line(y, LINE, dataclasses.replace(LINE_STYLE, size=0.06, margin=0.03))
    a = dataclasses.replace(analysis(20, lambda f: [600]), content=(0, 140, W, 800), subtitles=(SubtitleBand(0, 20, line),))
    for layout in ("auto", "fit"):
        path = plan(a, PlanConfig(subtitles="keep", layout=layout))
        x, top, w, h = path.content_box
        assert (x, w, top) == (0, W, 140) and top + h >= line[1] + line[3] and top + h < H
        for frame in (0, 10, 19):
            wx, wy, ww, wh = path.fit_window() if path.shot_of(frame).layout == "fit" else path.window(frame)
            assert wy <= line[1] and wy + wh >= line[1] + line[3], (layout, frame)
    moved = plan(a, PlanConfig(subtitles="move"))
    assert moved.content_box == (0, 140, W, 800)  # moved into the picture: the bar stays out
