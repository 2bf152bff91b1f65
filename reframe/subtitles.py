"""Burned-in subtitles: where the analysis found them.

A :class:`SubtitleBand` is the stretch of the picture (full rows, or the
width the lines use) where subtitle lines appear over a range of frames.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SubtitleBand:
    """Subtitle lines shown in ``box`` (``x, y, w, h``, display pixels of the
    source) on frames ``start`` (inclusive) to ``end`` (exclusive)."""

    start: int
    end: int
    box: tuple[float, float, float, float]
