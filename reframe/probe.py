"""Probe: what a video file is, read once into frozen dataclasses.

PyAV reads the container directly: the display matrix (rotation), the sample
aspect ratio, the exact frame rate as a fraction and every packet's
timestamp. moviepy's metadata comes from parsing ``ffmpeg -i`` text, which
reports rotation 0 for phone clips and only an average rate for
variable-frame-rate clips, so it is not used here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class AudioStreamInfo:
    """One audio stream of the source."""

    index: int  # stream index in the container
    codec: str
    channels: int
    sample_rate: int
    language: str | None = None
    default: bool = False


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

    @property
    def has_audio(self) -> bool:
        return bool(self.audio)

    @property
    def is_variable_frame_rate(self) -> bool:
        if len(self.timestamps) < 3:
            return False
        steps = np.diff(self.timestamps)
        return bool(np.ptp(steps) > 0.5 / float(self.fps))
