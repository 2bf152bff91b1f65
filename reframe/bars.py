"""Black bars burned into the picture (letterbox, pillarbox), found over a whole clip."""

from __future__ import annotations

import numpy as np


class BarFinder:
    """Finds black bars burned into the picture (letterbox, pillarbox).

    A row or column belongs to a bar when it is dark on every frame of the
    clip; fades to black do not count because the rest of the clip lights
    them up.
    """

    # Brightest a bar pixel gets (8-bit); compressed black sits around 16-20.
    DARK = 32
    # Bars thinner than this share of the side are ignored (edge noise).
    MIN_SHARE = 0.02

    def __init__(self) -> None:
        self._rows: np.ndarray | None = None
        self._cols: np.ndarray | None = None

    def add(self, rgb: np.ndarray) -> None:
        # The brightest channel of each row and column, taken over whole
        # contiguous rows first: a per-pixel maximum over the three channels
        # is a slow strided reduction, and this runs on every frame.
        h, w = rgb.shape[:2]
        rows = rgb.reshape(h, -1).max(axis=1)
        cols = rgb.max(axis=0).max(axis=1)
        if self._rows is None:
            self._rows, self._cols = rows.copy(), cols.copy()
        else:
            np.maximum(self._rows, rows, out=self._rows)
            np.maximum(self._cols, cols, out=self._cols)

    def content(self, width: int, height: int) -> tuple[float, float, float, float] | None:
        """The picture area in ``width`` x ``height`` pixels, or None when there are no bars."""
        if self._rows is None:
            return None
        y0, y1 = _span(self._rows > self.DARK, self.MIN_SHARE)
        x0, x1 = _span(self._cols > self.DARK, self.MIN_SHARE)
        if (x0, y0, x1, y1) == (0.0, 0.0, 1.0, 1.0):
            return None
        return (float(x0 * width), float(y0 * height), float((x1 - x0) * width), float((y1 - y0) * height))


def _span(lit: np.ndarray, min_share: float) -> tuple[float, float]:
    """First and last position of the picture as shares of the side (whole side when unlit or bars too thin)."""
    n = len(lit)
    idx = np.flatnonzero(lit)
    if len(idx) < n * 0.2:
        return 0.0, 1.0  # almost nothing lit: a black clip, not bars
    first, last = _picture_run(idx, n)
    # Two thumbnail pixels in, so the bar's blurred edge stays outside.
    a = (first + 2) / n if first > 0 else 0.0
    b = (last - 1) / n if last < n - 1 else 1.0
    a = a if a >= min_share else 0.0
    b = b if 1.0 - b >= min_share else 1.0
    return a, b


# Text or a logo printed on a bar (subtitles under a letterboxed film) lights
# a strip of it apart from the picture: a strip thinner than this share of the
# side, with rows dark on every frame at least this share wide between it and
# the picture, belongs to the bar.
_PRINTED_MAX = 0.15
_PRINTED_GAP = 0.02


def _picture_run(lit_idx: np.ndarray, n: int) -> tuple[int, int]:
    """First and last lit position of the picture: the longest run of lit
    positions and the runs next to it that are thick or close enough to be
    part of it (a dark line across the picture does not split it).

    >>> _picture_run(np.r_[10:80, 83:88], 90)  # subtitles 3 rows below the picture
    (10, 79)
    >>> _picture_run(np.r_[10:40, 45:80], 90)  # a black line across the picture
    (10, 79)
    """
    runs = np.split(lit_idx, np.flatnonzero(np.diff(lit_idx) > 1) + 1)
    lo = hi = max(range(len(runs)), key=lambda i: len(runs[i]))

    def joins(run: np.ndarray, gap: int) -> bool:
        return len(run) > _PRINTED_MAX * n or gap < _PRINTED_GAP * n

    while lo > 0 and joins(runs[lo - 1], runs[lo][0] - runs[lo - 1][-1] - 1):
        lo -= 1
    while hi < len(runs) - 1 and joins(runs[hi + 1], runs[hi + 1][0] - runs[hi][-1] - 1):
        hi += 1
    first, last = int(runs[lo][0]), int(runs[hi][-1])
    if last - first + 1 < n / 2:
        return int(lit_idx[0]), int(lit_idx[-1])  # no main picture to tell printing from
    return first, last
