"""Gradual transitions with exact ground truth, and look-alikes that are not transitions.

Built from :func:`.people.compose_frame` (the astronaut on scikit-image
backgrounds): shot ``A`` is one person on one background, shot ``B`` the
person elsewhere, at another size, on another background. Every sequence is
a list of RGB ``uint8`` frames plus the transitions in it, ``(first, last)``
inclusive: the frames that mix both ends. Frames get fresh sensor grain, as
a camera's would.

Transitions: :func:`dissolve`, :func:`fade_through_black`, :func:`wipe`.
Not transitions: :func:`pan` (the camera pans, then rests), :func:`zoom`,
:func:`walk_across` (a person crosses a still background),
:func:`light_change` (the light dims by half).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from . import media


@dataclass(frozen=True)
class Sequence:
    frames: list[np.ndarray]
    transitions: tuple[tuple[int, int], ...]  # first and last frame of each, inclusive
    heads: list[np.ndarray]  # per frame, the head boxes [x, y, w, h] of the shot shown (the nearer end in a mix)

    def encode(self, path: str | Path, fps: Fraction = Fraction(25)) -> Path:
        h, w = self.frames[0].shape[:2]
        media.encode(path, self.frames, width=w, height=h, fps=fps)
        return Path(path)


def _shot(width: int, height: int, x: float, head: float, background: str, bg_offset=(0.0, 0.0)) -> media.Still:
    cy = media.default_head_y(width, height, head)
    return media.compose_frame(width, height, [(x, cy, head)], background=background, bg_offset=bg_offset, noise=0)


def _ends(width: int, height: int) -> tuple[media.Still, media.Still]:
    a = _shot(width, height, 0.28 * width, 0.32 * height, "rocket")
    b = _shot(width, height, 0.7 * width, 0.22 * height, "brick")
    return a, b


class _Grainy:
    def __init__(self, seed: int = 0, amplitude: float = 2.0) -> None:
        self.rng = np.random.default_rng(seed)
        self.amplitude = amplitude

    def __call__(self, image: np.ndarray) -> np.ndarray:
        noise = self.rng.uniform(-self.amplitude, self.amplitude, image.shape).astype(np.float32)
        return cv2.add(image.astype(np.float32), noise, dtype=cv2.CV_8U)


def _mix(a: np.ndarray, b: np.ndarray, alpha: np.ndarray | float) -> np.ndarray:
    alpha = np.asarray(alpha, np.float32)
    return a.astype(np.float32) * (1 - alpha) + b.astype(np.float32) * alpha


def _ramp(length: int) -> np.ndarray:
    """Mixing weights strictly between 0 and 1 for ``length`` frames."""
    return np.arange(1, length + 1) / (length + 1)


def dissolve(width=320, height=180, before=30, length=15, after=30, seed=0) -> Sequence:
    """``A`` for ``before`` frames, a cross-dissolve of ``length``, ``B`` for ``after``."""
    a, b = _ends(width, height)
    grain = _Grainy(seed)
    weights = np.concatenate([np.zeros(before), _ramp(length), np.ones(after)])
    frames = [grain(_mix(a.image, b.image, w)) for w in weights]
    heads = [a.head_boxes if w < 0.5 else b.head_boxes for w in weights]
    return Sequence(frames, ((before, before + length - 1),), heads)


def fade_through_black(width=320, height=180, before=30, length=12, black=8, after=30, seed=0) -> Sequence:
    """``A``, a fade out to black over ``length``, ``black`` frames of black, a fade in to ``B``, ``B``."""
    a, b = _ends(width, height)
    grain = _Grainy(seed)
    dark = np.zeros_like(a.image)
    frames = [grain(a.image) for _ in range(before)]
    frames += [grain(_mix(a.image, dark, w)) for w in _ramp(length)]
    frames += [grain(dark) for _ in range(black)]
    frames += [grain(_mix(dark, b.image, w)) for w in _ramp(length)]
    frames += [grain(b.image) for _ in range(after)]
    out_first = before
    in_first = before + length + black
    middle = before + length + black // 2
    heads = [a.head_boxes] * middle + [b.head_boxes] * (len(frames) - middle)
    return Sequence(frames, ((out_first, out_first + length - 1), (in_first, in_first + length - 1)), heads)


def wipe(width=320, height=180, before=30, length=15, after=30, seed=0) -> Sequence:
    """``A``, then ``B`` pushed in from the left behind a soft vertical edge over ``length`` frames, ``B``."""
    a, b = _ends(width, height)
    grain = _Grainy(seed)
    x = np.arange(width, dtype=np.float32)
    soft = 0.03 * width
    frames = [grain(a.image) for _ in range(before)]
    for w in _ramp(length):
        edge = w * (width + 2 * soft) - soft
        alpha = np.clip((edge - x) / soft + 0.5, 0, 1)[None, :, None]
        frames.append(grain(_mix(a.image, b.image, alpha)))
    frames += [grain(b.image) for _ in range(after)]
    heads = [a.head_boxes] * (before + length // 2) + [b.head_boxes] * (len(frames) - before - length // 2)
    return Sequence(frames, ((before, before + length - 1),), heads)


def pan(width=320, height=180, before=30, length=25, after=30, distance=0.5, seed=0) -> Sequence:
    """The camera rests, pans across ``distance`` of the width over ``length`` frames (eased), and rests again."""
    grain = _Grainy(seed)
    t = np.concatenate([np.zeros(before), _ramp(length), np.ones(after)])
    eased = (1 - np.cos(np.pi * t)) / 2
    frames, heads = [], []
    for e in eased:
        dx = e * distance * width
        still = _shot(width, height, 0.75 * width - dx, 0.3 * height, "coffee", bg_offset=(dx, 0.0))
        frames.append(grain(still.image))
        heads.append(still.head_boxes)
    return Sequence(frames, (), heads)


def walk_across(width=320, height=180, before=25, length=40, after=25, seed=0) -> Sequence:
    """A person stands, walks from the left third to the right third, and stands again."""
    grain = _Grainy(seed)
    t = np.concatenate([np.zeros(before), _ramp(length), np.ones(after)])
    frames, heads = [], []
    for e in t:
        still = _shot(width, height, (0.25 + 0.5 * e) * width, 0.3 * height, "rocket")
        frames.append(grain(still.image))
        heads.append(still.head_boxes)
    return Sequence(frames, (), heads)


def zoom(width=320, height=180, before=30, length=25, after=30, scale=1.4, seed=0) -> Sequence:
    """The camera rests, zooms in by ``scale`` over ``length`` frames (eased), and rests again."""
    a, _ = _ends(width, height)
    grain = _Grainy(seed)
    t = np.concatenate([np.zeros(before), _ramp(length), np.ones(after)])
    frames, heads = [], []
    for e in (1 - np.cos(np.pi * t)) / 2:
        s = 1 + (scale - 1) * e
        m = cv2.getRotationMatrix2D((width / 2, height / 2), 0, s)
        frames.append(grain(cv2.warpAffine(a.image, m, (width, height), flags=cv2.INTER_LINEAR)))
        box = a.head_boxes[0]
        x0, y0 = (box[0] - width / 2) * s + width / 2, (box[1] - height / 2) * s + height / 2
        heads.append(np.array([[x0, y0, box[2] * s, box[3] * s]]))
    return Sequence(frames, (), heads)


def light_change(width=320, height=180, before=30, length=20, after=30, dim=0.5, seed=0) -> Sequence:
    """One shot whose light falls to ``dim`` of its level over ``length`` frames."""
    a, _ = _ends(width, height)
    grain = _Grainy(seed)
    gain = 1 - (1 - dim) * np.concatenate([np.zeros(before), _ramp(length), np.ones(after)])
    frames = [grain(a.image.astype(np.float32) * g) for g in gain]
    return Sequence(frames, (), [a.head_boxes] * len(frames))


def thumbnails(seq: Sequence, long_side: int = 160) -> list[np.ndarray]:
    """The frames shrunk as the analysis shrinks them for its cut detector."""
    h, w = seq.frames[0].shape[:2]
    s = long_side / max(w, h)
    size = (int(round(w * s)) // 2 * 2, int(round(h * s)) // 2 * 2)
    return [cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in seq.frames]
