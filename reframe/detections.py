"""Detections: what was found on one analysed frame.

A small validated container of numpy arrays (boxes in display pixels of the
source), filterable like an array: ``dets[dets.kind == Kind.FACE]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from .geometry import area, centres


class Kind(IntEnum):
    """What a detection is. Lower values matter more to the camera."""

    FACE = 0
    PERSON = 1
    ANIMAL = 2
    OBJECT = 3
    SALIENT = 4  # salient region or motion, used when nothing above is found
    TEXT = 5  # on-screen text (a title card, a sign, a lower third): kept whole or wholly out, never cut


@dataclass(frozen=True)
class Detections:
    """Boxes found on one frame.

    ``xyxy`` is ``(n, 4)`` float32 ``[x1, y1, x2, y2]`` in display pixels of
    the source frame; ``confidence`` is ``(n,)`` in [0, 1]; ``kind`` is
    ``(n,)`` of :class:`Kind` values; ``activity`` is ``(n,)`` float32, the
    mouth activity of faces (see :mod:`reframe.speaker`), NaN where it was
    not measured.

    >>> d = Detections.empty()
    >>> len(d)
    0
    """

    xyxy: np.ndarray
    confidence: np.ndarray
    kind: np.ndarray
    activity: np.ndarray | None = None

    def __post_init__(self) -> None:
        xyxy = np.asarray(self.xyxy, dtype=np.float32).reshape(-1, 4)
        conf = np.asarray(self.confidence, dtype=np.float32).reshape(-1)
        kind = np.asarray(self.kind, dtype=np.int8).reshape(-1)
        act = np.full(len(xyxy), np.nan, np.float32) if self.activity is None else self.activity
        act = np.asarray(act, dtype=np.float32).reshape(-1)
        if not (len(xyxy) == len(conf) == len(kind) == len(act)):
            raise ValueError(
                f"Detections arrays disagree in length: {len(xyxy)}, {len(conf)}, {len(kind)}, {len(act)}"
            )
        if len(xyxy) and np.any(xyxy[:, 2:] < xyxy[:, :2]):
            raise ValueError("Detections boxes must have x2 >= x1 and y2 >= y1")
        object.__setattr__(self, "xyxy", xyxy)
        object.__setattr__(self, "confidence", conf)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "activity", act)

    @classmethod
    def empty(cls) -> Detections:
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int8))

    @classmethod
    def concat(cls, parts: list[Detections]) -> Detections:
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        return cls(
            np.concatenate([p.xyxy for p in parts]),
            np.concatenate([p.confidence for p in parts]),
            np.concatenate([p.kind for p in parts]),
            np.concatenate([p.activity for p in parts]),
        )

    def __len__(self) -> int:
        return len(self.xyxy)

    def __getitem__(self, index) -> Detections:
        if isinstance(index, (int, np.integer)):
            index = [index]
        return Detections(self.xyxy[index], self.confidence[index], self.kind[index], self.activity[index])

    @property
    def area(self) -> np.ndarray:
        return area(self.xyxy)

    @property
    def center(self) -> np.ndarray:
        return centres(self.xyxy)

    def scaled(self, sx: float, sy: float | None = None) -> Detections:
        """Boxes multiplied by ``sx`` horizontally and ``sy`` vertically."""
        sy = sx if sy is None else sy
        return Detections(self.xyxy * np.array([sx, sy, sx, sy], np.float32), self.confidence, self.kind, self.activity)

    def with_activity(self, activity: np.ndarray) -> Detections:
        """The same boxes with another ``activity`` array."""
        return Detections(self.xyxy, self.confidence, self.kind, activity)

    def to_list(self) -> list[dict]:
        out = []
        for b, c, k, a in zip(self.xyxy, self.confidence, self.kind, self.activity):
            item = {"box": [round(float(v), 1) for v in b], "score": round(float(c), 3), "kind": Kind(k).name.lower()}
            if np.isfinite(a):
                item["activity"] = round(float(a), 3)
            out.append(item)
        return out

    @classmethod
    def from_list(cls, items: list[dict]) -> Detections:
        if not items:
            return cls.empty()
        return cls(
            np.array([i["box"] for i in items], np.float32),
            np.array([i["score"] for i in items], np.float32),
            np.array([Kind[i["kind"].upper()] for i in items], np.int8),
            np.array([i.get("activity", np.nan) for i in items], np.float32),
        )


def pair(a: np.ndarray, b: np.ndarray, reach: np.ndarray) -> list[tuple[int, int]]:
    """The same things seen twice: pairs ``(i, j)`` of points ``a[i]`` and
    ``b[j]`` (centres, ``(n, d)``), each point in one pair at most, no further
    apart than ``reach[i, j]`` (broadcast; a negative reach forbids the pair),
    chosen so that the paired distances are least in total.

    Whatever links detections across samples (boxes moved between two
    samples, a face or a person followed through a shot) links them this way.

    >>> pair(np.array([[0.0], [10.0]]), np.array([[11.0], [1.0], [50.0]]), 5.0)
    [(0, 1), (1, 0)]
    """
    from scipy.optimize import linear_sum_assignment

    if not len(a) or not len(b):
        return []
    a, b = np.asarray(a, float).reshape(len(a), -1), np.asarray(b, float).reshape(len(b), -1)
    dist = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    out_of_reach = dist > np.broadcast_to(reach, dist.shape)
    rows, cols = linear_sum_assignment(np.where(out_of_reach, 1e9, dist))
    return [(int(i), int(j)) for i, j in zip(rows, cols) if not out_of_reach[i, j]]


class Tracker:
    """Things followed from sample to sample by where they are: each new
    point joins the track whose last point it is paired with (:func:`pair`),
    the others start tracks of their own. Tracks are numbered in the order
    they start.

    >>> tracker = Tracker()
    >>> tracker.link(np.array([0.0, 100.0]), np.full(2, 10.0))
    [0, 1]
    >>> tracker.link(np.array([95.0, 300.0, 4.0]), np.full(3, 10.0))
    [1, 2, 0]
    """

    def __init__(self) -> None:
        self.last: list[np.ndarray] = []  # each track's last point

    def link(self, points: np.ndarray, reach: np.ndarray) -> list[int]:
        """The track of each of ``points`` (``(n,)`` or ``(n, d)``), no further than
        ``reach[j]`` from the last point of the track it joins."""
        points = np.asarray(points, float)
        ids = [-1] * len(points)
        for k, j in pair(np.array(self.last), points, np.asarray(reach)[None, :]):
            ids[j] = k
            self.last[k] = points[j]
        for j in range(len(points)):
            if ids[j] < 0:
                self.last.append(points[j])
                ids[j] = len(self.last) - 1
        return ids


def between(before: Detections, after: Detections, t: float) -> Detections:
    """The detections a share ``t`` (0-1) of the way from ``before`` to ``after``,
    two samples of one shot.

    Boxes of one kind are paired, closest centres first, when their centres
    are no further apart than the larger box is wide or tall, and moved
    linearly; a box left unpaired was there only on one side (it arrived or
    left in between) and is kept from the nearer one.
    """
    if not len(before) or not len(after):
        return before if t < 0.5 else after
    size = np.maximum(
        (before.xyxy[:, 2:] - before.xyxy[:, :2]).max(axis=1)[:, None],
        (after.xyxy[:, 2:] - after.xyxy[:, :2]).max(axis=1)[None, :],
    )
    same_kind = before.kind[:, None] == after.kind[None, :]
    pairs = pair(before.center, after.center, np.where(same_kind, size, -1.0))
    rows = np.array([i for i, _ in pairs], np.int64)
    cols = np.array([j for _, j in pairs], np.int64)
    moved = Detections(
        (1 - t) * before.xyxy[rows] + t * after.xyxy[cols],
        (1 - t) * before.confidence[rows] + t * after.confidence[cols],
        before.kind[rows],
    )
    if t < 0.5:
        alone = before[np.setdiff1d(np.arange(len(before)), rows)]
    else:
        alone = after[np.setdiff1d(np.arange(len(after)), cols)]
    return Detections.concat([moved, alone])
