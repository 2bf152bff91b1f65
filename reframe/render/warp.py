"""The warp: a float window of the source planes scaled onto output planes.

The work stays in YUV 4:2:0: the decoded planes are warped directly to the
output planes, so there is no RGB round trip and colours are not shifted.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..probe import VideoInfo
from .compose import Planes


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
        self.black = info.black_level

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
