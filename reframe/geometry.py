"""Box arithmetic in one convention: corners ``x0, y0, x1, y1`` (x1 >= x0, y1 >= y0).

A box is four numbers, or an array whose last axis holds them; the functions
broadcast like numpy, so ``iou(boxes, box)`` is the IoU of each of ``(n, 4)``
boxes with one box and ``iou(a[:, None], b[None])`` the ``(n, m)`` table.
Results keep the arrays' dtype: float32 detections give float32 shares, and
a box given as plain Python numbers does not change that.

Crop windows, annotations and subtitle bands are stored as ``x, y, w, h``;
:func:`from_xywh` and :func:`to_xywh` convert at the boundary.

>>> iou([0, 0, 10, 10], [5, 0, 15, 10]).round(3)
np.float64(0.333)
>>> inside_share(from_xywh([[0, 0, 10, 10], [50, 50, 10, 10]]), [5, 0, 105, 100])
array([0.5, 1. ])
"""

from __future__ import annotations

import math

import numpy as np

# Below this area a union or a box counts as empty (no division by zero).
_TINY = 1e-6


def from_xywh(boxes) -> np.ndarray:
    """``x, y, w, h`` boxes as ``x0, y0, x1, y1``.

    >>> from_xywh((10, 20, 30, 40)).tolist()
    [10, 20, 40, 60]
    """
    b = np.asarray(boxes)
    return np.concatenate([b[..., :2], b[..., :2] + b[..., 2:]], axis=-1)


def to_xywh(boxes) -> np.ndarray:
    """``x0, y0, x1, y1`` boxes as ``x, y, w, h``.

    >>> to_xywh((10, 20, 40, 60)).tolist()
    [10, 20, 30, 40]
    """
    b = np.asarray(boxes)
    return np.concatenate([b[..., :2], b[..., 2:] - b[..., :2]], axis=-1)


def _corners(boxes) -> tuple:
    """``x0, y0, x1, y1`` of an array of boxes, or the four numbers of one box as they are
    (Python numbers stay Python numbers, which keep an array's float32 float32)."""
    if not isinstance(boxes, np.ndarray) and len(boxes) == 4 and all(np.ndim(v) == 0 for v in boxes):
        x0, y0, x1, y1 = boxes
        return x0, y0, x1, y1
    b = np.asarray(boxes)
    return b[..., 0], b[..., 1], b[..., 2], b[..., 3]


def area(boxes) -> np.ndarray:
    """Area of each box."""
    x0, y0, x1, y1 = _corners(boxes)
    return (x1 - x0) * (y1 - y0)


def intersection(a, b) -> np.ndarray:
    """Area shared by ``a`` and ``b`` (broadcast); 0 for boxes apart or touching."""
    ax0, ay0, ax1, ay1 = _corners(a)
    bx0, by0, bx1, by1 = _corners(b)
    ix = np.clip(np.minimum(ax1, bx1) - np.maximum(ax0, bx0), 0, None)
    iy = np.clip(np.minimum(ay1, by1) - np.maximum(ay0, by0), 0, None)
    return ix * iy


def iou(a, b) -> np.ndarray:
    """Intersection over union of ``a`` and ``b`` (broadcast); 0 for empty boxes."""
    inter = intersection(a, b)
    union = area(a) + area(b) - inter
    return inter / np.maximum(union, _TINY)


def inside_share(boxes, window) -> np.ndarray:
    """Share of each box's area that lies inside ``window`` (broadcast).

    A box without area is a point: 1 when that point is in the window, else 0.
    """
    inter = intersection(boxes, window)
    own = area(boxes)
    x0, y0, _, _ = _corners(boxes)
    point = points_in(np.stack(np.broadcast_arrays(x0, y0), axis=-1), window)
    return np.where(own > 0, inter / np.where(own > 0, own, 1), point.astype(inter.dtype))


def smaller_share(a, b) -> np.ndarray:
    """Share of the smaller of ``a`` and ``b`` (broadcast) that lies inside the other:
    1 when one holds the other, whatever their sizes."""
    return intersection(a, b) / np.maximum(np.minimum(area(a), area(b)), _TINY)


def points_in(points, box) -> np.ndarray:
    """Whether each ``(..., 2)`` point lies in ``box``, edges included."""
    p = np.asarray(points)
    x0, y0, x1, y1 = _corners(box)
    return (p[..., 0] >= x0) & (p[..., 0] <= x1) & (p[..., 1] >= y0) & (p[..., 1] <= y1)


def centres(boxes) -> np.ndarray:
    """The ``(..., 2)`` centre of each box."""
    b = np.asarray(boxes)
    return (b[..., :2] + b[..., 2:]) / 2


def clip_to_frame(boxes, width: float, height: float) -> np.ndarray:
    """``boxes`` cut to the frame ``0, 0, width, height``."""
    return np.clip(boxes, 0, [width, height, width, height])


def common_box(a, b) -> np.ndarray:
    """The box ``a`` and ``b`` share (broadcast); where they do not meet it is
    :func:`is_empty`."""
    a, b = np.asarray(a), np.asarray(b)
    return np.concatenate([np.maximum(a[..., :2], b[..., :2]), np.minimum(a[..., 2:], b[..., 2:])], axis=-1)


def is_empty(boxes) -> np.ndarray:
    """Whether each box has no inside (zero or negative width or height)."""
    b = np.asarray(boxes)
    return (b[..., 2] <= b[..., 0]) | (b[..., 3] <= b[..., 1])


def bounding_box(boxes) -> np.ndarray:
    """The smallest box holding all of the ``(n, 4)`` boxes (n >= 1).

    >>> bounding_box([[0, 5, 10, 10], [4, 0, 6, 20]]).tolist()
    [0, 0, 10, 20]
    """
    b = np.asarray(boxes).reshape(-1, 4)
    if not len(b):
        raise ValueError("no boxes to bound")
    return np.concatenate([b[:, :2].min(axis=0), b[:, 2:].max(axis=0)])


def centred_span(centre: float, size: float, lo: float, length: float) -> float:
    """Start of a span of ``size`` centred on ``centre``, moved to lie within
    ``[lo, lo + length]``; centred on that range when it is the larger.

    >>> centred_span(5, 4, 0, 100), centred_span(99, 4, 0, 100), centred_span(5, 200, 0, 100)
    (3.0, 96, -50.0)
    """
    if size < length:
        return min(max(centre - size / 2, lo), lo + length - size)
    return lo + length / 2 - size / 2


def nms(boxes: np.ndarray, score: np.ndarray, iou: float = 0.3, containment: float = 0.6) -> np.ndarray:
    """Indices of the ``(n, 4)`` boxes kept by greedy non-maximum suppression, best score first.

    A box goes when its IoU with a kept box exceeds ``iou``, or when more
    than ``containment`` of the smaller of the two lies inside the other: a
    face cut by a tile edge yields a partial box inside the whole one.
    """
    order = np.argsort(-score, kind="stable")
    keep: list[int] = []
    own = area(boxes)
    for i in order:
        if keep:
            k = np.array(keep)
            inter = intersection(boxes[k], boxes[i])
            union = own[k] + own[i] - inter
            small = np.minimum(own[k], own[i])
            if np.any(inter > iou * union) or np.any(inter > containment * np.maximum(small, _TINY)):
                continue
        keep.append(int(i))
    return np.array(keep, dtype=np.int64)


def tile_grid(length: int, tile: int, overlap: int) -> list[int]:
    """Start offsets of tiles of ``tile`` px covering ``length`` px, overlapping
    by at least ``overlap`` px, spread evenly so none sticks out.

    >>> tile_grid(960, 256, 64)
    [0, 176, 352, 528, 704]
    >>> tile_grid(200, 256, 64)
    [0]
    """
    if tile >= length:
        return [0]
    n = math.ceil((length - overlap) / (tile - overlap))
    step = (length - tile) / (n - 1)
    return [int(round(i * step)) for i in range(n)]
