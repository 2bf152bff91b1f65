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

import numpy as np

from .errors import InputError
from .probe import VideoInfo, orient, probe


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
        display size). Scaling happens in C before the picture is turned.
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
        if frame.format.name != "yuv420p" or (frame.width, frame.height) != (uw, uh):
            frame = frame.reformat(width=uw, height=uh, format="yuv420p")
        planes = tuple(_plane(p) for p in frame.planes[:3])
        if info.rotation or info.mirrored:
            planes = tuple(orient(p, info.rotation, info.mirrored) for p in planes)
        return planes  # type: ignore[return-value]


def _plane(plane) -> np.ndarray:
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
    """

    def __init__(
        self, src: str | os.PathLike | VideoInfo, info: VideoInfo | None = None, *, threads: int = 0
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
            for s in self._container.streams:
                if s.index != self._stream.index:
                    s.discard = av.stream.Discard.all
        except BaseException:
            self._container.close()
            raise
        self._started = False

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
                # The final empty packet flushes the decoder's delayed frames.
                for frame in self._decode(stream, None if packet.size == 0 else packet):
                    yield self._wrap(frame, tb)
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
        if frame.is_corrupt:
            self._note_error()
        if frame.pts is not None:
            t = frame.pts * tb
        elif i < len(self.info.timestamps):
            t = float(self.info.timestamps[i])
        else:
            t = self.info.start_time + i / float(self.info.fps)
        return VideoFrame(i, t, frame.pts, frame, self.info)

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
        if self.frames_read != self.info.frame_count:
            raise InputError(
                f"{self.path} decoded to {self.frames_read} frames but its index lists {self.info.frame_count}; "
                "the file is damaged or truncated"
            )


def _reason(e: BaseException) -> str:
    text = getattr(e, "strerror", None) or str(e)
    return str(text).splitlines()[0] if text else type(e).__name__
