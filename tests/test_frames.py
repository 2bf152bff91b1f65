"""The analysis decode: faster than the full decode, but the same pictures."""

from __future__ import annotations

from fractions import Fraction

import cv2
import numpy as np

from reframe.frames import FrameReader
from reframe.testing.media import encode


def _grainy_still(path, n: int = 150, size: tuple[int, int] = (480, 270)) -> None:
    """A still, nearly grey texture with sensor grain, one keyframe every 60 frames:
    what a static camera on asphalt or a wall gives."""
    w, h = size
    rng = np.random.default_rng(3)
    texture = cv2.GaussianBlur(rng.normal(0, 1, (h, w)), (0, 0), 2.0)
    texture = 110 + 60 * (texture - texture.min()) / np.ptp(texture)
    base = np.dstack([texture, texture + 3, texture + 6])

    def frames():
        for _ in range(n):
            yield np.clip(base + rng.normal(0, 10, base.shape), 0, 255).astype(np.uint8)

    encode(path, frames(), width=w, height=h, fps=Fraction(25), preset="veryfast", crf=28, keyint=60)


def _thumbs(path, fast: bool) -> np.ndarray:
    with FrameReader(path, fast_decode=fast, threads=1) as reader:
        return np.array([f.to_rgb(160, 90) for f in reader], dtype=np.float32)


def test_the_fast_decode_does_not_drift_between_keyframes(tmp_path):
    # Without deblocking on reference frames the error builds up until each
    # keyframe and then jumps back: the cut detector took that for a cut.
    src = tmp_path / "still.mp4"
    _grainy_still(src)
    fast, full = _thumbs(src, True), _thumbs(src, False)
    assert fast.shape == full.shape and len(full) == 150
    per_frame = np.abs(fast - full).mean(axis=(1, 2, 3))
    assert per_frame.max() < 0.25, per_frame.max()
