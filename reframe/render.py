"""Render: apply a crop path to the source and encode the vertical video.

Every source frame is cut to its window with subpixel accuracy, scaled to
the output size and encoded with libx264, keeping the frame's own
presentation time (variable frame rates stay exact). The work stays in
YUV 4:2:0: the decoded planes are warped directly to the output planes, so
there is no RGB round trip and colours are not shifted.

Output safety: the video is written to a hidden partial file beside the
target and renamed into place only when complete (:mod:`reframe.atomic`);
the input is never written, even when the target is a link to it.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from . import atomic
from .compose import Compositor, Planes
from .frames import plane_array
from .config import ProgressCallback, RenderConfig
from .croppath import CropPath
from .errors import CropPathError, InputError, Interrupted, OutputError, UsageError
from .probe import AudioStreamInfo, VideoInfo, probe

# Audio codecs the MP4 muxer accepts as they are; anything else is re-encoded to AAC.
MP4_AUDIO_CODECS = frozenset({"aac", "mp3", "ac3", "eac3", "alac", "opus", "flac"})


@dataclass(frozen=True)
class RenderResult:
    """What :func:`render` wrote."""

    path: Path
    width: int
    height: int
    frame_count: int
    duration: float  # seconds, first frame start to last frame end
    audio_codec: str | None  # None when the output has no audio
    elapsed: float  # wall-clock seconds the render took
    audio_tracks: tuple[AudioStreamInfo, ...] = ()  # the source audio streams kept, in output order

    @property
    def fps(self) -> float:
        """Frames encoded per second of wall-clock time."""
        return self.frame_count / self.elapsed if self.elapsed > 0 else 0.0


def check_output(src: str | os.PathLike, dst: str | os.PathLike, overwrite: bool = False) -> Path:
    """Refuse a destination that would destroy the input or an existing file.

    Raises :class:`OutputError` when ``dst`` is the input itself (also through
    a symbolic or hard link), a folder, or an existing file while
    ``overwrite`` is false. Nothing is written. Returns ``dst`` as a Path.
    """
    src, dst = Path(src), Path(dst)
    if dst.name in ("", ".", ".."):
        raise OutputError(f"output {dst} is not a file name")
    try:
        same = src.resolve() == dst.resolve()
    except (OSError, RuntimeError):  # symlink loops
        same = False
    if not same and dst.exists():
        try:
            s, d = os.stat(src), os.stat(dst)
            same = (s.st_dev, s.st_ino) == (d.st_dev, d.st_ino)
        except OSError:
            pass
    if same:
        raise OutputError(f"output {dst} is the input file; choose another output name")
    if dst.is_dir():
        raise OutputError(f"output {dst} is a folder; give a file name such as {dst / 'out.mp4'}")
    if (dst.exists() or dst.is_symlink()) and not overwrite:
        raise OutputError(f"output {dst} already exists; choose another name or allow overwriting")
    return dst


def render(
    crop_path: CropPath,
    src: str | os.PathLike,
    dst: str | os.PathLike,
    config: RenderConfig = RenderConfig(),
    progress: ProgressCallback | None = None,
    info: VideoInfo | None = None,
) -> RenderResult:
    """Encode ``src`` cropped along ``crop_path`` into the MP4 ``dst``.

    Raises :class:`CropPathError` if the path was planned for another
    video, :class:`OutputError` if ``dst`` is the input or exists (unless
    ``config.overwrite``) or cannot be written, :class:`InputError` if the
    source is damaged (then nothing is written), and :class:`Interrupted`
    on Ctrl-C (the partial file is removed).
    """
    return render_many([(crop_path, dst)], src, config, progress, info)[0]


def render_many(
    targets: Sequence[tuple[CropPath, str | os.PathLike]],
    src: str | os.PathLike,
    config: RenderConfig = RenderConfig(),
    progress: ProgressCallback | None = None,
    info: VideoInfo | None = None,
) -> list[RenderResult]:
    """Encode ``src`` along several crop paths, one file each (``targets``
    pairs each path with its destination), decoding the source once for
    every :data:`SHARED_DECODE` of them. Errors as :func:`render`; when one
    output fails, none is written.
    """
    started = time.perf_counter()
    src = Path(src)
    dsts = [Path(dst) for _, dst in targets]
    if not dsts:
        raise UsageError("no output given")
    if len({os.path.abspath(d) for d in dsts}) != len(dsts):
        raise UsageError("two outputs would be written to the same file")
    for dst in dsts:
        check_output(src, dst, config.overwrite)
    pix_fmt = check_encoder(config.encoder)  # before any work: a missing encoder fails at once
    if info is None:
        info = probe(src)
    outputs = []
    for (crop_path, _), dst in zip(targets, dsts):
        _check_match(crop_path, info)
        widths, heights = crop_path.windows[:, 2], crop_path.windows[:, 3]
        size = config.output_size(float(np.median(widths)), float(np.median(heights)))
        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create output folder {dst.parent}: {e.strerror or e}") from e
        outputs.append((crop_path, dst, size))
    try:
        with contextlib.ExitStack() as partials:  # each renamed into place when all are written
            targets = [_Target(c, d, partials.enter_context(atomic.atomic_path(d)), z) for c, d, z in outputs]
            written = []
            for first in range(0, len(targets), SHARED_DECODE):
                written += _encode(targets[first : first + SHARED_DECODE], info, pix_fmt, config, progress)
    except KeyboardInterrupt:
        raise Interrupted("render interrupted; no output was written") from None
    except OSError as e:
        raise OutputError(f"cannot write {e.filename or dsts[0]}: {e.strerror or e}") from e
    elapsed = time.perf_counter() - started
    return [
        RenderResult(t.dst, t.size[0], t.size[1], count, duration, codec, elapsed, kept)
        for t, (count, duration, codec, kept) in zip(targets, written)
    ]


# Seconds of audio before the first video frame below which that audio is
# dropped rather than the first picture held: an AAC encoder's priming
# (about 21 ms) often shows as such a lead.
HELD_AUDIO_MIN = 0.05

# Outputs encoded from one decoding of the source. Each encoder holds about
# 180 MB at 1080x1920; three at once took a 1080p conversion to 0.96 GB.
SHARED_DECODE = 2


@dataclass(frozen=True)
class _Target:
    """One file to write: its crop path, final name, partial name and output size."""

    crop_path: CropPath
    dst: Path
    tmp: Path
    size: tuple[int, int]


# Each encoder's constant-quality option, fed from ``RenderConfig.crf`` (x264's scale, 0-51).
_QUALITY_OPTION = {"libx264": "crf", "libx265": "crf", "h264_nvenc": "cq", "hevc_nvenc": "cq",
                   "h264_qsv": "global_quality", "hevc_qsv": "global_quality", "h264_amf": "qp_i"}


@functools.lru_cache(maxsize=None)
def check_encoder(name: str) -> str:
    """The pixel format ``name`` is fed in; :class:`UsageError` if FFmpeg lacks
    this video encoder or it cannot start here (no such GPU, no driver).

    >>> check_encoder("libx264")
    'yuv420p'
    """
    import av

    try:
        codec = av.Codec(name, "w")
    except (av.error.FFmpegError, ValueError, KeyError):
        codec = None
    if codec is None or codec.type != "video":
        h264 = sorted(n for n in av.codecs_available if "264" in n and _is_encoder(n))
        raise UsageError(f"encoder {name} is not a video encoder of this FFmpeg; H.264 encoders here: {', '.join(h264)}")
    formats = [f.name for f in codec.video_formats or ()]
    fmt = next((f for f in ("yuv420p", "nv12") if f in formats), None)
    if fmt is None:
        raise UsageError(f"encoder {name} takes none of yuv420p or nv12 frames ({', '.join(formats)}); use libx264")
    if name != "libx264":
        # Hardware encoders are listed whether or not the device exists: open one to know.
        cc = av.CodecContext.create(codec)
        cc.width, cc.height, cc.pix_fmt, cc.time_base = 256, 256, fmt, Fraction(1, 25)
        try:
            cc.open()
        except av.error.FFmpegError as e:
            raise UsageError(f"encoder {name} cannot start on this machine ({_reason(e)}); use libx264") from None
    return fmt


def _is_encoder(name: str) -> bool:
    import av

    try:
        return av.Codec(name, "w").type == "video"
    except (av.error.FFmpegError, ValueError, KeyError):
        return False


def _check_match(crop_path: CropPath, info: VideoInfo) -> None:
    s = crop_path.source
    if (s.width, s.height, s.frame_count) != (info.width, info.height, info.frame_count):
        raise CropPathError(
            f"crop path was planned for a {s.width}x{s.height} video of {s.frame_count} frames ({s.name}), "
            f"but {info.path.name} is {info.width}x{info.height} with {info.frame_count} frames; "
            "analyze this video again"
        )


# ---------------------------------------------------------------------------
# Encoding


def _encode(
    targets: list[_Target], info: VideoInfo, pix_fmt: str, config: RenderConfig, progress: ProgressCallback | None
) -> list[tuple[int, str | None, tuple[AudioStreamInfo, ...]]]:
    """Decode ``info``'s video once and write every target from it: per target,
    the frames encoded, the audio codec and the audio streams kept."""
    from .frames import FrameReader

    n = info.frame_count
    step = max(1, n // 200)
    pause_after = _test_pause_after()
    with FrameReader(info) as reader:
        outputs: list[_Output] = []
        try:
            for target in targets:
                outputs.append(_Output(target, info, reader, pix_fmt, config))
            if progress:
                progress("render", 0.0)
            # Warping the next frame (OpenCV, without the GIL) overlaps with
            # encoding this one: together they would otherwise take turns.
            with ThreadPoolExecutor(max_workers=1) as pool:
                pending = None
                count = 0
                for frame in reader:
                    if frame.index >= n:
                        raise InputError(f"{info.path} has more frames than its index lists ({n}); remux it first")
                    job = (frame, [pool.submit(o.make_frame, frame) for o in outputs])
                    if pending is not None:
                        for o, made in zip(outputs, pending[1]):
                            o.encode(pending[0], made.result())
                    pending = job
                    count += 1
                    if count == pause_after:
                        _test_pause()
                    if progress and count % step == 0:
                        progress("render", min(0.999, count / n))
                if pending is not None:
                    for o, made in zip(outputs, pending[1]):
                        o.encode(pending[0], made.result())
            reader.check()
            for o in outputs:
                o.finish()
        except BaseException:
            for o in outputs:
                o.close_quietly()
            raise
    if progress:
        progress("render", 1.0)
    return [(o.count, o.duration, o.audio.codec, o.audio.kept) for o in outputs]


def _test_pause_after() -> int | None:
    """For tests only: ``REFRAME_TEST_PAUSE_AFTER_FRAMES=N`` with ``REFRAME_TEST_PAUSE_MARKER=FILE``
    makes the first render (of any process) that reaches N frames create FILE
    and wait there for a signal, so a test can interrupt it at a known point."""
    value = os.environ.get("REFRAME_TEST_PAUSE_AFTER_FRAMES")
    return int(value) if value and os.environ.get("REFRAME_TEST_PAUSE_MARKER") else None


def _test_pause() -> None:
    try:  # created exclusively: only the first render to get here pauses
        os.close(os.open(os.environ["REFRAME_TEST_PAUSE_MARKER"], os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    deadline = time.monotonic() + 300  # a forgotten test goes on rather than hangs
    while time.monotonic() < deadline:
        time.sleep(0.05)


class _Output:
    """One output file being written: its container, video stream, audio tracks and compositor."""

    def __init__(self, target: _Target, info: VideoInfo, reader, pix_fmt: str, config: RenderConfig) -> None:
        import av

        self._av = av  # imported here, as everywhere in this module, to keep importing reframe fast
        self.dst, self.pix_fmt = target.dst, pix_fmt
        self.out_w, self.out_h = target.size
        self.tb = info.time_base
        kept = _kept_audio(info, config)
        # Audio that starts before the picture is kept: the output starts with
        # it, holding the first picture for whole frames until the source's
        # first frame. Audio and picture move by the same amount.
        self.frame_ticks = frame = max(1, round(1 / (info.fps * self.tb)))  # one nominal frame
        audio_start = min((a.start_time for a in kept if a.start_time is not None), default=info.start_time)
        lead = info.start_time - audio_start
        self.lead = frame * round(lead / float(frame * self.tb)) if lead >= HELD_AUDIO_MIN else 0
        self.origin_ticks = round(info.start_time / self.tb) - self.lead
        origin = float(self.origin_ticks * self.tb)
        self.duration = info.duration + float(self.lead * self.tb)
        fmt = "mov" if target.dst.suffix.lower() == ".mov" else "mp4"
        try:
            self.out = av.open(str(target.tmp), "w", format=fmt, options={"movflags": "+faststart"})
        except (av.error.FFmpegError, OSError) as e:
            raise OutputError(f"cannot write {target.dst} (in {target.dst.parent}): {_reason(e)}") from e
        self.audio: _AudioTracks | None = None
        with self._errors():
            vs = self.out.add_stream(config.encoder, rate=info.fps)
            vs.width, vs.height = self.out_w, self.out_h
            vs.pix_fmt = pix_fmt
            vs.time_base = self.tb
            vs.codec_context.time_base = self.tb
            vs.codec_context.framerate = info.fps
            vs.codec_context.thread_count = 0
            # Frame threads, as ffmpeg's command line uses (PyAV defaults to
            # slice threads, which keep fewer frames in flight and stall more).
            vs.codec_context.thread_type = "FRAME"
            vs.options = _encoder_options(config)
            _copy_colour_tags(reader, vs)
            self.vs = vs
            # end_time: output seconds; audio past the last frame is dropped
            self.audio = _AudioTracks(info, self.out, config, kept, origin, self.duration)
        self.compositor = Compositor(target.crop_path, info, self.out_w, self.out_h, _Warper(info))
        self.last_pts: int | None = None
        self.durations: dict[int, int] = {}  # output pts -> source frame duration
        self.count = 0

    def make_frame(self, frame):
        """The output picture of source ``frame``, composed straight into the frame the encoder takes."""
        vf = self._av.VideoFrame(self.out_w, self.out_h, "yuv420p")
        self.compositor.frame(frame.to_yuv420p(), frame.index, tuple(plane_array(p) for p in vf.planes[:3]))
        return vf if self.pix_fmt == "yuv420p" else vf.reformat(format=self.pix_fmt)

    def encode(self, frame, vf) -> None:
        """Encode ``vf``, the output picture of source ``frame``, at the source frame's time."""
        if self.count == 0 and self.lead:
            for held in range(0, self.lead, self.frame_ticks):  # the first picture, held until it starts
                self._encode_at(vf, held, self.frame_ticks)
        pts = frame.pts if frame.pts is not None else round(frame.time / self.tb)
        pts -= self.origin_ticks
        if self.last_pts is not None and pts <= self.last_pts:
            pts = self.last_pts + 1  # the encoder needs strictly increasing times
        self._encode_at(vf, pts, frame.av_frame.duration)

    def _encode_at(self, vf, pts: int, duration: int) -> None:
        vf.pts = self.last_pts = pts
        vf.time_base = self.tb
        self.durations[pts] = duration
        with self._errors():
            for packet in self.vs.encode(vf):
                _mux_video(self.out, packet, self.durations, self.audio, self.tb)
        self.count += 1

    def finish(self) -> None:
        """Flush the encoder, mux the rest of the audio and close the file."""
        with self._errors():
            for packet in self.vs.encode(None):
                _mux_video(self.out, packet, self.durations, self.audio, self.tb)
            self.audio.finish()
            self.out.close()

    def close_quietly(self) -> None:
        _close_quietly(self.out, self.audio)

    @contextlib.contextmanager
    def _errors(self):
        """FFmpeg's errors as :class:`OutputError` naming this output."""
        import av

        try:
            yield
        except av.error.FFmpegError as e:
            if isinstance(e, OSError):  # ENOSPC, EIO...: the disk, not the encoder
                raise OutputError(f"cannot write {self.dst}: {_reason(e)}") from e
            raise OutputError(f"encoding {self.dst} failed: {_reason(e)}") from e


def _encoder_options(config: RenderConfig) -> dict[str, str]:
    options = {}
    quality = _QUALITY_OPTION.get(config.encoder)
    if quality:
        options[quality] = str(config.crf)
    if config.encoder in ("libx264", "libx265"):
        options["preset"] = config.preset
    return options


def _mux_video(out, packet, durations: dict[int, int], audio: _AudioTracks, tb: Fraction) -> None:
    # The encoder drops frame durations; the muxer then guesses the last
    # frame's from the previous interval, which is wrong for VFR sources.
    if packet.pts is not None:
        d = durations.pop(packet.pts, 0)
        if d:
            packet.duration = d
        audio.feed_until(float(packet.pts * tb))
    out.mux(packet)


def _close_quietly(container, audio: _AudioTracks | None) -> None:
    for closable in (audio, container):
        try:
            if closable is not None:
                closable.close()
        except Exception:  # already failing: the original error is the one to report
            pass


def _copy_colour_tags(reader, vs) -> None:
    """Tag the output with the colours its pixels really have, so players show them right.

    HDR sources are tone-mapped to BT.709 limited range when decoded
    (:mod:`reframe.colour`); SDR sources keep their matrix, primaries,
    transfer and range (8-bit conversion of a 10-bit source changes none).
    """
    info = reader.info
    cc = reader.stream.codec_context
    if info.hdr:
        tags = {"colorspace": 1, "color_primaries": 1, "color_trc": 1, "color_range": 1}
    else:
        tags = {name: getattr(cc, name, 0) for name in ("colorspace", "color_primaries", "color_trc", "color_range")}
        if info.full_range:  # yuvj formats carry full range in the pixel format, not the tag
            tags["color_range"] = 2
    for name, value in tags.items():
        try:
            setattr(vs.codec_context, name, value)
        except (AttributeError, ValueError, TypeError):
            pass


class _Warper:
    """Cut a float window out of display-size YUV planes and scale it onto output planes.

    Pixel centres map exactly: output pixel ``u`` samples the source at
    ``x + (u + 0.5) * w / W - 0.5``. When shrinking by more than a little,
    the window's whole-pixel bounding box is first reduced with area
    averaging (no aliasing), then the remaining subpixel shift and scale is
    a near-1:1 bilinear warp.
    """

    def __init__(self, info: VideoInfo) -> None:
        # Padding beside a picture narrower than the output (portrait sources).
        self.black = 0 if info.full_range and not info.hdr else 16

    def warp(self, src: Planes, window: np.ndarray, dst: Planes) -> None:
        """Scale ``window`` (x, y, w, h in luma pixels) of the ``src`` planes onto the ``dst`` planes
        (any size; rows may be padded, as in a frame the encoder owns)."""
        x0, y0, w, h = (float(t) for t in window)
        _warp_plane(src[0], (x0, y0, w, h), dst[0], cv2.INTER_CUBIC, self.black)
        half = (x0 / 2, y0 / 2, w / 2, h / 2)
        _warp_plane(src[1], half, dst[1], cv2.INTER_LINEAR, 128)
        _warp_plane(src[2], half, dst[2], cv2.INTER_LINEAR, 128)


def _warp_plane(
    src: np.ndarray, window: tuple[float, float, float, float], dst: np.ndarray, interp: int, pad: int = 16
) -> None:
    """Warp ``window`` of ``src`` onto ``dst``; parts of a window beyond the source are filled with ``pad``."""
    x, y, w, h = window
    H0, W0 = src.shape
    padded = x < -0.5 or y < -0.5 or x + w > W0 + 0.5 or y + h > H0 + 0.5
    oh, ow = dst.shape
    sx, sy = w / ow, h / oh  # source pixels per output pixel
    if not padded and _resize_window(src, (x, y), (sx, sy), dst, interp):
        return
    if max(sx, sy) > 1.25:
        # Shrink the covering whole-pixel box by area averaging first.
        H, W = src.shape
        bx0, by0 = max(0, math.floor(x)), max(0, math.floor(y))
        bx1, by1 = min(W, math.ceil(x + w)), min(H, math.ceil(y + h))
        iw = max(1, round((bx1 - bx0) / sx))
        ih = max(1, round((by1 - by0) / sy))
        box = cv2.resize(_for_cv(src[by0:by1, bx0:bx1]), (iw, ih), interpolation=cv2.INTER_AREA)
        kx, ky = (bx1 - bx0) / iw, (by1 - by0) / ih
        m = np.array(
            [[sx / kx, 0.0, (x - bx0 + 0.5 * sx) / kx - 0.5], [0.0, sy / ky, (y - by0 + 0.5 * sy) / ky - 0.5]]
        )
        src = box
        interp = cv2.INTER_LINEAR
    else:
        m = np.array([[sx, 0.0, x + 0.5 * sx - 0.5], [0.0, sy, y + 0.5 * sy - 0.5]])
    cv2.warpAffine(
        _for_cv(src), m, (ow, oh), dst=dst, flags=interp | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT if padded else cv2.BORDER_REPLICATE, borderValue=pad,
    )


# Largest error, in source pixels, of the window origin the fast path accepts.
_RESIZE_TOLERANCE = 0.04
# Output pixels the fast path may scale beyond the window on each side, to find an exact origin.
_RESIZE_SEARCH = 48


def _resize_window(src: np.ndarray, origin: tuple[float, float], scale: tuple[float, float], dst: np.ndarray,
                   interp: int) -> bool:
    """Do :func:`_warp_plane` with ``cv2.resize`` (separable, about ten times faster than
    ``warpAffine``) when the window's subpixel origin can be kept.

    ``cv2.resize`` with explicit factors maps output pixel ``k`` to
    ``b + (k + 0.5) * s - 0.5`` for a whole-pixel box starting at ``b``; a
    window starting at ``x`` is then output pixels ``k0...`` of that scaling
    when ``b + k0 * s = x``. Some ``k0`` close to 0 makes that true within
    ``_RESIZE_TOLERANCE`` for most scales (all but those near a ratio of
    small whole numbers, such as 1:1): False means no such ``k0`` exists and
    nothing was written.
    """
    oh, ow = dst.shape
    starts = []
    for x, s, n, size in ((origin[0], scale[0], ow, src.shape[1]), (origin[1], scale[1], oh, src.shape[0])):
        # Keep two source pixels before the window when the frame has them, so
        # the first output pixels are interpolated from real neighbours.
        k = np.arange(_RESIZE_SEARCH)
        b = np.round(x - k * s)
        err = np.abs(x - k * s - b)
        ok = (b >= 0) & (k * s >= min(2.0, x) - 0.5)
        if not ok.any():
            return False
        best = int(np.argmin(np.where(ok, err, np.inf)))
        if err[best] > _RESIZE_TOLERANCE:
            return False
        b0 = int(b[best])
        end = min(size, math.ceil(x + n * s) + 3)
        starts.append((best, b0, end))
    (kx, bx, ex), (ky, by, ey) = starts
    sx, sy = scale
    if max(sx, sy) > 1.25:
        interp = cv2.INTER_AREA  # shrinking: average whole areas (no aliasing)
    scaled = cv2.resize(_for_cv(src[by:ey, bx:ex]), None, fx=1.0 / sx, fy=1.0 / sy, interpolation=interp)
    part = scaled[ky : ky + oh, kx : kx + ow]
    if part.shape != dst.shape:  # rounding left the box a pixel short: let warpAffine do it
        return False
    dst[...] = part
    return True


def _for_cv(a: np.ndarray) -> np.ndarray:
    """OpenCV needs rows of adjacent pixels; turned or mirrored views are copied."""
    if a.strides[1] != a.itemsize or a.strides[0] < 0:
        return np.ascontiguousarray(a)
    return a


# ---------------------------------------------------------------------------
# Audio


def _kept_audio(info: VideoInfo, config: RenderConfig) -> list[AudioStreamInfo]:
    """The source audio streams the output keeps: the default one, or all with ``audio_tracks="all"``."""
    if config.audio == "none" or not info.audio:
        return []
    if config.audio_tracks == "all":
        return list(info.audio)
    return [info.default_audio]  # type: ignore[list-item]


class _AudioTracks:
    """The kept audio streams of one output, muxed alongside its video."""

    def __init__(
        self, info: VideoInfo, out, config: RenderConfig, chosen: list[AudioStreamInfo], origin: float,
        end_time: float,
    ) -> None:
        self.feeders: list[_AudioFeeder] = []
        try:
            for stream_info in chosen:
                self.feeders.append(_AudioFeeder(info, out, config, origin, end_time, stream_info))
        except BaseException:
            self.close()
            raise
        self.kept = tuple(chosen)
        self.codec = self.feeders[0].codec if self.feeders else None

    def feed_until(self, t: float) -> None:
        for feeder in self.feeders:
            feeder.feed_until(t)

    def finish(self) -> None:
        for feeder in self.feeders:
            feeder.finish()

    def close(self) -> None:
        for feeder in self.feeders:
            feeder.close()


class _AudioFeeder:
    """Mux one source audio stream alongside the video packets.

    Packets are read from a second handle on the source, a little ahead of
    the video, so the muxer can interleave without buffering the whole
    track. Stream copy when MP4 can hold the codec, AAC otherwise.
    """

    AHEAD = 0.5  # seconds of audio muxed ahead of the video

    def __init__(
        self, info: VideoInfo, out, config: RenderConfig, origin: float, end_time: float, stream_info: AudioStreamInfo
    ) -> None:
        import av

        self.codec: str | None = None
        self.path = info.path
        self.out = out
        self.origin = origin
        self.end_time = end_time
        self._packets: Iterator | None = None
        self._done = True
        self._container = None
        try:
            self._container = av.open(str(info.path), metadata_errors="ignore")
        except (av.error.FFmpegError, OSError) as e:
            raise InputError(f"cannot open {info.path} for its audio: {_reason(e)}") from e
        src = self._container.streams[stream_info.index]
        self.src = src
        self.tb = src.time_base
        self.copy = config.audio == "auto" and stream_info.codec in MP4_AUDIO_CODECS
        if self.copy:
            self.ost = out.add_stream_from_template(src)
            self.codec = stream_info.codec
        else:
            rate = stream_info.sample_rate or 48000
            layout = src.codec_context.layout.name if src.codec_context.layout else "stereo"
            self.ost = out.add_stream("aac", rate=rate, layout=layout)
            self.ost.bit_rate = 64000 * max(2, min(stream_info.channels or 2, 8))
            self.codec = "aac"
        try:  # the source's default track stays the one players pick
            self.ost.disposition = av.stream.Disposition.default if stream_info.default else av.stream.Disposition(0)
        except (AttributeError, TypeError, ValueError):
            pass
        self._packets = self._container.demux(src)
        self._done = False
        self._fed_until = -math.inf

    def feed_until(self, t: float) -> None:
        """Mux audio up to ``t + AHEAD`` output seconds."""
        if self._done or t + self.AHEAD <= self._fed_until:
            return
        self._feed(t + self.AHEAD)

    def finish(self) -> None:
        """Mux the rest of the audio (up to the video's end), then flush the encoder."""
        if self._packets is not None and not self._done:
            self._feed(math.inf)
        if self._packets is not None and not self.copy:
            for packet in self.ost.encode(None):
                self.out.mux(packet)
        self.close()

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None

    def _feed(self, limit: float) -> None:
        import av

        assert self._packets is not None
        while True:
            try:
                packet = next(self._packets)
            except StopIteration:
                break
            except av.error.FFmpegError as e:
                raise InputError(f"cannot read the audio of {self.path}: {_reason(e)}") from e
            if packet.size == 0 or packet.pts is None:
                continue
            t = float(packet.pts * self.tb) - self.origin
            self._fed_until = t
            if t >= self.end_time - 1e-6:
                self._done = True  # past the last video frame: keep durations equal
                return
            if self.copy:
                shift = round(self.origin / self.tb)
                packet.pts -= shift
                if packet.dts is not None:
                    packet.dts -= shift
                packet.stream = self.ost
                self.out.mux(packet)
            else:
                try:
                    frames = self.src.decode(packet)
                except av.error.FFmpegError:
                    continue  # one lost audio packet is a click, not a reason to fail
                for frame in frames:
                    start = (frame.time if frame.time is not None else t) - self.origin
                    if start + frame.samples / frame.sample_rate <= 0:
                        continue  # entirely before the first video frame
                    frame.pts = round(start * frame.sample_rate)
                    frame.time_base = Fraction(1, frame.sample_rate)
                    for out_packet in self.ost.encode(frame):
                        self.out.mux(out_packet)
            if t > limit:
                return
        self._done = True


def _reason(e: BaseException) -> str:
    text = getattr(e, "strerror", None) or str(e)
    return str(text).splitlines()[0] if text else type(e).__name__
