"""Odd real-world inputs: each gets a correct output or a one-line error, and nothing is lost.

Library-level cases render a static centre crop (no analysis) to stay fast;
the command-line cases check the exit code, the message and the folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

import reframe
from reframe.analyze import Analyzer
from reframe.config import AnalyzeConfig, Aspect, RenderConfig
from reframe.croppath import CropPath, SourceRef
from reframe.detections import Detections
from reframe.errors import InputError
from reframe.frames import FrameReader
from reframe.probe import probe
from reframe import render
from reframe.testing import lavfi

pytestmark = pytest.mark.slow  # end to end: encodes and command-line runs
ROOT = Path(__file__).resolve().parents[1]
FAST = dict(preset="ultrafast", size="native")
FAST_RENDER = reframe.RenderConfig(**FAST)
FAST_ARGS = ("--preset", "ultrafast", "--size", "native")


def centred(path: Path, aspect: str = "9:16") -> CropPath:
    return CropPath.centered(SourceRef.from_info(probe(path)), Aspect.parse(aspect))


def cli(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reframe", *map(str, args)], capture_output=True, text=True, cwd=cwd or ROOT,
        timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def one_line_error(res: subprocess.CompletedProcess, code: int, *words: str) -> None:
    assert res.returncode == code, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reframe: error: "), res.stderr
    assert "Traceback" not in res.stderr
    for w in words:
        assert w in lines[0], lines[0]


def streams(path: Path) -> list[str]:
    with av.open(str(path)) as c:
        return [s.type for s in c.streams]


def tags(path: Path) -> tuple[int, int, int, int]:
    with av.open(str(path)) as c:
        f = next(c.decode(video=0))
        return int(f.colorspace), int(f.color_primaries), int(f.color_trc), int(f.color_range)


def first_planes(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        return next(c.decode(video=0)).to_ndarray(format="gray")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return lavfi.clip(tmp_path_factory.mktemp("odd") / "base.mp4", duration=1)


# ---------------------------------------------------------------- geometry


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_rotation_metadata_renders_the_picture_as_displayed(tmp_path, base, turn):
    src = lavfi.with_display(base, tmp_path / f"rot{turn}.mp4", turn)
    info = probe(src)
    upright = (320, 180) if turn == 180 else (180, 320)
    assert (info.width, info.height) == upright
    # A crop narrower than the picture: 9:32 of the upright 180x320, or the whole 16:9 frame.
    aspect = "16:9" if turn == 180 else "9:32"
    result = render(src, centred(src, aspect), tmp_path / "out.mp4", RenderConfig(**FAST, crf=12))
    expected = lavfi.decode_rgb(src, *upright)
    if turn != 180:
        expected = expected[:, 45:135]
    assert (result.height, result.width) == expected.shape[:2]
    with FrameReader(result.path) as reader:
        got = next(iter(reader)).to_rgb()
    assert np.abs(got.astype(int) - expected).mean() < 8


def test_portrait_clip_keeps_its_whole_frame_and_is_padded_when_the_aspect_is_wider(tmp_path):
    # A phone clip: coded landscape, displayed 180x320 (9:16) through its display matrix.
    src = lavfi.with_display(lavfi.clip(tmp_path / "coded.mp4", duration=0.5), tmp_path / "phone.mp4", 90)
    shown = lavfi.decode_rgb(src, 180, 320)
    [same] = reframe.convert(src, tmp_path / "9x16.mp4", plan_config=reframe.PlanConfig(aspect="9:16"),
                             render_config=FAST_RENDER)
    assert (same.width, same.height) == (180, 320)  # the whole picture, not a slice of it
    with FrameReader(same.path) as reader:
        assert np.abs(next(iter(reader)).to_rgb().astype(int) - shown).mean() < 8
    [wider] = reframe.convert(src, tmp_path / "4x5.mp4", plan_config=reframe.PlanConfig(aspect="4:5"),
                              render_config=FAST_RENDER)
    assert (wider.width, wider.height) == (256, 320)
    luma = first_planes(wider.path)
    assert luma[:, :36].max() <= 18 and luma[:, -36:].max() <= 18  # black sides, limited range
    with FrameReader(wider.path) as reader:
        middle = next(iter(reader)).to_rgb()[:, 38:218]
    assert np.abs(middle.astype(int) - shown).mean() < 10  # the whole picture, between the bars


def test_non_square_pixels_are_rendered_in_display_size_with_square_output_pixels(tmp_path):
    src = lavfi.clip(tmp_path / "sar.mp4", duration=0.5, vf="setsar=4/3")
    info = probe(src)
    assert (info.width, info.height) == (427, 180)
    result = render(src, centred(src, "16:9"), tmp_path / "out.mp4", RenderConfig(**FAST))
    out = probe(result.path)
    assert (out.width, out.height) == (320, 180) and out.sar == 1
    with av.open(str(result.path)) as c:
        assert c.streams.video[0].sample_aspect_ratio in (None, 0, Fraction(1))


def test_odd_width_and_height_give_an_even_output(tmp_path):
    src = tmp_path / "odd.mp4"
    lavfi.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=0.5", "-vf", "scale=321:181,setsar=1",
                 "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p", src)
    assert (probe(src).width, probe(src).height) == (321, 181)
    result = render(src, centred(src), tmp_path / "out.mp4", RenderConfig(**FAST))
    out = probe(result.path)
    assert (out.width, out.height) == (102, 180) and out.pix_fmt == "yuv420p"  # 101.8 x 181 window
    assert out.frame_count == 15


# ---------------------------------------------------------------- timing and audio


def click_time(path: Path) -> float:
    """Seconds from the first video frame to the loudest audio sample."""
    with av.open(str(path)) as c:
        v0 = float(c.streams.video[0].start_time * c.streams.video[0].time_base)
        chunks, start = [], None
        for frame in c.decode(audio=0):
            if start is None:
                start = float(frame.time)
            chunks.append(frame.to_ndarray().reshape(-1))
        rate = c.streams.audio[0].rate
    samples = np.concatenate(chunks)
    return start + int(np.argmax(np.abs(samples))) / rate - v0


def test_audio_before_the_first_video_frame_is_kept_and_stays_in_sync(tmp_path):
    picture = tmp_path / "picture.mp4"  # 2 s of black with one white frame at 1 s
    lavfi.ffmpeg("-f", "lavfi", "-i", "color=black:size=320x180:rate=30:duration=2",
                 "-vf", "drawbox=color=white:t=fill:enable='eq(n,30)'", "-c:v", "libx264", "-preset", "ultrafast",
                 "-pix_fmt", "yuv420p", picture)
    sound = tmp_path / "sound.m4a"  # 3 s: a tone in the first second, a click at 2 s (with the white frame)
    lavfi.ffmpeg("-f", "lavfi", "-i", "aevalsrc='0.5*sin(2*PI*440*t)*lt(t,0.9)+0.9*between(t,2.0,2.004)':s=48000:d=3",
                 "-c:a", "aac", sound)
    src = tmp_path / "late.mp4"  # the picture starts 1 s after the sound
    lavfi.ffmpeg("-itsoffset", "1", "-i", picture, "-i", sound, "-map", "0:v", "-map", "1:a", "-c", "copy", src)
    info = probe(src)
    assert info.start_time == pytest.approx(1.0, abs=0.01) and info.audio[0].start_time == pytest.approx(0.0)

    result = render(src, centred(src), tmp_path / "out.mp4", RenderConfig(**FAST))
    out = probe(result.path)
    assert out.start_time == 0 and out.duration == pytest.approx(3.0, abs=1e-3)
    assert result.duration == pytest.approx(3.0, abs=1e-3) and out.frame_count == result.frame_count == 90
    with av.open(str(result.path)) as c:
        frames = list(c.decode(audio=0))
        rate = c.streams.audio[0].rate
    with av.open(str(result.path)) as c:
        luma = [(float(f.time), float(f.to_ndarray(format="gray").mean())) for f in c.decode(video=0)]
    assert float(frames[0].time) < 0.03  # the audio starts with the output
    samples = np.concatenate([f.to_ndarray().reshape(-1) for f in frames])
    first = samples[int((0.1 - float(frames[0].time)) * rate) : int((0.8 - float(frames[0].time)) * rate)]
    assert np.sqrt(np.mean(first**2)) > 0.25  # the tone of the first second is there
    assert click_time(result.path) == pytest.approx(2.0, abs=0.01)
    assert max(luma, key=lambda tl: tl[1])[0] == pytest.approx(2.0, abs=0.5 / 30)  # the white frame with the click
    assert luma[0][1] < 30  # until the picture starts, its first frame is shown


def test_non_zero_start_time_is_moved_to_zero_with_the_audio(tmp_path, base):
    src = tmp_path / "offset.mp4"
    lavfi.ffmpeg("-i", base, "-c", "copy", "-output_ts_offset", "2", src)
    assert probe(src).start_time == pytest.approx(2.0)
    result = render(src, centred(src), tmp_path / "out.mp4", RenderConfig(**FAST))
    out = probe(result.path)
    np.testing.assert_allclose(out.timestamps, np.arange(30) / 30, atol=1e-4)
    with av.open(str(result.path)) as c:
        a = c.streams.audio[0]
        assert abs(float(a.start_time * a.time_base)) < 0.03


def test_variable_frame_rate_audio_stays_in_sync_to_the_end(tmp_path):
    silent = lavfi.vfr(tmp_path / "vfr_silent.mp4")
    src = tmp_path / "vfr.mp4"
    lavfi.ffmpeg("-i", silent, "-f", "lavfi", "-i", "aevalsrc='0.9*between(t,2.5,2.504)':s=48000:d=3",
                 "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", src)
    result = render(src, centred(src), tmp_path / "out.mp4", RenderConfig(**FAST))
    out = probe(result.path)
    np.testing.assert_allclose(out.timestamps, lavfi.vfr_times(), atol=1e-4)
    assert out.duration == pytest.approx(3.0, abs=1e-3)
    assert click_time(result.path) == pytest.approx(2.5, abs=0.01)


def test_audio_longer_than_the_video_is_cut_at_the_last_frame(tmp_path):
    src = tmp_path / "long_audio.mp4"
    lavfi.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=1", "-f", "lavfi",
                 "-i", "sine=duration=2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", src)
    result = render(src, centred(src), tmp_path / "out.mp4", RenderConfig(**FAST))
    with av.open(str(result.path)) as c:
        a = c.streams.audio[0]
        end = max(float((p.pts + p.duration) * p.time_base) for p in c.demux(a) if p.size)
    assert 1.0 <= end < 1.0 + 1024 / 44100 + 1e-3  # within one AAC frame of the video's end


def test_no_audio_gives_a_video_only_output(tmp_path):
    src = lavfi.clip(tmp_path / "silent.mp4", duration=0.5, audio=False)
    result = render(src, centred(src), tmp_path / "out.mp4", RenderConfig(**FAST))
    assert result.audio_codec is None and result.audio_tracks == ()
    assert streams(result.path) == ["video"]


def test_several_audio_tracks_keep_the_default_or_all(tmp_path, base):
    src = tmp_path / "two.mp4"
    lavfi.ffmpeg("-i", base, "-f", "lavfi", "-i", "sine=frequency=880:duration=1", "-map", "0:v", "-map", "0:a",
                 "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-disposition:a:0", "0",
                 "-disposition:a:1", "default", "-metadata:s:a:1", "language=fra", src)
    one = render(src, centred(src), tmp_path / "one.mp4", RenderConfig(**FAST))
    assert [a.index for a in one.audio_tracks] == [2] and one.audio_tracks[0].language == "fra"
    assert streams(one.path) == ["video", "audio"]
    both = render(src, centred(src), tmp_path / "all.mp4", RenderConfig(**FAST, audio_tracks="all"))
    assert [a.index for a in both.audio_tracks] == [1, 2]
    out = probe(both.path)
    assert [a.default for a in out.audio] == [False, True]  # the source's default stays the default
    res = cli("render", src, "--path", _saved(src, tmp_path), "-o", tmp_path / "cli.mp4", "--audio-tracks", "all",
              "--preset", "ultrafast", "-s", "90x160")
    assert res.returncode == 0, res.stderr
    assert "audio #1, #2 fra default" in res.stderr


def test_cover_art_and_subtitle_streams_are_ignored(tmp_path, base):
    cover = tmp_path / "cover.png"
    lavfi.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x64", "-frames:v", "1", cover)
    subs = tmp_path / "subs.srt"
    subs.write_text("1\n00:00:00,000 --> 00:00:00,500\nhello\n")
    src = tmp_path / "extras.mp4"
    lavfi.ffmpeg("-i", base, "-i", cover, "-i", subs, "-map", "0", "-map", "1", "-map", "2", "-c:v:0", "copy",
                 "-c:a", "copy", "-c:v:1", "png", "-disposition:v:1", "attached_pic", "-c:s", "mov_text", src)
    assert streams(src).count("video") == 2 and "subtitle" in streams(src)
    info = probe(src)
    assert (info.width, info.height, info.frame_count) == (320, 180, 30)
    result = render(src, centred(src), tmp_path / "out.mp4", RenderConfig(**FAST))
    assert streams(result.path) == ["video", "audio"]
    assert probe(result.path).frame_count == 30


# ---------------------------------------------------------------- pixels


@pytest.mark.parametrize("trc, white_code", [("smpte2084", 573), ("arib-std-b67", 721)], ids=["pq", "hlg"])
def test_hdr_is_tone_mapped_to_bt709_not_washed_out(tmp_path, trc, white_code):
    # Left: HDR reference white (203 nits: PQ code 573 / HLG 75 % in 10-bit limited range); right: black.
    src = lavfi.hdr_patches(tmp_path / "hdr.mp4", trc, white_code)
    assert probe(src).hdr == ("pq" if trc == "smpte2084" else "hlg")
    result = render(src, centred(src, "16:9"), tmp_path / "out.mp4", RenderConfig(**FAST, crf=0))
    out = probe(result.path)
    assert out.pix_fmt == "yuv420p" and out.hdr is None
    assert tags(result.path) == (1, 1, 1, 1)  # BT.709 matrix, primaries, transfer; limited range
    with av.open(str(result.path)) as c:
        y = next(c.decode(video=0)).to_ndarray(format="yuv420p")[:90]
    # Read as BT.709 without tone mapping, reference white would be grey (Y about 143).
    assert 216 <= y[:, 10:70].mean() <= 228
    assert y[:, 90:150].mean() <= 18


def test_ten_bit_sdr_keeps_its_colour_tags(tmp_path):
    src = lavfi.tagged(tmp_path / "ten.mp4", params="color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv")
    assert probe(src).pix_fmt == "yuv420p10le" and probe(src).hdr is None
    result = render(src, centred(src), tmp_path / "out.mp4", RenderConfig(**FAST))
    assert probe(result.path).pix_fmt == "yuv420p"
    assert tags(result.path) == (1, 1, 1, 1)


def test_full_range_source_is_tagged_full_range(tmp_path):
    src = lavfi.tagged(tmp_path / "full.mp4", pix_fmt="yuvj420p")
    assert probe(src).full_range
    result = render(src, centred(src, "16:9"), tmp_path / "out.mp4", RenderConfig(**FAST, crf=0))
    assert tags(result.path)[3] == 2  # JPEG (full) range
    ours, theirs = first_planes(result.path), first_planes(src)
    assert abs(float(ours.mean()) - float(theirs.mean())) < 1.5  # same levels, not squeezed into 16-235


def comb(gray: np.ndarray) -> float:
    """Mean distance of each row from the average of its neighbours: high for interlaced combing."""
    g = gray.astype(float)
    return float(np.abs(g[1:-1] - (g[:-2] + g[2:]) / 2).mean())


def test_interlaced_input_is_deinterlaced(tmp_path):
    src = lavfi.interlaced(tmp_path / "interlaced.mp4")
    info = probe(src)
    assert info.interlaced and info.frame_count == 30
    with av.open(str(src)) as c:
        raw = np.mean([comb(f.to_ndarray(format="gray")) for f in c.decode(video=0)])
    with FrameReader(info) as reader:
        frames = list(reader)
        read = np.mean([comb(f.to_gray()) for f in frames])
        reader.check()
    assert [f.index for f in frames] == list(range(30))
    np.testing.assert_allclose([f.time for f in frames], info.timestamps)
    assert read < 0.6 * raw
    result = render(src, centred(src), tmp_path / "out.mp4", RenderConfig(**FAST))
    assert probe(result.path).frame_count == 30


def test_a_decoder_returning_black_frames_is_not_trusted(tmp_path, base, monkeypatch):
    black = lavfi.ffmpeg  # a genuinely black clip is fine
    dark = tmp_path / "dark.mp4"
    black("-f", "lavfi", "-i", "color=black:size=320x180:rate=30:duration=1", "-c:v", "libx264",
          "-preset", "ultrafast", dark)
    assert render(dark, centred(dark), tmp_path / "dark_out.mp4", RenderConfig(**FAST)).frame_count == 30

    real_decode = FrameReader._decode

    def blackened(self, stream, packet):
        out = []
        for f in real_decode(self, stream, packet):
            b = av.VideoFrame.from_ndarray(np.zeros((f.height, f.width, 3), np.uint8), format="rgb24")
            b = b.reformat(format="yuv420p")
            b.pts = f.pts
            out.append(b)
        return out

    monkeypatch.setattr(FrameReader, "_decode", blackened)
    dst = tmp_path / "out" / "black.mp4"
    with pytest.raises(InputError, match="black frames only") as caught:
        render(base, centred(base), dst, RenderConfig(**FAST))
    assert "\n" not in str(caught.value)
    assert not dst.exists() and list(dst.parent.iterdir()) == []


# ---------------------------------------------------------------- size and length


class _Recorder:
    """A detector that finds nothing and remembers the largest picture it was given."""

    def __init__(self) -> None:
        self.largest = (0, 0)

    def detect(self, rgb, *args, **kwargs):
        self.largest = max(self.largest, rgb.shape[:2])
        return Detections.empty()


def test_4k_is_streamed_and_analysed_on_a_downscaled_copy(tmp_path):
    import tracemalloc

    src = tmp_path / "uhd.mp4"
    lavfi.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=3840x2160:rate=30:duration=0.3", "-c:v", "libx264",
                 "-preset", "ultrafast", src)
    info = probe(src)
    assert (info.width, info.height, info.frame_count) == (3840, 2160, 9)
    faces, objects, saliency = _Recorder(), _Recorder(), _Recorder()
    tracemalloc.start()
    try:
        with Analyzer(AnalyzeConfig(sample_fps=30), faces=faces, objects=objects, saliency=saliency) as analyzer:
            analysis = analyzer.run(info)
        _, analysis_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = render(src, centred(src), tmp_path / "out.mp4", RenderConfig(size="90x160", preset="ultrafast"))
        _, render_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(analysis.samples) == 9
    assert max(faces.largest) == max(objects.largest) == max(saliency.largest) == 960
    frame_rgb = 3840 * 2160 * 3  # one full-size RGB frame: 24.9 MB
    assert analysis_peak < frame_rgb and render_peak < 2 * frame_rgb  # frames pass through, none piles up
    assert result.frame_count == 9


def test_two_frame_clip_renders_and_one_frame_is_too_short(tmp_path):
    two = tmp_path / "two.mp4"
    lavfi.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-frames:v", "2", "-c:v", "libx264", two)
    [result] = reframe.convert(two, tmp_path / "two_out.mp4", render_config=FAST_RENDER)
    assert probe(result.path).frame_count == 2
    one = tmp_path / "one.mp4"
    lavfi.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-frames:v", "1", "-c:v", "libx264", one)
    res = cli("convert", one, "-o", tmp_path / "one_out.mp4")
    one_line_error(res, 4, "too short", "one.mp4")
    assert not (tmp_path / "one_out.mp4").exists()


# ---------------------------------------------------------------- broken inputs through the CLI


def _empty(d: Path, base: Path) -> Path:
    (d / "in.mp4").write_bytes(b"")
    return d / "in.mp4"


def _html(d: Path, base: Path) -> Path:
    (d / "in.mp4").write_text("<!doctype html><html><body>404 Not Found</body></html>\n")
    return d / "in.mp4"


def _still(d: Path, base: Path) -> Path:
    lavfi.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x36", "-frames:v", "1", "-f", "image2", "-c:v", "png",
                 d / "in.mp4")
    return d / "in.mp4"


def _audio_only(d: Path, base: Path) -> Path:
    lavfi.ffmpeg("-f", "lavfi", "-i", "sine=duration=0.5", "-c:a", "aac", d / "in.mp4")
    return d / "in.mp4"


def _cut(d: Path, base: Path, faststart: bool) -> Path:
    whole = d.parent / f"whole_{faststart}.mp4"
    if not whole.exists():
        lavfi.clip(whole, duration=1, extra=("-movflags", "+faststart") if faststart else ())
    (d / "in.mp4").write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    return d / "in.mp4"


def _garbage(d: Path, base: Path) -> Path:
    return lavfi.corrupt_copy(base, d / "in.mp4")


@pytest.mark.parametrize(
    "make, code, words",
    [
        (_empty, 3, ("empty",)),
        (_html, 3, ("not a media file",)),
        (_still, 4, ("still image",)),
        (_audio_only, 4, ("audio only",)),
        (lambda d, b: _cut(d, b, faststart=False), 3, ("truncated",)),  # index (moov) at the end: lost
        (lambda d, b: _cut(d, b, faststart=True), 3, ("truncated",)),  # index first, media data cut
        (_garbage, 3, ("damaged",)),
    ],
    ids=["empty", "html", "still-image", "audio-only", "cut-index-at-end", "cut-faststart", "garbage-in-middle"],
)
def test_broken_input_is_a_one_line_error_with_its_exit_code(tmp_path, base, make, code, words):
    d = tmp_path / "case"
    d.mkdir()
    src = make(d, base)
    before = src.read_bytes()
    res = cli("convert", src, "-o", d / "out.mp4", "--preset", "ultrafast", "-s", "90x160")
    one_line_error(res, code, "in.mp4", *words)
    assert sorted(p.name for p in d.iterdir()) == ["in.mp4"]  # no output, no partial file
    assert src.read_bytes() == before


# ---------------------------------------------------------------- paths


def _saved(src: Path, d: Path) -> Path:
    path = d / f"{src.stem}.path.json"
    centred(src).save(path)
    return path


def test_names_with_spaces_non_ascii_and_a_leading_dash(tmp_path, base):
    d = tmp_path / "my clips ü"
    d.mkdir()
    odd = d / "été à la plage.mp4"
    odd.write_bytes(base.read_bytes())
    pj = _saved(odd, d)
    res = cli("render", odd, "--path", pj, "-o", d / "new folder" / "sortie été.mp4", "--preset", "ultrafast", "-s", "90x160")
    assert res.returncode == 0, res.stderr
    assert probe(d / "new folder" / "sortie été.mp4").frame_count == 30  # the missing folder was created
    dash = d / "-x.mp4"
    dash.write_bytes(base.read_bytes())
    # A name starting with '-' is written ./-x.mp4, or put after '--' (options first).
    res = cli("render", "./-x.mp4", "--path", pj, "-o", "./-y.mp4", "--preset", "ultrafast", "-s", "90x160", cwd=d)
    assert res.returncode == 0, res.stderr
    res = cli("convert", "-o", "-z.mp4", "--preset", "ultrafast", "-s", "90x160", "--", "-x.mp4", cwd=d)
    assert res.returncode == 0, res.stderr
    assert probe(d / "-y.mp4").frame_count == probe(d / "-z.mp4").frame_count == 30


def test_same_file_through_a_hard_link_is_refused_before_writing(tmp_path, base):
    src = tmp_path / "in.mp4"
    src.write_bytes(base.read_bytes())
    hard = tmp_path / "hard.mp4"
    os.link(src, hard)
    before = src.read_bytes()
    res = cli("convert", src, "-o", hard, "--overwrite")
    one_line_error(res, 5, "is the input")
    assert src.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hard.mp4", "in.mp4"]


@pytest.fixture
def small_disk(tmp_path):
    """A 200 KB tmpfs (needs root); skipped where mounting is not allowed."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mnt
    subprocess.run(["umount", str(mnt)], check=True)


def test_full_disk_is_an_output_error_and_leaves_no_partial_file(small_disk, base):
    res = cli("convert", base, "-o", small_disk / "out.mp4", "--preset", "ultrafast", "-s", "1080x1920",
              "--crf", "0")
    one_line_error(res, 5, "out.mp4")
    assert list(small_disk.iterdir()) == []


def test_unwritable_output_folder_is_an_output_error(tmp_path, base):
    d = tmp_path / "locked"
    d.mkdir()
    mounted = False
    if os.geteuid() == 0:  # root ignores permission bits: make the folder a read-only mount
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(d)]).returncode == 0
        if not mounted:
            pytest.skip("root, and no read-only mount possible")
    else:
        d.chmod(0o555)
    try:
        pj = _saved(base, tmp_path)
        res = cli("render", base, "--path", pj, "-o", d / "out.mp4", "--preset", "ultrafast", "-s", "90x160")
        one_line_error(res, 5, "out.mp4")
        assert list(d.iterdir()) == []
    finally:
        if mounted:
            subprocess.run(["umount", str(d)], check=True)
        else:
            d.chmod(0o755)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_signal_during_convert_removes_the_partial_file_and_exits_130(tmp_path, sig):
    src = lavfi.clip(tmp_path / "clip.mp4", duration=2)
    out, marker = tmp_path / "out", tmp_path / "paused"
    # The render stops after 10 frames, its partial file open, until signalled.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REFRAME_TEST_PAUSE_AFTER_FRAMES": "10",
           "REFRAME_TEST_PAUSE_MARKER": str(marker)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "reframe", "convert", str(src), "-o", str(out / "v.mp4"), *FAST_ARGS],
        cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists() and proc.poll() is None, "the render never reached its pause"
        assert [p.name for p in out.iterdir()] == [f".v.mp4.{proc.pid}.partial"]
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert list(out.iterdir()) == []
