"""Probe: what a video file is, read once into frozen dataclasses.

PyAV reads the container directly: the display matrix (rotation), the sample
aspect ratio, the exact frame rate as a fraction and every packet's
timestamp. moviepy's metadata comes from parsing ``ffmpeg -i`` text, which
reports rotation 0 for phone clips and only an average rate for
variable-frame-rate clips, so it is not used here.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from .colour import hdr_kind
from .errors import InputError, UnsupportedInputError


@dataclass(frozen=True)
class AudioStreamInfo:
    """One audio stream of the source."""

    index: int  # stream index in the container
    codec: str
    channels: int
    sample_rate: int
    language: str | None = None
    default: bool = False
    start_time: float | None = None  # seconds, presentation time of the first sample (edit lists applied)


@dataclass(frozen=True)
class VideoInfo:
    """What the video stream of a file looks like, as displayed.

    ``width``/``height`` are the display size: coded size stretched by the
    sample aspect ratio, then turned by ``rotation``. Every coordinate in
    reframe (detections, crop windows) is in this display space.

    ``timestamps`` holds the presentation time in seconds of every frame in
    decode-output order, so frame ``i`` is the i-th decoded frame and
    variable frame rates are exact.
    """

    path: Path
    width: int
    height: int
    coded_width: int
    coded_height: int
    rotation: int  # clockwise degrees to turn the coded picture for display: 0, 90, 180, 270
    sar: Fraction
    fps: Fraction  # nominal rate; use ``timestamps`` for exact times
    time_base: Fraction
    frame_count: int
    duration: float  # seconds, from the first frame's start to the last frame's end
    start_time: float  # seconds, presentation time of the first frame
    codec: str
    pix_fmt: str
    timestamps: np.ndarray = field(repr=False, compare=False)
    audio: tuple[AudioStreamInfo, ...] = ()
    video_stream_index: int = 0
    mirrored: bool = False  # after the rotation, mirror left-right (front cameras, -display_hflip)
    hdr: str | None = None  # "pq" or "hlg" transfer (tone-mapped to BT.709 when decoded); None for SDR
    full_range: bool = False  # Y'CbCr uses 0-255 (JPEG range) rather than 16-235
    interlaced: bool = False  # the first frame is interlaced: frames are deinterlaced when read
    # The stream's colour tags as FFmpeg codes (AVCOL_*), as a decoder opened on the file starts
    # with them; 2 is "unspecified" (0 for the range). The output is tagged from these.
    colorspace: int = 2  # the Y'CbCr matrix
    color_primaries: int = 2
    color_trc: int = 2  # the transfer
    color_range: int = 0

    @property
    def has_audio(self) -> bool:
        return bool(self.audio)

    @property
    def is_variable_frame_rate(self) -> bool:
        if len(self.timestamps) < 3:
            return False
        steps = np.diff(self.timestamps)
        return bool(np.ptp(steps) > 0.5 / float(self.fps))

    @property
    def default_audio(self) -> AudioStreamInfo | None:
        """The audio stream a player would pick: the one marked default, else the first."""
        for a in self.audio:
            if a.default:
                return a
        return self.audio[0] if self.audio else None

    @property
    def black_level(self) -> int:
        """The luma code of black in the planes rendered from (HDR is tone-mapped to limited range)."""
        return 0 if self.full_range and not self.hdr else 16

    @property
    def upright_size(self) -> tuple[int, int]:
        """Display size before rotation: what the coded picture is scaled to."""
        if self.rotation in (90, 270):
            return self.height, self.width
        return self.width, self.height



# ---------------------------------------------------------------------------
# probe()

# av is imported lazily so that importing reframe stays cheap for tools that
# only read crop paths.


def probe(path: str | os.PathLike) -> VideoInfo:
    """Read what the video stream of ``path`` looks like, as displayed.

    Demuxes every video packet (no decoding, except the first frame for its
    display matrix) so frame count and timestamps are exact even for
    variable-frame-rate files.

    Raises :class:`InputError` when the file cannot be read (missing, a
    folder, empty, not media, truncated) and :class:`UnsupportedInputError`
    when it is media without a video to convert (audio only, a still image).
    """
    import av

    path = Path(path)
    _check_file(path)
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.FFmpegError as e:
        raise InputError(f"cannot read {path}: not a media file, or truncated ({_reason(e)})") from e
    except OSError as e:
        raise InputError(f"cannot open {path}: {e.strerror or e}") from e
    try:
        return _probe_container(container, path)
    except av.error.FFmpegError as e:
        raise InputError(f"cannot read {path}: {_reason(e)}") from e
    finally:
        container.close()


def _check_file(path: Path) -> None:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path} does not exist") from None
    except OSError as e:
        raise InputError(f"cannot open {path}: {e.strerror or e}") from None
    if path.is_dir():
        raise InputError(f"{path} is a folder, not a video file")
    if st.st_size == 0:
        raise InputError(f"{path} is empty (0 bytes)")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path} is not readable (permission denied)")


def _reason(e: BaseException) -> str:
    """The FFmpeg error text without the file name PyAV appends."""
    text = getattr(e, "strerror", None) or str(e)
    return str(text).splitlines()[0] if text else type(e).__name__


def _probe_container(container, path: Path) -> VideoInfo:
    import av

    stream = _pick_video_stream(container, path)
    cc = stream.codec_context
    if not cc.width or not cc.height:
        raise InputError(f"{path}: the video stream has no picture size (damaged header)")
    # Read before any decoding: a decoder may rewrite its context's tags from the bitstream.
    tags = {name: int(getattr(cc, name)) for name in _COLOUR_TAGS if getattr(cc, name, None) is not None}
    tb = stream.time_base or Fraction(1, 90000)

    # Demux only this stream's packets: reading packets is cheap, decoding
    # is not. The first frame is decoded on the way for its display matrix.
    for s in container.streams:
        if s.index != stream.index:
            s.discard = av.stream.Discard.all  # the demuxer then skips their payloads where it can
    pts: list[int] = []
    dts_fallback: list[int | None] = []
    total = 0
    first_frame = None
    decode_failures = 0
    for packet in container.demux(stream):
        if packet.size == 0:  # the flush packet PyAV yields at the end
            continue
        total += 1
        if packet.is_discard:  # before an edit list's start: the decoder drops these
            continue
        if first_frame is None and decode_failures < 64:
            try:
                frames = stream.decode(packet)
                if frames:
                    first_frame = frames[0]
            except av.error.FFmpegError:
                decode_failures += 1
        pts.append(packet.pts if packet.pts is not None else -(2**62))
        dts_fallback.append(packet.dts)
    if first_frame is None and pts:
        try:  # decoders that buffer (B-frames, frame threads) release frames on flush
            frames = stream.decode(None)
            first_frame = frames[0] if frames else None
        except av.error.FFmpegError:
            pass

    n = len(pts)
    if n == 0:
        raise InputError(f"{path}: the video stream has no frames (empty or truncated file)")
    if stream.frames and total < stream.frames:
        raise InputError(
            f"{path} is truncated: its header lists {stream.frames} video frames but only {total} are present"
        )
    if n == 1:
        raise UnsupportedInputError(f"{path} has a single frame (a still image): too short to convert")
    if first_frame is None:
        raise InputError(f"{path}: no video frame can be decoded (corrupt stream or unsupported codec {cc.name})")

    ticks = _timestamps(pts, dts_fallback, stream, n)
    ticks.sort()
    times = ticks.astype(np.float64) * float(tb)
    fps = _frame_rate(stream, times)
    # The last frame lasts as long as the interval before it. MP4 stores no
    # presentation duration for it (with B-frames the packet duration is a
    # decode-order delta), so this is the one definition that gives a file
    # and its re-encode the same duration.
    last_dur = float(times[-1] - times[-2]) if n > 1 and times[-1] > times[-2] else 1 / float(fps)
    duration = float(times[-1] - times[0] + last_dur)

    sar = stream.sample_aspect_ratio or cc.sample_aspect_ratio or Fraction(1)
    sar = Fraction(sar) if sar > 0 else Fraction(1)
    rotation, mirrored = _orientation(first_frame)
    w, h = first_frame.width or cc.width, first_frame.height or cc.height
    disp_w = max(2, int(round(w * sar)))
    if rotation in (90, 270):
        disp_w, h = h, disp_w
    return VideoInfo(
        path=path,
        width=disp_w,
        height=h,
        coded_width=w,
        coded_height=first_frame.height or cc.height,
        rotation=rotation,
        sar=sar,
        fps=fps,
        time_base=Fraction(tb),
        frame_count=n,
        duration=duration,
        start_time=float(times[0]),
        codec=cc.name,
        pix_fmt=first_frame.format.name,
        timestamps=times,
        audio=_audio_streams(container),
        video_stream_index=stream.index,
        mirrored=mirrored,
        hdr=hdr_kind(first_frame.color_trc or cc.color_trc),
        full_range=first_frame.format.name.startswith("yuvj") or int(first_frame.color_range or 0) == 2,
        interlaced=bool(first_frame.interlaced_frame),
        **tags,
    )


_COLOUR_TAGS = ("colorspace", "color_primaries", "color_trc", "color_range")


def _pick_video_stream(container, path: Path):
    import av

    attached = av.stream.Disposition.attached_pic
    videos = [s for s in container.streams.video if not (s.disposition & attached)]
    if not videos:
        what = "only cover art" if container.streams.video else (
            "audio only" if container.streams.audio else "no video stream")
        raise UnsupportedInputError(f"{path} has no video to convert ({what})")
    default = [s for s in videos if s.disposition & av.stream.Disposition.default]
    return (default or videos)[0]


def _timestamps(pts: list[int], dts: list[int | None], stream, n: int) -> np.ndarray:
    missing = -(2**62)
    ticks = np.array(pts, dtype=np.int64)
    if not np.any(ticks == missing):
        return ticks
    # Raw elementary streams carry no pts: use dts, else a constant rate.
    if all(d is not None for d in dts):
        return np.array(dts, dtype=np.int64)
    rate = stream.average_rate or stream.guessed_rate or Fraction(25)
    tb = stream.time_base or Fraction(1, 90000)
    return np.array([round(i / (rate * tb)) for i in range(n)], dtype=np.int64)


def _frame_rate(stream, times: np.ndarray) -> Fraction:
    """The nominal rate: the container's exact fraction, checked against the timestamps."""
    measured = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else None
    guessed, average = stream.guessed_rate, stream.average_rate
    for cand in (guessed, average):
        if cand and cand > 0 and (measured is None or abs(float(cand) - measured) <= 0.02 * measured):
            return Fraction(cand)
    if average and average > 0:
        return Fraction(average)
    if measured:
        return Fraction(measured).limit_denominator(1001)
    return Fraction(25)


def _orientation(frame) -> tuple[int, bool]:
    """(clockwise rotation, mirrored) from the frame's display matrix.

    ``VideoFrame.rotation`` alone cannot tell a mirror from a half turn, so
    the matrix itself is read. FFmpeg's convention is ``[x' y'] = [x y] *
    M``: with ``M = [[a, b], [c, d]]`` a coded pixel (x, y) is shown at
    (a x + c y, b x + d y).
    """
    matrix = None
    for sd in frame.side_data:
        if str(sd.type).upper().endswith("DISPLAYMATRIX"):
            raw = bytes(sd)
            if len(raw) >= 36:
                matrix = struct.unpack("<9i", raw[:36])
    if matrix is None:
        return 0, False
    a, b, c, d = matrix[0], matrix[1], matrix[3], matrix[4]
    probe_grid = np.arange(6).reshape(2, 3)
    if abs(a) + abs(d) < abs(b) + abs(c):  # a quarter turn: rows become columns
        shown = probe_grid.T
        if c < 0:
            shown = shown[:, ::-1]
        if b < 0:
            shown = shown[::-1]
    else:
        shown = probe_grid
        if a < 0:
            shown = shown[:, ::-1]
        if d < 0:
            shown = shown[::-1]
    for rotation in (0, 90, 180, 270):
        for mirrored in (False, True):
            if np.array_equal(orient(probe_grid, rotation, mirrored), shown):
                return rotation, mirrored
    return 0, False


def orient(array: np.ndarray, rotation: int, mirrored: bool) -> np.ndarray:
    """Turn a coded-orientation image (H, W, ...) into display orientation (a view)."""
    if rotation:
        array = np.rot90(array, k=-(rotation // 90))  # rot90 turns counter-clockwise for positive k
    if mirrored:
        array = array[:, ::-1]
    return array


def _audio_streams(container) -> tuple[AudioStreamInfo, ...]:
    import av

    out = []
    for s in container.streams.audio:
        cc = s.codec_context
        lang = s.metadata.get("language") if s.metadata else None
        out.append(
            AudioStreamInfo(
                index=s.index,
                codec=cc.name,
                channels=int(cc.channels or 0),
                sample_rate=int(cc.sample_rate or s.rate or 0),
                language=None if lang in (None, "", "und") else lang,
                default=bool(s.disposition & av.stream.Disposition.default),
                start_time=float(s.start_time * s.time_base) if s.start_time is not None and s.time_base else None,
            )
        )
    if out and not any(a.default for a in out):
        out[0] = AudioStreamInfo(**{**out[0].__dict__, "default": True})
    return tuple(out)
