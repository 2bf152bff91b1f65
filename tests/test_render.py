"""render(): output geometry, timing, audio, moving windows, and output safety."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from reframe.config import Aspect, RenderConfig
from reframe.croppath import CropPath, Shot, SourceRef
from reframe.errors import CropPathError, InputError, Interrupted, OutputError
from reframe.frames import FrameReader
from reframe.probe import probe
from reframe import render, render_many
from reframe.render import _resize_window, _warp_plane, check_output
from reframe.testing import lavfi

SMALL = RenderConfig(size="90x160", preset="ultrafast")


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("render_media")
    return {
        "av": lavfi.clip(d / "av.mp4", rate="30000/1001", duration=2),
        "patches": lavfi.patches(d / "patches.mp4", duration=1),
        "vfr": lavfi.vfr(d / "vfr.mp4"),
        "pcm": lavfi.clip(d / "pcm.mov", duration=1, audio_codec="pcm_s16le"),
        "rot": lavfi.with_display(lavfi.clip(d / "upright.mp4", duration=0.5, audio=False), d / "rot.mp4", 90),
    }


def centred(path: Path, aspect: str = "9:16") -> CropPath:
    return CropPath.centered(SourceRef.from_info(probe(path)), Aspect.parse(aspect))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_output_geometry_timing_and_audio(tmp_path, media):
    src = media["av"]
    info = probe(src)
    seen: list[tuple[str, float]] = []
    result = render(src, centred(src), tmp_path / "out.mp4", SMALL, lambda s, f: seen.append((s, f)))
    out = probe(result.path)
    assert (result.width, result.height) == (out.width, out.height) == (90, 160)
    assert out.codec == "h264" and out.pix_fmt == "yuv420p"
    assert result.frame_count == out.frame_count == info.frame_count
    frame = 1 / float(info.fps)
    assert abs(out.duration - info.duration) < frame and abs(result.duration - info.duration) < frame
    assert result.audio_codec == "aac" and [a.codec for a in out.audio] == ["aac"]
    np.testing.assert_allclose(out.timestamps, info.timestamps - info.start_time, atol=1e-4)
    assert result.elapsed > 0
    # Audio covers the video and stops within a frame of its end.
    import av

    with av.open(str(result.path)) as c:
        a = c.streams.audio[0]
        ends = [float((p.pts + p.duration) * p.time_base) for p in c.demux(a) if p.size]
    assert abs(max(ends) - info.duration) < frame
    head = result.path.read_bytes()[:4096]
    assert b"moov" in head  # faststart: the index precedes the media data
    assert seen[0] == ("render", 0.0) and seen[-1] == ("render", 1.0)
    assert all(s == "render" for s, _ in seen) and [f for _, f in seen] == sorted(f for _, f in seen)
    assert not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob(".*.partial"))


def test_native_size_is_even_crop_size(tmp_path, media):
    src = media["av"]
    result = render(src, centred(src), tmp_path / "n.mp4", RenderConfig(size="native", preset="ultrafast"))
    assert (result.width, result.height) == (102, 180)  # 101.25 x 180 window, even sizes


def test_moving_window_moves_content(tmp_path, media):
    src = media["patches"]
    info = probe(src)
    base = centred(src)
    n = info.frame_count
    windows = base.windows.copy()
    windows[: n // 2, 0] = 0.0  # left: the red square at x 20-60
    windows[n // 2 :, 0] = info.width - windows[0, 2]  # right: the blue square at x 260-300
    path = CropPath(base.source, base.aspect, windows, (Shot(0, n // 2), Shot(n // 2, n)))
    result = render(src, path, tmp_path / "moving.mp4", RenderConfig(size="native", preset="ultrafast", crf=10))
    with FrameReader(result.path) as reader:
        frames = {f.index: f.to_rgb() for f in reader if f.index in (1, n - 2)}
    # Output is 102x180 showing source x 0..101.25 (then 218.75..320): the
    # red square lands at output x 20-60, the blue one at 41-81.
    left, right = frames[1], frames[n - 2]
    red = left[80:100, 30:50].mean(axis=(0, 1))
    blue = right[80:100, 50:70].mean(axis=(0, 1))
    assert red[0] > 180 and red[2] < 60
    assert blue[2] > 180 and blue[0] < 60
    assert left[80:100, 70:95].max() < 40  # where blue would be: black on the left view


def test_warp_is_subpixel_accurate():
    # A horizontal ramp: value = 2 * x. Output pixel u samples x + (u + 0.5) * sx - 0.5.
    src = np.tile((np.arange(128) * 2).astype(np.uint8), (64, 1))
    for window, out_w in (((10.25, 4.0, 50.0, 30.0), 100), ((3.6, 0.0, 96.0, 64.0), 24)):
        dst = np.empty((20, out_w), np.uint8)
        _warp_plane(src, window, dst, 2)  # cv2.INTER_CUBIC
        x, _, w, _ = window
        sx = w / out_w
        expected = 2 * (x + (np.arange(out_w) + 0.5) * sx - 0.5)
        assert np.abs(dst[10].astype(float) - expected).max() <= 1.01, window


def test_fast_warp_matches_the_exact_warp():
    # The resize fast path must sample where warpAffine does, subpixel origin included.
    rng = np.random.default_rng(1)
    src = cv2.GaussianBlur(rng.integers(0, 256, (270, 480)).astype(np.uint8), (0, 0), 2)
    for window, shape in (((150.37, 0.0, 151.875, 270.0), (480, 270)), ((20.3, 12.7, 200.0, 225.0), (240, 214))):
        fast = np.empty(shape, np.uint8)
        x, y, w, h = window
        assert _resize_window(src, (x, y), (w / shape[1], h / shape[0]), fast, cv2.INTER_CUBIC)
        sx, sy = w / shape[1], h / shape[0]
        m = np.array([[sx, 0.0, x + 0.5 * sx - 0.5], [0.0, sy, y + 0.5 * sy - 0.5]])
        exact = cv2.warpAffine(src, m, shape[::-1], flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)
        assert np.abs(fast.astype(int) - exact).max() <= 1, window


def test_variable_frame_rate_keeps_timestamps(tmp_path, media):
    src = media["vfr"]
    result = render(src, centred(src), tmp_path / "vfr_out.mp4", SMALL)
    out = probe(result.path)
    np.testing.assert_allclose(out.timestamps, lavfi.vfr_times(), atol=1e-4)
    assert out.is_variable_frame_rate


def test_rotated_source_renders_upright(tmp_path, media):
    src = media["rot"]
    info = probe(src)
    assert (info.width, info.height) == (180, 320)
    # 9:32 is narrower than the upright 9:16 picture: a 90x320 crop of its middle.
    result = render(src, centred(src, "9:32"), tmp_path / "rot_out.mp4", RenderConfig(size="native"))
    assert (result.width, result.height) == (90, 320)
    with FrameReader(result.path) as reader:
        got = next(iter(reader)).to_rgb()
    expected = lavfi.decode_rgb(src, 180, 320)[:, 45:135]
    assert np.abs(got.astype(int) - expected).mean() < 12  # a re-encode of the same picture


def test_audio_reencoded_when_mp4_cannot_hold_it(tmp_path, media):
    src = media["pcm"]
    assert probe(src).audio[0].codec == "pcm_s16le"
    result = render(src, centred(src), tmp_path / "pcm.mp4", SMALL)
    out = probe(result.path)
    assert result.audio_codec == "aac" and out.audio[0].codec == "aac"
    assert out.audio[0].sample_rate == 48000


def test_audio_none_drops_audio(tmp_path, media):
    src = media["av"]
    result = render(src, centred(src), tmp_path / "mute.mp4", RenderConfig(size="90x160", audio="none"))
    assert result.audio_codec is None and not probe(result.path).audio


def test_crop_path_for_another_video_is_refused(tmp_path, media):
    other = centred(media["patches"])  # 30 frames, not the 60 of av.mp4
    with pytest.raises(CropPathError, match="planned for"):
        render(media["av"], other, tmp_path / "x.mp4", SMALL)
    assert not list(tmp_path.iterdir())


def test_refuses_to_overwrite_the_input(tmp_path, media):
    src = tmp_path / "in.mp4"
    src.write_bytes(media["av"].read_bytes())
    before = digest(src)
    path = centred(src)
    sym = tmp_path / "sym.mp4"
    sym.symlink_to(src)
    hard = tmp_path / "hard.mp4"
    os.link(src, hard)
    cfg = RenderConfig(size="90x160", overwrite=True)
    for dst in (src, tmp_path / "." / "in.mp4", sym, hard):
        with pytest.raises(OutputError, match="is the input"):
            render(src, path, dst, cfg)
    with pytest.raises(OutputError, match="is the input"):
        render(sym, path, src, cfg)  # reading through a link, writing to the real file
    assert digest(src) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hard.mp4", "in.mp4", "sym.mp4"]


def test_existing_output_needs_overwrite(tmp_path, media):
    src = media["av"]
    dst = tmp_path / "out.mp4"
    dst.write_bytes(b"keep me")
    with pytest.raises(OutputError, match="already exists"):
        render(src, centred(src), dst, SMALL)
    assert dst.read_bytes() == b"keep me"
    render(src, centred(src), dst, RenderConfig(size="90x160", preset="ultrafast", overwrite=True))
    assert probe(dst).codec == "h264"


def test_missing_output_folder_is_created(tmp_path, media):
    src = media["patches"]
    result = render(src, centred(src), tmp_path / "a" / "b" / "out.mp4", SMALL)
    assert result.path.is_file()


def test_unwritable_output_is_an_output_error(tmp_path, media):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError) as caught:
        render(media["patches"], centred(media["patches"]), blocker / "out.mp4", SMALL)
    assert "\n" not in str(caught.value)
    with pytest.raises(OutputError, match="folder"):
        check_output(media["patches"], tmp_path)


def test_damaged_source_fails_without_output(tmp_path, media):
    bad = lavfi.corrupt_copy(media["av"], tmp_path / "bad.mp4")
    out = tmp_path / "out" / "bad_out.mp4"
    with pytest.raises(InputError, match="damaged|decoded to"):
        render(bad, centred(bad), out, SMALL)
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_interrupt_removes_partial_file(tmp_path, media):
    src = media["av"]
    out = tmp_path / "out.mp4"

    def stop(stage: str, fraction: float) -> None:
        if fraction > 0.3:
            raise KeyboardInterrupt

    with pytest.raises(Interrupted):
        render(src, centred(src), out, SMALL, stop)
    assert list(tmp_path.iterdir()) == []


def test_disk_errors_become_output_errors(tmp_path, media, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OutputError, match="No space left"):
        render(media["patches"], centred(media["patches"]), tmp_path / "full.mp4", SMALL)
    assert list(tmp_path.iterdir()) == []


def test_several_formats_are_rendered_from_one_decoding_and_match_single_renders(tmp_path, media, monkeypatch):
    import reframe.frames

    src = media["av"]
    paths = [centred(src, "9:16"), centred(src, "1:1")]
    alone = [render(src, p, tmp_path / f"alone{i}.mp4", SMALL) for i, p in enumerate(paths)]
    opened = []

    class CountingReader(reframe.frames.FrameReader):
        def __init__(self, *args, **kwargs):
            opened.append(args[0])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(reframe.frames, "FrameReader", CountingReader)
    together = render_many(src, [(p, tmp_path / f"together{i}.mp4") for i, p in enumerate(paths)], SMALL)
    assert len(opened) == 1  # the source was decoded once for both
    for one, both in zip(alone, together):
        assert (both.width, both.height) == (one.width, one.height)
        assert both.frame_count == one.frame_count and both.audio_codec == one.audio_codec == "aac"
        with FrameReader(one.path) as a, FrameReader(both.path) as b:
            assert all(np.array_equal(x.to_rgb(), y.to_rgb()) for x, y in zip(a, b))


def test_several_formats_write_nothing_when_one_output_is_refused(tmp_path, media):
    src = media["av"]
    (tmp_path / "taken.mp4").write_bytes(b"already here")
    targets = [(centred(src), tmp_path / "new.mp4"), (centred(src, "1:1"), tmp_path / "taken.mp4")]
    with pytest.raises(OutputError):
        render_many(src, targets, SMALL)
    assert not (tmp_path / "new.mp4").exists() and (tmp_path / "taken.mp4").read_bytes() == b"already here"
    assert not list(tmp_path.glob(".*.partial"))
