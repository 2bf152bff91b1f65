"""Where the face model looks again for heads already known: square regions around the faces and
people found on the samples before (hints), one model call each."""

from __future__ import annotations

import numpy as np

from ..detections import Detections, Kind
from ..geometry import intersection

# A second look uses a region this many head heights wide: the head is then
# a quarter of the model's input, the middle of the range it was trained on.
SWEET_SPOT = 4.0


def hint_regions(
    width: int, height: int, hints: Detections | None, max_hints: int, every_size: bool = False
) -> list[tuple[int, int, int, int]]:
    """Square regions where a head of a hinted box would be ~1/4 of the side:
    the middle of the model's range, so a moving head stays findable.

    Unless ``every_size``, heads big enough for the whole-frame levels
    are left to them. A region may reach past the frame (black padding
    then gives a head cut by the edge its context). At most ``max_hints``, the
    surest first (faces before people).
    """
    if hints is None:
        return []
    short = min(width, height)
    big = short / 5 if not every_size else np.inf  # heads this tall are found by levels 0-1
    cand: list[tuple[float, tuple[int, int, int, int]]] = []
    for (x1, y1, x2, y2), conf, kind in zip(hints.xyxy, hints.confidence, hints.kind):
        bw, bh = x2 - x1, y2 - y1
        if kind == Kind.FACE:
            head = max(bw, bh)
            cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        elif kind == Kind.PERSON:
            # A standing adult is ~7 heads tall; a cropped one is wider than 1/7.
            head = max(bh / 7, bw / 3)
            cx, cy = (x1 + x2) / 2, y1 + head * 0.7
        else:
            continue
        if head >= big:
            continue
        side = max(48.0, SWEET_SPOT * head)
        if side <= short:
            rx = int(round(min(max(cx - side / 2, 0), width - side)))
            ry = int(round(min(max(cy - side / 2, 0), height - side)))
        else:  # a close-up: centred on the head, reaching past the frame
            side = min(side, 2.0 * short)
            rx, ry = int(round(cx - side / 2)), int(round(cy - side / 2))
        cand.append((float(conf) + (1 if kind == Kind.FACE else 0), (rx, ry, rx + int(side), ry + int(side))))
    cand.sort(key=lambda c: -c[0])
    kept: list[tuple[int, int, int, int]] = []
    for _, r in cand:
        # The same head hinted twice (its face and its body, this sample's
        # and the last one's) is looked at once.
        if not any(_same_look(r, k) for k in kept):
            kept.append(r)
    return kept[:max_hints]


def _same_look(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether two square regions show about the same thing at about the same scale."""
    sa, sb = a[2] - a[0], b[2] - b[0]
    return max(sa, sb) <= 1.5 * min(sa, sb) and bool(intersection(a, b) >= 0.6 * min(sa, sb) ** 2)
