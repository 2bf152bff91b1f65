"""Render: apply a crop path to the source and encode the vertical video.

Every source frame is cut to its window with subpixel accuracy, scaled to
the output size and encoded with libx264, keeping the frame's own
presentation time (variable frame rates stay exact). The work stays in
YUV 4:2:0: the decoded planes are warped directly to the output planes, so
there is no RGB round trip and colours are not shifted.

The package's parts:

- :mod:`.output`: output safety (partial files renamed into place when
  complete, nothing left behind on failure or Ctrl-C, the input never
  written);
- :mod:`.encoder`: the encoder, its options and the video stream's colour tags;
- :mod:`.compose` and :mod:`.warp`: each output frame for its shot's layout;
- :mod:`.audio`: the kept audio streams, copied or re-encoded, and audio
  that starts before the picture;
- :mod:`.encode`: the loop that decodes the source once for several outputs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import ProgressCallback, RenderConfig
from ..croppath import CropPath
from ..errors import UsageError
from ..probe import AudioStreamInfo, VideoInfo, probe
from .audio import HELD_AUDIO_MIN, MP4_AUDIO_CODECS
from .compose import Compositor
from .encode import _encode
from .encoder import check_encoder
from .output import check_output, make_folder, partial_targets

# Private parts importable from here too: tests and other code name them by this module.
from .encode import _Output  # noqa: E402,F401
from .output import _Target  # noqa: E402,F401
from .warp import _resize_window, _warp_plane, _Warper  # noqa: E402,F401

__all__ = [
    "HELD_AUDIO_MIN", "MP4_AUDIO_CODECS", "SHARED_DECODE", "Compositor", "RenderResult", "check_encoder",
    "check_output", "render_many",
]


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


def render_many(
    src: str | os.PathLike,
    targets: Sequence[tuple[CropPath, str | os.PathLike]],
    config: RenderConfig = RenderConfig(),
    progress: ProgressCallback | None = None,
    info: VideoInfo | None = None,
) -> list[RenderResult]:
    """Encode ``src`` along several crop paths, one file each (``targets``
    pairs each path with its destination), decoding the source once for
    every :data:`SHARED_DECODE` of them. Errors as :func:`reframe.render`;
    when one output fails, none is written.
    """
    if not isinstance(src, (str, os.PathLike)):  # the argument order of earlier releases
        from ..pipeline import deprecated

        deprecated("render_many(targets, src)", "render_many(src, targets)")
        src, targets = targets, src
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
        crop_path.check_video(info)
        widths, heights = crop_path.windows[:, 2], crop_path.windows[:, 3]
        size = config.output_size(float(np.median(widths)), float(np.median(heights)))
        make_folder(dst)
        outputs.append((crop_path, dst, size))
    with partial_targets(outputs) as targets:  # each renamed into place when all are written
        written = []
        for first in range(0, len(targets), SHARED_DECODE):
            written += _encode(targets[first : first + SHARED_DECODE], info, pix_fmt, config, progress)
    elapsed = time.perf_counter() - started
    return [
        RenderResult(t.dst, t.size[0], t.size[1], count, duration, codec, elapsed, kept)
        for t, (count, duration, codec, kept) in zip(targets, written)
    ]


# Outputs encoded from one decoding of the source: each encoder holds about
# 180 MB at 1080x1920, so more at once would cost more memory than the
# decoding they share saves.
SHARED_DECODE = 2
