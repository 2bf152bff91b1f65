"""Lossless keyframes of a window track: the few frames whose windows, linearly interpolated, give
every window back (to the path's rounding), and the expansion back to one window per frame."""

from __future__ import annotations

import numpy as np

from ..errors import CropPathError

_DECIMALS = 2


def _keyframes(windows: np.ndarray, start: int, end: int) -> list[int]:
    """Indices in ``[start, end)`` whose windows, linearly interpolated, give every window back."""
    keep = {start, end - 1}
    tol = 0.4 * 10.0**-_DECIMALS
    stack = [(start, end - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        t = (np.arange(a, b + 1) - a) / (b - a)
        seg = windows[a : b + 1]
        interp = seg[0] + t[:, None] * (seg[-1] - seg[0])
        err = np.abs(interp - seg).max(axis=1)
        i = int(np.argmax(err))
        if err[i] > tol:
            keep.add(a + i)
            stack += [(a, a + i), (a + i, b)]
    return sorted(keep)


def _expand(keys: np.ndarray, n: int, first: int = 0) -> np.ndarray:
    """Per-frame windows of frames ``first`` to ``first + n - 1`` from ``[frame, x, y, w, h]`` keyframes."""
    if len(keys) == 0:
        raise CropPathError("crop path has no keyframes")
    frames = keys[:, 0]
    if np.any(frames != np.round(frames)) or np.any(np.diff(frames) <= 0):
        raise CropPathError("keyframe frame numbers must be whole and increasing")
    if frames[0] != first or frames[-1] != first + n - 1:
        raise CropPathError(f"keyframes must start at frame {first} and end at frame {first + n - 1}")
    t = np.arange(first, first + n)
    return np.stack([np.interp(t, frames, keys[:, c]) for c in range(1, 5)], axis=1)


def _expand_panel(keys, start: int, end: int) -> np.ndarray:
    return _expand(np.asarray(keys, dtype=np.float64).reshape(-1, 5), end - start, start)


def _num(v: float) -> float | int:
    v = round(float(v), _DECIMALS)
    return int(v) if v == int(v) else v
