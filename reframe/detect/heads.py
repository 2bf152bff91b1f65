"""How a face box from the model (brows to mouth) grows into the whole head, turned faces included."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HeadBox:
    """How a model face box (brows to mouth) grows into the whole head.

    ``dx``, ``dy`` move the centre and ``sw``, ``sh`` scale the width and
    height, in units of the face box. A turned face shows in the keypoints
    as ``yaw``: the nose's offset from the midpoint of the ears, in face
    widths (0 frontal, about +-0.6 in profile, positive when the nose points
    to the right of the picture); the back of the head then lies on the
    other side, so the centre moves by ``yaw_dx * yaw`` and the width grows
    by ``yaw_sw * |yaw|``. Fitted to hand-annotated head boxes (hair to
    chin, ear to ear) of real footage by benchmarks/face_sizes.py.
    """

    # Fitted values (see the benchmark), with the width and height rounded up
    # a little: cutting hair costs the picture more than a few pixels of margin.
    dx: float = 0.03
    dy: float = -0.19
    sw: float = 1.05
    sh: float = 1.45
    yaw_dx: float = -0.94
    yaw_sw: float = 1.28

    def apply(self, xyxy: np.ndarray, yaw: np.ndarray | None = None) -> np.ndarray:
        """Head boxes for ``(n, 4)`` face boxes with their ``(n,)`` yaw (0 if None)."""
        w = xyxy[:, 2] - xyxy[:, 0]
        h = xyxy[:, 3] - xyxy[:, 1]
        yaw = np.zeros(len(xyxy), np.float32) if yaw is None else np.clip(yaw, -1, 1)
        cx = (xyxy[:, 0] + xyxy[:, 2]) / 2 + (self.dx + self.yaw_dx * yaw) * w
        cy = (xyxy[:, 1] + xyxy[:, 3]) / 2 + self.dy * h
        hw = w * (self.sw + self.yaw_sw * np.abs(yaw)) / 2
        hh = h * self.sh / 2
        return np.stack([cx - hw, cy - hh, cx + hw, cy + hh], axis=1)
