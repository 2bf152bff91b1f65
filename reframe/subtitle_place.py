"""Burned-in subtitles shown whole in a narrower frame: the band and its place.

A subtitle line spans most of a landscape picture, so any narrower window
cuts it at both ends. With ``subtitles="move"`` (the default) each shot that
carries subtitle lines shows the band they occupy taken whole from the
source, scaled down to the output width, at a fixed place in the lower part
of the output, above the area phone apps cover with their own interface;
the picture window no longer has to hold those rows, and wherever it still
shows them they are covered. ``keep`` leaves the band in the picture but
makes it a region the shot must show whole (a wider window, or the whole
picture); ``crop`` ignores subtitles; ``auto`` is ``move`` where a band was
found.

The crop path stores a shot's :class:`MovedBand`: ``band`` in display pixels
of the source, ``place`` as fractions of the output's width and height, so
one plan renders at any output size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import CropPathError
from .geometry import bounding_box, from_xywh
from .subtitles import SubtitleBand

# The band's bottom edge, as a share of the output height: above the bottom
# fifth that phone apps cover with captions and buttons (estimates of
# 320-420 px of a 1920 px frame). Feeds of 4:5 and 1:1 posts draw less over
# the picture, but the same place keeps one look for every format.
BOTTOM = 0.78
# A band must show on this many seconds of a shot (or the whole shot) to be moved.
MIN_SECONDS = 0.25
# Room around the lines for their outline and shadow, in band heights.
MARGIN = 0.12
_DECIMALS = 4


Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class MovedBand:
    """A shot's subtitle band ``band`` (``x, y, w, h`` in display pixels of the
    source) and where it is shown, ``place`` (``x, y, w, h`` as fractions of
    the output width and height).

    >>> MovedBand((0, 950, 1920, 120), (0, 0.74, 1, 0.04)).to_dict()
    {'band': [0, 950, 1920, 120], 'place': [0, 0.74, 1, 0.04]}
    """

    band: Box
    place: Box

    def __post_init__(self) -> None:
        band = _four(self.band, "band")
        place = _four(self.place, "place")
        if band[2] <= 1 or band[3] <= 1:
            raise CropPathError(f"subtitle band {list(band)} must be at least 2 pixels wide and high")
        x, y, w, h = place
        tol = 1e-3
        if w <= 0 or h <= 0 or x < -tol or y < -tol or x + w > 1 + tol or y + h > 1 + tol:
            raise CropPathError(
                f"subtitle place {list(place)} must lie inside the output: x, y, w, h as fractions of its "
                "width and height (x + w and y + h at most 1)"
            )
        object.__setattr__(self, "band", tuple(round(v, 2) for v in band))
        object.__setattr__(self, "place", tuple(round(v, _DECIMALS) for v in place))

    def check_inside(self, width: int, height: int, where: str) -> None:
        """:class:`CropPathError` unless the band lies inside a ``width`` x ``height`` source."""
        x, y, w, h = self.band
        tol = 0.011
        if x < -tol or y < -tol or x + w > width + tol or y + h > height + tol:
            raise CropPathError(f"{where}: subtitle band {list(self.band)} leaves the {width}x{height} source")

    def to_dict(self) -> dict:
        return {"band": [_num(v) for v in self.band], "place": [_num(v) for v in self.place]}

    @classmethod
    def from_dict(cls, data, where: str) -> MovedBand:
        if not isinstance(data, dict) or "band" not in data or "place" not in data:
            raise CropPathError(f'{where}: "subtitles" must be an object with "band" and "place"')
        try:
            return cls(data["band"], data["place"])
        except CropPathError as e:
            raise CropPathError(f"{where}: {e}") from None


def _four(values, name: str) -> Box:
    try:
        out = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        out = ()
    if len(out) != 4 or not all(math.isfinite(v) for v in out):
        raise CropPathError(f"subtitle {name} must be four numbers [x, y, w, h], got {values!r}")
    return out  # type: ignore[return-value]


def _num(v: float) -> float | int:
    return int(v) if v == int(v) else v


def shot_band(bands: Sequence[SubtitleBand], start: int, end: int, frame: Box, fps: float) -> Box | None:
    """The band of the shot ``[start, end)``: every band shown on enough of it,
    as one box, with room for the outline, inside ``frame`` (the source's
    ``0, 0, width, height``: lines in a letterbox bar are moved too). None without."""
    need = min(end - start, max(1, round(MIN_SECONDS * fps)))
    boxes = [b.box for b in bands if min(b.end, end) - max(b.start, start) >= need]
    if not boxes:
        return None
    return _grown(boxes, frame)


def widest(bands: Sequence[SubtitleBand], frame: Box) -> float:
    """The width of the widest band of the whole video, with its margin: it sets one text size for all shots."""
    return max((_grown([b.box], frame)[2] for b in bands), default=0.0)


def _grown(boxes: Sequence[Box], frame: Box) -> Box:
    x1, y1, x2, y2 = bounding_box(from_xywh(np.asarray(boxes, float))).tolist()
    pad = max(2.0, MARGIN * min(b[3] for b in boxes))
    cx, cy, cw, ch = frame
    x1, y1 = max(cx, x1 - pad), max(cy, y1 - pad)
    x2, y2 = min(cx + cw, x2 + pad), min(cy + ch, y2 + pad)
    return (x1, y1, max(2.0, x2 - x1), max(2.0, y2 - y1))


def place_for(band: Box, widest_band: float, window_width: float, ratio: float) -> Box:
    """Where ``band`` goes in an output of aspect ``ratio`` (width / height).

    The video's widest band (``widest_band``) fills the output width, so the
    text keeps one size in every shot; it is never shown larger than the
    picture of a ``window_width`` window is. Centred, its bottom edge at
    :data:`BOTTOM` of the height.

    >>> [round(v, 3) for v in place_for((0, 950, 1920, 120), 1920, 607.5, 9 / 16)]
    [0.0, 0.745, 1.0, 0.035]
    """
    w = band[2] / max(widest_band, band[2], window_width)
    h = w * band[3] / band[2] * ratio
    if h > BOTTOM:  # a band taller than the room above the bottom: shown at that height instead
        w, h = w * BOTTOM / h, BOTTOM
    return ((1 - w) / 2, BOTTOM - h, w, h)


def rows_clear_of(band: Box, top: float, height: float) -> tuple[float, float]:
    """The rows ``(y, h)`` of ``[top, top + height)`` on the larger side of ``band``, without its rows
    (all of them when the band lies outside, as in a letterbox bar).

    >>> rows_clear_of((0, 950, 1920, 120), 0, 1080), rows_clear_of((0, 1000, 1920, 60), 140, 800)
    ((0, 950), (140, 800))
    """
    above = band[1] - top
    below = top + height - (band[1] + band[3])
    if above >= height or below >= height:
        return top, height
    return (top, above) if above >= below else (band[1] + band[3], below)
