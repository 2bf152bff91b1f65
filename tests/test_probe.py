"""probe() and FrameReader on generated clips: geometry, timing, streams, broken inputs."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from reframe.errors import InputError, ReframeError, UnsupportedInputError
from reframe.frames import FrameReader
from reframe.probe import probe
from reframe.testing import lavfi


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("probe_media")
    m: dict[str, Path] = {}
    m["ntsc"] = lavfi.clip(d / "ntsc.mp4", rate="30000/1001", duration=1, extra=("-movflags", "+faststart"))
    m["rot90"] = lavfi.with_display(m["ntsc"], d / "rot90.mp4", rotation=90)
    m["mirror"] = lavfi.with_display(m["ntsc"], d / "mirror.mp4", rotation=90, hflip=True)
    m["sar"] = lavfi.clip(d / "sar.mp4", rate="25", audio=False, vf="setsar=4/3")
    m["vfr"] = lavfi.vfr(d / "vfr.mp4")
    two = d / "two_audio.mp4"
    lavfi.ffmpeg(
        "-i", m["ntsc"], "-f", "lavfi", "-i", "sine=frequency=880:duration=1",
        "-map", "0:v", "-map", "0:a", "-map", "1:a", "-c:v", "copy", "-c:a", "aac",
        "-disposition:a:0", "0", "-disposition:a:1", "default", "-metadata:s:a:1", "language=fra", two,
    )
    m["two_audio"] = two
    return m


def test_basic_fields(media):
    info = probe(media["ntsc"])
    assert (info.width, info.height) == (320, 180)
    assert (info.coded_width, info.coded_height) == (320, 180)
    assert info.fps == Fraction(30000, 1001)
    assert info.frame_count == 30 == len(info.timestamps)
    assert np.all(np.diff(info.timestamps) > 0)
    np.testing.assert_allclose(info.timestamps, np.arange(30) * 1001 / 30000, atol=1e-6)
    assert info.duration == pytest.approx(30 * 1001 / 30000, abs=1e-6)
    assert info.start_time == 0.0
    assert info.rotation == 0 and not info.mirrored and info.sar == 1
    assert (info.codec, info.pix_fmt) == ("h264", "yuv420p")
    assert not info.is_variable_frame_rate
    assert len(info.audio) == 1 and info.audio[0].default and info.audio[0].codec == "aac"
    assert info.audio[0].sample_rate == 48000 and info.audio[0].channels == 1


def test_default_audio_stream_follows_disposition(media):
    info = probe(media["two_audio"])
    assert len(info.audio) == 2
    assert [a.default for a in info.audio] == [False, True]
    assert info.default_audio is info.audio[1]
    assert info.audio[1].language == "fra"


def test_rotation_swaps_display_size_and_frames_match_ffmpeg(media):
    info = probe(media["rot90"])
    # -display_rotation 90 is counter-clockwise; VideoInfo.rotation is clockwise.
    assert (info.width, info.height, info.rotation) == (180, 320, 270)
    assert (info.coded_width, info.coded_height) == (320, 180)
    with FrameReader(info) as reader:
        frame = next(iter(reader))
        rgb = frame.to_rgb()
        small = frame.to_rgb(90, 160)
    assert rgb.shape == (320, 180, 3) and small.shape == (160, 90, 3)
    assert rgb.flags.c_contiguous
    expected = lavfi.decode_rgb(media["rot90"], 180, 320)
    assert np.abs(rgb.astype(int) - expected).mean() < 2


def test_mirrored_display_matrix(media):
    info = probe(media["mirror"])
    assert (info.width, info.height, info.rotation, info.mirrored) == (180, 320, 270, True)
    with FrameReader(info) as reader:
        rgb = next(iter(reader)).to_rgb()
    assert np.abs(rgb.astype(int) - lavfi.decode_rgb(media["mirror"], 180, 320)).mean() < 2


def test_non_square_pixels_give_display_width(media):
    info = probe(media["sar"])
    assert info.sar == Fraction(4, 3)
    assert (info.width, info.height) == (427, 180)  # 320 * 4/3, rounded
    assert info.fps == 25 and info.frame_count == 25
    assert not info.has_audio and info.default_audio is None
    with FrameReader(info) as reader:
        y, u, v = next(iter(reader)).to_yuv420p()
    assert y.shape == (180, 427) and u.shape == (90, 214)


def test_variable_frame_rate_timestamps(media):
    info = probe(media["vfr"])
    assert info.frame_count == 60
    np.testing.assert_allclose(info.timestamps, lavfi.vfr_times(), atol=1e-9)
    assert info.is_variable_frame_rate
    with FrameReader(info) as reader:
        times = [f.time for f in reader]
    np.testing.assert_allclose(times, lavfi.vfr_times(), atol=1e-9)


def test_frame_reader_indices_and_lazy_sizes(media):
    info = probe(media["ntsc"])
    with FrameReader(media["ntsc"]) as reader:
        frames = []
        for f in reader:
            frames.append(f.index)
            assert f.to_rgb(160, 90).shape == (90, 160, 3)
        reader.check()
    assert frames == list(range(info.frame_count))
    assert reader.decode_errors == 0


def test_corrupt_packets_are_counted(tmp_path, media):
    bad = lavfi.corrupt_copy(media["ntsc"], tmp_path / "bad.mp4")
    with FrameReader(bad) as reader:
        n = sum(1 for _ in reader)
        assert reader.decode_errors > 0 or n < reader.info.frame_count
        with pytest.raises(InputError, match="damaged"):
            reader.check()


def _text(p: Path) -> Path:
    p.write_text("this is not a video\n")
    return p


def _empty(p: Path) -> Path:
    p.write_bytes(b"")
    return p


def _png(p: Path) -> Path:
    lavfi.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x36", "-frames:v", "1", "-f", "image2", "-c:v", "png", p)
    return p


def _jpeg(p: Path) -> Path:
    lavfi.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x36", "-frames:v", "1", "-f", "image2", "-c:v", "mjpeg", p)
    return p


def _audio_only(p: Path) -> Path:
    lavfi.ffmpeg("-f", "lavfi", "-i", "sine=duration=0.5", "-c:a", "aac", p)
    return p


def _truncated_index_at_end(p: Path) -> Path:
    whole = lavfi.clip(p.with_name("whole_end.mp4"), duration=1, audio=False)
    p.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return p


def _truncated_faststart(p: Path) -> Path:
    whole = lavfi.clip(p.with_name("whole_fs.mp4"), duration=1, audio=False, extra=("-movflags", "+faststart"))
    p.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return p


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda p: p, InputError),  # missing
        (lambda p: (p.mkdir(), p)[1], InputError),  # a folder
        (_empty, InputError),
        (_text, InputError),
        (_truncated_index_at_end, InputError),
        (_truncated_faststart, InputError),
        (_png, UnsupportedInputError),
        (_jpeg, UnsupportedInputError),
        (_audio_only, UnsupportedInputError),
    ],
    ids=["missing", "folder", "empty", "text", "truncated", "truncated-faststart", "png", "jpeg", "audio-only"],
)
def test_broken_inputs_raise_one_line_errors(tmp_path, make, error):
    path = make(tmp_path / "input.mp4")
    with pytest.raises(error) as caught:
        probe(path)
    message = str(caught.value)
    assert "\n" not in message and "input.mp4" in message
    assert isinstance(caught.value, ReframeError)
    assert caught.value.__class__ is error  # not a wrapped av exception


def test_frame_reader_rejects_broken_input(tmp_path):
    with pytest.raises(InputError):
        FrameReader(_text(tmp_path / "x.mp4"))


@pytest.mark.parametrize(
    "pix_fmt, params, facts",
    [
        ("yuv420p", "color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv", (1, 1, 1, 1, False, 16)),
        ("yuvj420p", "", (2, 2, 2, 2, True, 0)),
        ("yuv420p10le", "color_primaries=bt2020:color_trc=smpte2084:colorspace=bt2020nc:range=tv",
         (9, 9, 16, 1, False, 16)),
    ],
    ids=["bt709", "full_range", "pq"],
)
def test_probe_reads_the_colour_facts_once(tmp_path, pix_fmt, params, facts):
    """The stream's matrix, primaries, transfer and range tags, its range and the black level of the
    rendered planes (HDR is tone-mapped to limited range) are on VideoInfo."""
    info = probe(lavfi.tagged(tmp_path / "tagged.mp4", duration=0.2, pix_fmt=pix_fmt, params=params))
    got = (info.colorspace, info.color_primaries, info.color_trc, info.color_range, info.full_range, info.black_level)
    assert got == facts
