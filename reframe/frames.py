"""Decoding in display orientation.

:class:`FrameReader` yields every frame of the video stream in decode-output
order (frame ``i`` is the i-th frame OpenCV's ``VideoCapture.read()``
returns). Frames are converted lazily: the analysis asks one frame for a
160x90 thumbnail and only some frames for a 960x540 picture, and each
conversion scales in C (swscale) before turning the picture upright, so
nothing is converted at full size unless asked.

Damaged packets do not stop decoding: they are counted in
:attr:`FrameReader.decode_errors` and the caller decides. The renderer
refuses to report success for a source that decoded with errors
(:meth:`FrameReader.check`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from .colour import ToneMapper
from .errors import InputError
from .probe import VideoInfo, orient, probe
from .readahead import read_ahead  # noqa: F401  (the analysis reads ahead through this module)

_TONE_MAPPERS: dict[str, ToneMapper] = {}


def tone_mapper(kind: str) -> ToneMapper:
    """One shared :class:`ToneMapper` per HDR transfer (its tables take a moment to build)."""
    if kind not in _TONE_MAPPERS:
        _TONE_MAPPERS[kind] = ToneMapper(kind)
    return _TONE_MAPPERS[kind]


class VideoFrame:
    """One decoded frame; pixels are converted only when asked for.

    ``index`` is the 0-based position in decode-output order, ``time`` the
    presentation time in seconds (absolute, like ``VideoInfo.timestamps``).
    """

    __slots__ = ("index", "time", "pts", "_frame", "_info")

    def __init__(self, index: int, time: float, pts: int | None, frame, info: VideoInfo) -> None:
        self.index = index
        self.time = time
        self.pts = pts  # in ``info.time_base`` ticks; None when the container has none
        self._frame = frame
        self._info = info

    @property
    def av_frame(self):
        """The underlying ``av.VideoFrame`` (coded orientation and size)."""
        return self._frame

    @property
    def is_corrupt(self) -> bool:
        return bool(self._frame.is_corrupt)

    def to_rgb(self, width: int | None = None, height: int | None = None) -> np.ndarray:
        """The picture as displayed, ``(height, width, 3)`` uint8 RGB.

        ``width``/``height`` are display-orientation sizes (default: the
        display size). Scaling happens in C before the picture is turned:
        a yuv420p picture shrunk by half or more is area-averaged plane by
        plane (OpenCV) and converted to RGB at the small size, four times
        cheaper than swscale's bilinear path; anything else goes through
        swscale.
        """
        return self._packed("rgb24", width, height)

    def to_bgr(self, width: int | None = None, height: int | None = None) -> np.ndarray:
        """Like :meth:`to_rgb` in OpenCV's channel order."""
        return self._packed("bgr24", width, height)

    def to_gray(self, width: int | None = None, height: int | None = None) -> np.ndarray:
        """The luma plane as displayed, ``(height, width)`` uint8."""
        return self._packed("gray", width, height)

    def _packed(self, fmt: str, width: int | None, height: int | None) -> np.ndarray:
        w = int(width or self._info.width)
        h = int(height or self._info.height)
        info = self._info
        turned = info.rotation in (90, 270)
        cw, ch = (h, w) if turned else (w, h)  # size before turning upright
        if info.hdr:
            arr = tone_mapper(info.hdr).rgb(self._frame, cw, ch)
            if fmt == "bgr24":
                arr = arr[..., ::-1]
            elif fmt == "gray":
                arr = cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY)
        elif fmt == "rgb24" and _shrinks_yuv420p(self._frame, cw, ch) and not info.full_range:
            arr = _shrunk_rgb(self._frame, cw, ch)
        else:
            arr = self._frame.to_ndarray(width=cw, height=ch, format=fmt)
        if info.rotation or info.mirrored:
            arr = np.ascontiguousarray(orient(arr, info.rotation, info.mirrored))
        return arr

    def to_yuv420p(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Full display-size planes ``(Y, U, V)`` as displayed, for rendering.

        Avoids any RGB round trip: a yuv420p source with square pixels is
        read in place; other formats and non-square pixels are converted
        once by swscale. Chroma planes are half size (rounded up). The
        arrays may be views of the decoded frame: copy before keeping them.
        """
        info = self._info
        frame = self._frame
        uw, uh = info.upright_size
        if info.hdr:
            frame = tone_mapper(info.hdr).yuv420p(frame, uw, uh)
        elif frame.format.name != "yuv420p" or (frame.width, frame.height) != (uw, uh):
            frame = frame.reformat(width=uw, height=uh, format="yuv420p")
        planes = tuple(plane_array(p) for p in frame.planes[:3])
        if info.rotation or info.mirrored:
            planes = tuple(orient(p, info.rotation, info.mirrored) for p in planes)
        return planes  # type: ignore[return-value]


def _shrinks_yuv420p(frame, width: int, height: int) -> bool:
    """Whether ``frame`` is 8-bit 4:2:0 and ``width`` x ``height`` (even) at most half its size."""
    return (
        frame.format.name == "yuv420p" and width % 2 == 0 and height % 2 == 0
        and 2 * width <= frame.width and 2 * height <= frame.height
    )  # fmt: skip


def _shrunk_rgb(frame, width: int, height: int) -> np.ndarray:
    """Area-averaged planes packed as I420, then one colour conversion at the small size (BT.601, limited range)."""
    y, u, v = (plane_array(p) for p in frame.planes[:3])
    i420 = np.empty((height * 3 // 2, width), np.uint8)
    cw, ch = width // 2, height // 2
    i420[:height] = _area(y, width, height)
    chroma = i420[height:].reshape(-1)
    chroma[: cw * ch] = _area(u, cw, ch).reshape(-1)
    chroma[cw * ch :] = _area(v, cw, ch).reshape(-1)
    return cv2.cvtColor(i420, cv2.COLOR_YUV2RGB_I420)


def _area(plane: np.ndarray, width: int, height: int) -> np.ndarray:
    """``plane`` area-averaged to ``width`` x ``height``: halvings first (OpenCV's
    fast path, four times cheaper than one large reduction), then the rest."""
    while plane.shape[1] >= 2 * width and plane.shape[0] >= 2 * height:
        plane = cv2.resize(plane, (plane.shape[1] // 2, plane.shape[0] // 2), interpolation=cv2.INTER_AREA)
    if plane.shape != (height, width):
        plane = cv2.resize(plane, (width, height), interpolation=cv2.INTER_AREA)
    return plane


def plane_array(plane) -> np.ndarray:
    """A zero-copy (height, width) view of one 8-bit plane, without row padding."""
    buf = np.frombuffer(plane, np.uint8)
    return buf[: plane.line_size * plane.height].reshape(plane.height, plane.line_size)[:, : plane.width]


class FrameReader:
    """Iterate the decoded frames of a video file in display orientation.

    ``src`` is a path or the file's :class:`VideoInfo` (skips probing again).

    >>> with FrameReader("clip.mp4") as reader:          # doctest: +SKIP
    ...     for frame in reader:
    ...         thumb = frame.to_rgb(160, 90)

    Use as a context manager so the file is closed. ``decode_errors`` counts
    packets the decoder rejected plus frames it flagged corrupt.
    ``fast_decode`` skips the codec's deblocking filter on frames that are
    not references: for analysis only, never for rendering.
    """

    def __init__(
        self,
        src: str | os.PathLike | VideoInfo,
        info: VideoInfo | None = None,
        *,
        threads: int = 0,
        fast_decode: bool = False,
    ) -> None:
        import av

        if isinstance(src, VideoInfo):
            info = src
            src = src.path
        self.path = Path(src)
        self.info = info if info is not None else probe(self.path)
        self.decode_errors = 0
        self.frames_read = 0
        self._first_error_time: float | None = None
        try:
            self._container = av.open(str(self.path), metadata_errors="ignore")
        except (av.error.FFmpegError, OSError) as e:
            raise InputError(f"cannot open {self.path}: {_reason(e)}") from e
        try:
            self._stream = self._container.streams[self.info.video_stream_index]
            # Frame and slice threads inside FFmpeg; Python only sees finished frames.
            self._stream.thread_type = "AUTO"
            if threads:
                self._stream.codec_context.thread_count = threads
            if fast_decode:
                # No deblocking on the frames no other frame predicts from: less
                # decoding work, and the slight blockiness does not survive
                # scaling down. Skipping it on reference frames too would let
                # the error build up to each keyframe, which then jumps back
                # clean: a still picture would show a false cut there.
                self._stream.codec_context.options = {"skip_loop_filter": "noref"}
            for s in self._container.streams:
                if s.index != self._stream.index:
                    s.discard = av.stream.Discard.all
        except BaseException:
            self._container.close()
            raise
        self._started = False
        # Interlaced pictures are combed when scaled or cropped: bwdif makes one
        # progressive frame of each frame (it leaves progressive frames alone).
        self._deinterlacer = _Deinterlacer(self._stream) if self.info.interlaced else None
        self._packet_bytes = 0
        self._picture_seen = False
        self._decoded = 0

    @property
    def stream(self):
        """The ``av`` video stream being decoded (codec context, colour tags)."""
        return self._stream

    def __enter__(self) -> FrameReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the file; iteration stops."""
        self._container.close()

    def __iter__(self) -> Iterator[VideoFrame]:
        if self._started:
            raise RuntimeError("a FrameReader can be iterated only once")
        self._started = True
        return self._frames()

    def _frames(self) -> Iterator[VideoFrame]:
        import av

        stream = self._stream
        info = self.info
        tb = float(info.time_base)
        try:
            packets = self._container.demux(stream)
            while True:
                try:
                    packet = next(packets)
                except StopIteration:
                    break
                except av.error.FFmpegError as e:
                    raise InputError(f"cannot read {self.path} after frame {self.frames_read}: {_reason(e)}") from e
                self._packet_bytes += packet.size
                # The final empty packet flushes the decoder's delayed frames.
                for frame in self._decode(stream, None if packet.size == 0 else packet):
                    if frame.is_corrupt:
                        self._note_error()
                    self._look_for_picture(frame)
                    self._decoded += 1
                    if self._deinterlacer is None:
                        yield self._wrap(frame, tb)
                    else:
                        for out in self._deinterlacer.push(frame):
                            yield self._wrap(out, tb)
            if self._deinterlacer is not None:
                for out in self._deinterlacer.push(None):
                    yield self._wrap(out, tb)
        except OSError as e:
            raise InputError(f"cannot read {self.path}: {e.strerror or e}") from e

    def _decode(self, stream, packet) -> list:
        import av

        try:
            return stream.decode(packet)
        except av.error.FFmpegError:
            self._note_error()
            return []

    def _note_error(self) -> None:
        if self._first_error_time is None:
            ts = self.info.timestamps
            i = min(self.frames_read, len(ts) - 1)
            self._first_error_time = float(ts[i] - self.info.start_time) if len(ts) else 0.0
        self.decode_errors += 1

    def _wrap(self, frame, tb: float) -> VideoFrame:
        i = self.frames_read
        self.frames_read += 1
        if frame.pts is not None:
            t = frame.pts * tb
        elif i < len(self.info.timestamps):
            t = float(self.info.timestamps[i])
        else:
            t = self.info.start_time + i / float(self.info.fps)
        return VideoFrame(i, t, frame.pts, frame, self.info)

    # Mean bytes a frame above which an all-black decode is not believed: an
    # encoded black frame takes tens of bytes, a real picture thousands.
    _BLACK_BYTES = 400

    def _look_for_picture(self, frame) -> None:
        """Note whether a decoded frame shows anything but black (checked on a sample of frames)."""
        if self._picture_seen or self._decoded % 5:
            return
        name = frame.format.name
        plane = frame.planes[0]
        if name.startswith(("yuv", "nv", "gray")):
            bits = next((b for b in (10, 12, 16) if f"{b}le" in name), 8)
            luma = plane_array(plane) if bits == 8 else _plane16(plane) >> (bits - 8)
            black = 0 if self.info.full_range else 16
            self._picture_seen = int(luma.max()) > black + 4
        else:  # RGB and other layouts: any byte above near-zero
            self._picture_seen = int(np.frombuffer(plane, np.uint8).max()) > 4

    def check(self) -> None:
        """Raise :class:`InputError` if the whole stream did not decode cleanly.

        Call after iterating: damaged packets, corrupt frames, or fewer
        frames than the probe counted all mean the source is broken.
        """
        if self.decode_errors:
            raise InputError(
                f"{self.path} is damaged: {self.decode_errors} frame(s) failed to decode, the first near "
                f"{self._first_error_time or 0.0:.2f} s; repair or re-encode it first (for example with ffmpeg)"
            )
        if self.frames_read and not self._picture_seen and self._packet_bytes / self.frames_read > self._BLACK_BYTES:
            # Some decoders (OpenCV's builds with interlaced H.264, for one)
            # return black frames and report success: black frames compress to
            # almost nothing, so large packets that decode to black are a failure.
            raise InputError(
                f"{self.path} decodes to black frames only although its packets carry a picture "
                f"({self._packet_bytes // self.frames_read} bytes a frame); the decoder cannot read this "
                "stream: re-encode it first (for example with ffmpeg)"
            )
        if self.frames_read != self.info.frame_count:
            raise InputError(
                f"{self.path} decoded to {self.frames_read} frames but its index lists {self.info.frame_count}; "
                "the file is damaged or truncated"
            )


def _plane16(plane) -> np.ndarray:
    """A (height, width) view of one 16-bit little-endian plane (10- and 12-bit formats)."""
    buf = np.frombuffer(plane, np.uint16)
    stride = plane.line_size // 2
    return buf[: stride * plane.height].reshape(plane.height, stride)[:, : plane.width]


class _Deinterlacer:
    """FFmpeg's bwdif filter, one output frame per input frame, timestamps kept."""

    def __init__(self, stream) -> None:
        import av.filter

        self.graph = av.filter.Graph()
        source = self.graph.add_buffer(template=stream)
        bwdif = self.graph.add("bwdif", "mode=send_frame:parity=auto:deint=interlaced")
        sink = self.graph.add("buffersink")
        source.link_to(bwdif)
        bwdif.link_to(sink)
        self.graph.configure()
        self.time_base = stream.time_base

    def push(self, frame) -> list:
        """Frames ready after ``frame`` (None flushes the last one)."""
        import av

        self.graph.push(frame)
        out = []
        while True:
            try:
                frame = self.graph.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                return out
            # bwdif halves the time base (it can also emit one frame per field): restore the stream's.
            if frame.pts is not None and frame.time_base and frame.time_base != self.time_base:
                frame.pts = round(frame.pts * frame.time_base / self.time_base)
                frame.time_base = self.time_base
            out.append(frame)


def _reason(e: BaseException) -> str:
    text = getattr(e, "strerror", None) or str(e)
    return str(text).splitlines()[0] if text else type(e).__name__
