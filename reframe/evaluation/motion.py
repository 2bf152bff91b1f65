"""How the window moves: steadiness within shots and motion right after cuts (see :mod:`.metrics`)."""

from __future__ import annotations

import math

import numpy as np

CUT_MARGIN = 2  # frames left out on either side of a cut when measuring steadiness
AFTER_CUT = 2  # frames after a cut in which the window must not move


def motion_after_cuts(
    windows: np.ndarray, shots: tuple[tuple[int, int], ...] | list[tuple[int, int]], width: float
) -> tuple[int, int, float]:
    """(cuts, cuts after which the window moves, largest move) over the
    :data:`AFTER_CUT` frames after each cut; moves of x, y, width or height,
    in thousandths of ``width``.

    >>> w = np.tile([10.0, 0, 100, 100], (10, 1)); w[6:, 0] = [11, 12, 13, 14]
    >>> motion_after_cuts(w, [(0, 4), (5, 9)], 1000)
    (1, 1, 1.0)
    """
    win = np.asarray(windows, dtype=np.float64).reshape(-1, 4)
    first = min((a for a, _ in shots), default=0)
    cuts = moving = 0
    largest = 0.0
    for a, _ in shots:
        if a <= first or a + AFTER_CUT >= len(win):
            continue
        cuts += 1
        move = float(np.abs(np.diff(win[a : a + AFTER_CUT + 1], axis=0)).max()) * 1000.0 / width
        if move > 1e-6:
            moving += 1
            largest = max(largest, move)
    return cuts, moving, clean(largest)


def steadiness(
    windows: np.ndarray, shots: tuple[tuple[int, int], ...] | list[tuple[int, int]], width: float
) -> tuple[float, float, float]:
    """Mean |d|, mean |d2| and p99 |d2| of the window centre x, per frame, in thousandths of ``width``.

    ``shots`` are ``(first, last)`` inclusive. The two frames on either side
    of a cut are left out (the window is expected to jump there); the start
    and end of the clip are not cuts. Shots are cut short at the last window.

    >>> w = np.array([[10.0 * i, 0, 100, 100] for i in range(20)])
    >>> steadiness(w, [(0, 19)], 1000)
    (10.0, 0.0, 0.0)
    """
    a1, a2 = differences(windows, shots, width, shots)
    mean1 = float(a1.mean()) if a1.size else math.nan
    mean2 = float(a2.mean()) if a2.size else math.nan
    p99 = float(np.percentile(a2, 99)) if a2.size else math.nan
    return clean(mean1), clean(mean2), clean(p99)


def differences(windows: np.ndarray, shots, width: float, every) -> tuple[np.ndarray, np.ndarray]:
    """|d| and |d2| of the window centre x (thousandths of ``width``) within
    ``shots``, leaving out the frames near cuts; ``every`` is all the clip's
    shots (its first and last frames are not cuts)."""
    win = np.asarray(windows, dtype=np.float64).reshape(-1, 4)
    n = len(win)
    cx = (win[:, 0] + win[:, 2] / 2) * (1000.0 / width)
    first_frame = min((a for a, _ in every), default=0)
    last_frame = max((b for _, b in every), default=n - 1)
    d1: list[np.ndarray] = []
    d2: list[np.ndarray] = []
    for a, b in shots:
        lo = a + CUT_MARGIN if a > first_frame else a
        hi = b - CUT_MARGIN if b < last_frame else b
        hi = min(hi, n - 1)
        if hi - lo < 1:
            continue
        d = np.diff(cx[lo : hi + 1])
        d1.append(np.abs(d))
        d2.append(np.abs(np.diff(d)))
    a1 = np.concatenate(d1) if d1 else np.empty(0)
    a2 = np.concatenate(d2) if d2 else np.empty(0)
    return a1, a2


def clean(v: float) -> float:
    # float noise from the centre computation would show as 1e-14 instead of 0
    return v if math.isnan(v) else round(v, 9)
