"""Preview: the annotated source video and the contact sheet show the crop path as it is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

import reframe
from reframe.config import Aspect
from reframe.croppath import CropPath, Shot, SourceRef
from reframe.detections import Detections, Kind
from reframe.preview import PANELS, ROW_CAPTION, ROW_HEIGHT, SHEET_HEADER, TILE_HEIGHT, WINDOW, ContactSheet, preview

# Whole generated clips analysed or encoded: left out of the quick run.
pytestmark = pytest.mark.slow


def frames_rgb(path: Path, wanted: set[int]) -> tuple[dict[int, np.ndarray], int, float]:
    """Decoded frames at these indices, the frame count and the duration in seconds."""
    out, count = {}, 0
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        last = None
        for frame in c.decode(stream):
            if count in wanted:
                out[count] = frame.to_ndarray(format="rgb24")
            last = frame
            count += 1
        duration = float(last.time + last.duration * stream.time_base)
        assert c.streams.audio, "the preview keeps the source's audio"
    return out, count, duration


def handmade_path(clip) -> CropPath:
    """The clip's two shots: a pan following the face, with detections; a split."""
    info = reframe.probe(clip.path)
    n, cut = info.frame_count, clip.cut_frames[0]
    w, h = 202.5, 360.0  # 9:16 at full height
    x = np.concatenate([np.linspace(60, 200, cut), np.full(n - cut, 300.0)])
    windows = np.stack([x, np.zeros(n), np.full(n, w), np.full(n, h)], axis=1)
    m = n - cut
    panels = np.stack([np.tile([40.0, 20, 240, 213.33], (m, 1)), np.tile([360.0, 100, 240, 213.33], (m, 1))])
    detections = {
        f: Detections(clip.head_xyxy(f)[None], np.array([0.9]), np.array([Kind.FACE]), np.array([0.2]))
        for f in range(0, cut, 5)
    }
    shots = (Shot(0, cut, "people", reason="a pan"), Shot(cut, n, "people", layout="split", reason="two panels"))
    return CropPath(SourceRef.from_info(info), Aspect(9, 16), windows, shots, detections, panels={cut: panels})


def is_colour(pixel: np.ndarray, colour, tol: int = 60) -> bool:
    return bool(np.all(np.abs(pixel.astype(int) - colour) <= tol))


def test_preview_draws_the_path_on_every_frame_and_sheets_each_shot(clip_with_cut, tmp_path):
    path = handmade_path(clip_with_cut)
    result = preview(path, clip_with_cut.path, tmp_path / "out")
    assert (result.video.name, result.sheet.name) == ("out.mp4", "out.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4", "out.png"]  # no partial files left
    n, cut = path.source.frame_count, clip_with_cut.cut_frames[0]
    frames, count, duration = frames_rgb(result.video, {10, cut + 10})
    assert count == n and duration == pytest.approx(clip_with_cut.duration, abs=0.05)
    assert frames[10].shape == (360, 640, 3)  # 640 wide: the source's own width here
    # The window's left edge, halfway down, is drawn where the path says; just outside it is the picture.
    x, _, w, _ = path.windows[10]
    left, right = round(x), round(x + w) - 1
    assert is_colour(frames[10][180, left], WINDOW) and is_colour(frames[10][180, right], WINDOW)
    assert not is_colour(frames[10][180, left - 6], WINDOW)
    assert not is_colour(frames[10][180, (left + right) // 2 + 40], WINDOW)
    # Split: each panel in its own colour.
    for track, colour in zip(path.panels[cut], PANELS):
        px, py, pw, ph = track[10]
        assert is_colour(frames[cut + 10][round(py + ph / 2), round(px)], colour)
    # The face followed and speaking is marked above and below its box.
    hx1, hy1, hx2, hy2 = clip_with_cut.head_xyxy(10)
    assert is_colour(frames[10][max(8, round(hy1) - 2), round((hx1 + hx2) / 2)], WINDOW)
    assert frames[10][round(hy2) + 3, round((hx1 + hx2) / 2)].min() > 200  # the white "speaks" bar

    sheet = cv2.cvtColor(cv2.imread(str(result.sheet)), cv2.COLOR_BGR2RGB)
    assert sheet.shape[0] == SHEET_HEADER + len(path.shots) * ROW_HEIGHT  # a row per shot


def test_the_sheets_vertical_frames_are_what_render_writes(clip_with_cut, tmp_path):
    path = handmade_path(clip_with_cut)
    info = reframe.probe(clip_with_cut.path)
    result = preview(path, clip_with_cut.path, tmp_path / "p", info=info)
    sheet = cv2.cvtColor(cv2.imread(str(result.sheet)), cv2.COLOR_BGR2RGB)
    layout = ContactSheet(path, info)
    rendered = reframe.render(clip_with_cut.path, path, tmp_path / "r.mp4",
                              reframe.RenderConfig(size=(2 * layout.vert_w, 2 * TILE_HEIGHT), crf=12))
    cut = clip_with_cut.cut_frames[0]
    for row, shot in enumerate(path.shots):
        frame = ContactSheet.moments(shot)[0]
        want = cv2.resize(frames_rgb(rendered.path, {frame})[0][frame], (layout.vert_w, TILE_HEIGHT),
                          interpolation=cv2.INTER_AREA)
        top = SHEET_HEADER + row * ROW_HEIGHT + ROW_CAPTION
        x0 = 6 + layout.tile_w + 2
        got = sheet[top : top + TILE_HEIGHT, x0 : x0 + layout.vert_w]
        assert np.abs(got.astype(int) - want).mean() < 8, (row, frame, cut)


def test_cli_plans_first_without_a_path_and_refuses_what_exists(still_face_clip, tmp_path):
    out = tmp_path / "prev"
    cmd = [sys.executable, "-m", "reframe", "preview", str(still_face_clip.path), "-o", str(out), "-q"]
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "prev.mp4").stat().st_size > 0 and (tmp_path / "prev.png").stat().st_size > 0
    again = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert again.returncode == 5 and "already exists" in again.stderr
    other = tmp_path / "other.path.json"
    CropPath.centered(SourceRef("x.mp4", 1920, 1080, 25, 10, 0.4), "9:16").save(other)
    wrong = subprocess.run(cmd[:6] + [str(tmp_path / "b"), "--path", str(other)], capture_output=True, text=True,
                           check=False)
    assert wrong.returncode == 6 and not list(tmp_path.glob("b*")) and not list(tmp_path.glob(".*partial"))


def test_cli_draws_the_detections_of_a_saved_analysis_when_the_path_has_none(clip_with_cut, tmp_path):
    from reframe.analysis import Analysis

    path = handmade_path(clip_with_cut)
    path.save(tmp_path / "p.json")  # without detections
    Analysis(reframe.probe(clip_with_cut.path), tuple(clip_with_cut.cut_frames), path.detections).save(
        tmp_path / "a.json"
    )
    cmd = [sys.executable, "-m", "reframe", "preview", str(clip_with_cut.path), "--path", str(tmp_path / "p.json")]
    bare = subprocess.run([*cmd, "-o", str(tmp_path / "bare")], capture_output=True, text=True, check=False)
    assert bare.returncode == 0 and "carries no detections, so none are drawn" in bare.stderr
    seen = subprocess.run([*cmd, "-o", str(tmp_path / "seen"), "--analysis", str(tmp_path / "a.json")],
                          capture_output=True, text=True, check=False)
    assert seen.returncode == 0 and "warning" not in seen.stderr, seen.stderr
    frame = 10  # a sample: the face box is drawn on it
    got = {name: frames_rgb(tmp_path / f"{name}.mp4", {frame})[0][frame] for name in ("bare", "seen")}
    assert np.abs(got["seen"].astype(int) - got["bare"]).max() > 100
    from dataclasses import replace

    Analysis(replace(reframe.probe(clip_with_cut.path), frame_count=7), (), {}).save(tmp_path / "b.json")
    wrong = subprocess.run([*cmd, "-o", str(tmp_path / "w"), "--analysis", str(tmp_path / "b.json")],
                           capture_output=True, text=True, check=False)
    assert wrong.returncode == 7 and "7 frames" in wrong.stderr and not list(tmp_path.glob("w*"))
