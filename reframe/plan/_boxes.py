"""Box arithmetic the planner shares between its modules."""

from __future__ import annotations

import numpy as np


def inside(points: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Whether each ``(n, 2)`` point lies in ``box`` (x1, y1, x2, y2)."""
    return (points[:, 0] >= box[0]) & (points[:, 0] <= box[2]) & (points[:, 1] >= box[1]) & (points[:, 1] <= box[3])


def shared(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The share of the smaller of each of ``boxes`` and ``box`` (xyxy) that lies inside the other:
    the detector splits and joins the words of a line differently from frame to frame."""
    ix = np.clip(np.minimum(boxes[:, 2], box[2]) - np.maximum(boxes[:, 0], box[0]), 0, None)
    iy = np.clip(np.minimum(boxes[:, 3], box[3]) - np.maximum(boxes[:, 1], box[1]), 0, None)
    area = np.minimum((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]), (box[2] - box[0]) * (box[3] - box[1]))
    return ix * iy / np.maximum(area, 1e-6)
