"""Where to look when there is nobody to look at: salient and moving regions.

Two cues on a small copy of the frame (64 px high, so a few ms):

* static: spectral residual saliency (Hou & Zhang, CVPR 2007) of the luma
  and two colour-opponent planes: the parts of the log amplitude spectrum
  that a smooth spectrum does not explain are the unexpected parts of the
  picture;
* motion: the difference against the previous sampled frame after undoing
  the global translation found by phase correlation, so that a shaking or
  panning camera does not make the whole frame "move". What moves
  everywhere (a zoom, a lighting change) is discounted.

Both are numpy FFTs; OpenCV's saliency module is deliberately not used
because it exists only in one of the two OpenCV wheels.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..detections import Detections, Kind
from ..errors import UsageError
from .faces import check_rgb


def _small(rgb: np.ndarray, height: int) -> np.ndarray:
    """``rgb`` at ``height`` rows as float32 luma, red-green and blue-yellow planes."""
    h, w = rgb.shape[:2]
    size = (max(8, int(round(w * height / h))), height)
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    r, g, b = small[..., 0], small[..., 1], small[..., 2]
    return np.stack([0.299 * r + 0.587 * g + 0.114 * b, r - g, b - (r + g) / 2])


def spectral_residual(plane: np.ndarray) -> np.ndarray:
    """Spectral residual saliency of a small image plane, same shape, >= 0."""
    from scipy import ndimage  # here, not at the top (as in the methods below): importing reframe stays fast
    # Mirrored borders: the FFT wraps around, and the jump from the left edge
    # to the right one would otherwise be the most "unexpected" thing in view.
    pad = plane.shape[0] // 4
    padded = np.pad(plane - plane.mean(), pad, mode="reflect")
    f = np.fft.fft2(padded)
    log_amp = np.log(np.abs(f) + 1e-6)
    residual = log_amp - ndimage.uniform_filter(log_amp, size=3, mode="wrap")
    sal = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(f)))) ** 2
    sal = ndimage.gaussian_filter(sal, sigma=plane.shape[0] / 24)
    return sal[pad:-pad, pad:-pad]


def global_shift(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """Integer ``(dy, dx)`` that best maps ``b`` onto ``a`` (phase correlation)."""
    win = np.outer(np.hanning(a.shape[0]), np.hanning(a.shape[1]))
    fa = np.fft.fft2((a - a.mean()) * win)
    fb = np.fft.fft2((b - b.mean()) * win)
    cross = fa * np.conj(fb)
    corr = np.abs(np.fft.ifft2(cross / (np.abs(cross) + 1e-9)))
    dy, dx = np.unravel_index(int(np.argmax(corr)), corr.shape)
    h, w = a.shape
    return (dy - h if dy > h // 2 else dy), (dx - w if dx > w // 2 else dx)


class SaliencyDetector:
    """Boxes around the most salient and moving blobs of a frame, kind SALIENT.

    ``max_boxes``: at most this many boxes (1-3). ``height``: the analysis
    height of the small grey copy. ``motion_weight``: share of the motion cue
    when both cues are present (motion says more about what matters).
    ``min_confidence``: weaker blobs are not reported, so a flat or black
    frame gives no box.

    Pure numpy: cheap to build, stateless, usable from any thread.
    """

    def __init__(
        self, max_boxes: int = 3, *, height: int = 64, motion_weight: float = 0.6, min_confidence: float = 0.15
    ) -> None:
        if not 1 <= max_boxes <= 3:
            raise UsageError("saliency max_boxes must be between 1 and 3")
        if not 16 <= height <= 512:
            raise UsageError("saliency height must be between 16 and 512")
        if not 0 <= motion_weight <= 1:
            raise UsageError("motion_weight must be between 0 and 1")
        self.max_boxes = max_boxes
        self.height = height
        self.motion_weight = motion_weight
        self.min_confidence = min_confidence

    def maps(self, rgb: np.ndarray, previous_rgb: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The static and motion saliency maps of ``rgb`` at the analysis
        height, each scaled so that its value is a confidence in [0, 1]."""
        from scipy import ndimage
        img = check_rgb(rgb)
        planes = _small(img, self.height)
        grey = planes[0]
        static = np.zeros_like(grey)
        # Contrast in grey levels: a flat or black frame has nothing salient.
        spread = float(grey.max() - grey.min())
        if spread > 4:
            # The residual is blind to contrast, so each plane counts by its
            # spread: a vivid object on a dull scene (a blue mug, a red ball)
            # shows in colour when its brightness blends in.
            spreads = planes.reshape(3, -1).std(axis=1)
            sal = sum(sp * spectral_residual(pl) for sp, pl in zip(spreads, planes) if sp > 2) / spreads.sum()
            peak, mean = float(sal.max()), float(sal.mean())
            if peak > 0:
                # A blob that stands out has a peak far above the mean; texture
                # or noise everywhere does not. Low-contrast pictures weigh less.
                strength = np.clip((peak / mean - 2.0) / 6.0, 0, 1) * min(1.0, spread / 40)
                static = sal / peak * strength
        motion = np.zeros_like(grey)
        if previous_rgb is not None:
            prev = check_rgb(previous_rgb)
            if prev.shape != img.shape:
                raise UsageError(f"previous frame is {prev.shape}, current frame is {img.shape}")
            pgrey = _small(prev, self.height)[0]
            dy, dx = global_shift(grey, pgrey)
            h, w = grey.shape
            if abs(dy) < h // 3 and abs(dx) < w // 3:
                shifted = np.roll(pgrey, (dy, dx), axis=(0, 1))
                diff = np.abs(grey - shifted)
                # The rows and columns rolled in from the other side are not motion.
                diff[: max(dy, 0) + 1, :] = 0
                diff[h + min(dy, 0) - 1 :, :] = 0
                diff[:, : max(dx, 0) + 1] = 0
                diff[:, w + min(dx, 0) - 1 :] = 0
                # Residual misalignment and noise leave a floor everywhere.
                diff = ndimage.gaussian_filter(np.maximum(diff - max(6.0, 3 * float(np.median(diff))), 0), 1.0)
                moving = float(np.mean(diff > 2))
                peak = float(diff.max())
                if peak > 0 and moving < 0.6:
                    # Motion over most of the frame is the camera, not a subject.
                    strength = min(1.0, peak / 40) * (1 - moving / 0.6)
                    motion = diff / peak * strength
        return static, motion

    def detect(self, rgb: np.ndarray, previous_rgb: np.ndarray | None = None) -> Detections:
        """Up to ``max_boxes`` boxes, strongest first, in ``rgb`` pixel
        coordinates; ``previous_rgb`` (the previous sampled frame, same size)
        adds the motion cue."""
        from scipy import ndimage
        static, motion = self.maps(rgb, previous_rgb)
        if motion.max() > 0 and static.max() > 0:
            combined = (1 - self.motion_weight) * static + self.motion_weight * motion
            # A clear mover alone must still read as confident.
            combined = np.maximum(combined, motion * 0.9)
        else:
            combined = np.maximum(static, motion)
        top = float(combined.max())
        if top < self.min_confidence:
            return Detections.empty()
        mask = combined >= 0.5 * top
        # Close small gaps first: a moving object shows in a frame difference
        # as its leading and trailing edges, which are one subject.
        gap = max(3, self.height // 12) | 1
        labels, n = ndimage.label(ndimage.binary_dilation(mask, np.ones((gap, gap), bool)))
        labels[~mask] = 0
        idx = np.arange(1, n + 1)
        mass = ndimage.sum(combined, labels, idx)
        peaks = ndimage.maximum(combined, labels, idx)
        # Strength: how salient the blob is at its peak, and how much of it
        # there is compared with the largest one.
        strength = peaks * np.sqrt(mass / mass.max())
        order = np.argsort(-strength)
        scale_y = rgb.shape[0] / combined.shape[0]
        scale_x = rgb.shape[1] / combined.shape[1]
        boxes, conf = [], []
        for i in order[: self.max_boxes]:
            if strength[i] < self.min_confidence:
                break
            ys, xs = np.nonzero(labels == i + 1)
            boxes.append([xs.min() * scale_x, ys.min() * scale_y, (xs.max() + 1) * scale_x, (ys.max() + 1) * scale_y])
            conf.append(min(1.0, float(strength[i])))
        if not boxes:
            return Detections.empty()
        return Detections(np.array(boxes, np.float32), np.array(conf, np.float32), np.full(len(boxes), Kind.SALIENT))

    def close(self) -> None:
        """Nothing to release; present so every detector is used alike."""

    def __enter__(self) -> SaliencyDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
