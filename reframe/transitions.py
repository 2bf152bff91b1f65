"""Gradual transitions: dissolves, fades through black and wipes.

A hard cut changes the picture between two frames; a gradual transition
changes it over several, each frame in between a mix of the shot before
(``A``) and the shot after (``B``). The detector works on the thumbnails the
analysis already makes of every frame, shrunk further (32x18, and 64x36 for
the fine structure), looks only where the picture comes to rest after a
stretch of change, and models every frame back to the last steady one,
cell by cell of a coarse grid, as ``A + alpha * (B - A)``: a least-squares
fit of ``alpha`` per cell and frame. A transition is accepted only when

* ``A`` and ``B`` hold steady for a moment on either side, differ over most
  of the picture, differ in fine structure cell by cell (a light change, or
  a car leaving a still scene, keeps most of it), and are not one picture
  shifted or zoomed (a pan, a zoom);
* the mix explains the frames in between, the coarse picture and its fine
  structure alike (small residual), and every cell's ``alpha`` rises
  steadily from 0 to 1 over several frames, never in one step (a hard cut
  is the cut detector's).

A dissolve is the case where all cells rise together, a fade one where
``A`` or ``B`` is black, a wipe one where the cells rise one after another.
Camera and subject motion leave residuals a mix cannot explain.
"""

from __future__ import annotations

from collections import deque
from fractions import Fraction
from typing import NamedTuple

import cv2
import numpy as np

# Side of the grid the frames are shrunk to (long side), and the cells fitted on their own.
_FEATURE_LONG_SIDE = 32
_CELLS = (4, 3)  # across, down




class Transition(NamedTuple):
    """A gradual transition: its first and last frame (inclusive) and what it is."""

    first: int
    last: int
    kind: str  # "dissolve", "fade" or "wipe"

    @property
    def middle(self) -> int:
        """The frame the new shot is taken to start at."""
        return (self.first + self.last + 1) // 2


class TransitionDetector:
    """Finds gradual transitions from a stream of small frames.

    Feed every frame in order with :meth:`push` (the same RGB thumbnails the
    cut detector gets); transitions come back a few frames after their last
    frame. ``cuts`` are the hard cuts found so far: no transition is looked
    for across one. ``min_length``/``max_length`` bound a transition's
    length in seconds.
    """

    # Mean absolute difference (8-bit levels) below which two frames count as the same picture.
    STEADY = 6.0
    # Share of the end-to-end difference the frames beside an end may drift by.
    DRIFT = 0.35
    # Smallest mean absolute difference between the two ends (8-bit levels).
    MIN_CHANGE = 18.0
    # Residual of the mix, as a share of the end-to-end difference, over the whole transition and on any one frame.
    RESIDUAL = 0.12
    RESIDUAL_FRAME = 0.3
    # The same for the fine structure (the picture less its blur), mixed all at once or wiped.
    FINE_MIX = 0.25
    FINE_WIPE = 0.4
    # Largest rise of alpha between two frames (a cell, and the picture as a whole).
    STEP_CELL = 0.7
    STEP = 0.45
    # Share of the cells whose picture must change.
    CHANGED_CELLS = 0.7
    # Normalised correlation of a cell's structure at both ends above which it shows the same thing,
    # and the share of such cells above which both ends are one shot.
    SAME_STRUCTURE = 0.5
    KEPT_CELLS = 1 / 3
    # Deviation of a cell's fine structure (8-bit levels) from which it counts as textured.
    TEXTURE = 4.0
    # Mean luma (8-bit) under which an end is black.
    BLACK = 24.0

    def __init__(self, fps: Fraction | float, min_length: float = 0.15, max_length: float = 2.0, settle: float = 0.2):
        fps = float(fps)
        self.min_len = max(3, int(round(min_length * fps)))
        self.max_len = max(self.min_len + 1, int(round(max_length * fps)))
        self.settle = max(2, int(round(settle * fps)))
        # Frames kept: the longest transition, its two ends and their steady stretches.
        self._frames: deque = deque(maxlen=self.max_len + 2 * self.settle + 3)
        self._details: deque = deque(maxlen=self._frames.maxlen)
        self._cuts: deque = deque(maxlen=8)  # the latest hard cuts
        self._last_end = -1
        self._reach = 0  # earliest frame the search may reach back to
        self._arrived = False  # whether the picture had come to rest at the last candidate end
        self.found: list[Transition] = []

    def push(self, index: int, rgb_small: np.ndarray, cuts=()) -> list[Transition]:
        """Add frame ``index``; ``cuts`` are hard cuts just found (at this frame or a few
        earlier). Returns newly found transitions."""
        self._cuts.extend(cuts)
        detail, features = _features(rgb_small)
        self._frames.append(features)
        self._details.append(detail)
        b = index - self.settle  # the candidate end, with ``settle`` frames after it
        # A transition may start at a hard cut (a fade in from black cut to) or
        # end at one (a cut detector firing as a fade out ends), never span one.
        self._reach = max((c - 1 - self.settle for c in self._cuts if c < b - 1), default=0)
        if b - self.min_len - 2 < max(self._reach, self._last_end):
            return []
        frames = self._frames
        k = len(frames) - 1 - self.settle  # position of b in the buffer
        fb = frames[k]
        after = max(_dist(fb, frames[k + j]) for j in range(1, self.settle + 1))
        # Look only where the picture comes to rest: steady after b, changing before it.
        behind = _dist(fb, frames[max(0, k - self.settle)])
        arrived = after <= self.STEADY and behind > 2 * after + 1.0
        was_arrived, self._arrived = self._arrived, arrived
        if not arrived or was_arrived:
            return []
        t = self._search(k, b, after)
        if t is None:
            t = self._dip(k, b)
        if t is None:
            return []
        self._last_end = t.last + 1
        self.found.append(t)
        return [t]

    def finish(self) -> list[Transition]:
        return list(self.found)

    def _search(self, k: int, b: int, after: float) -> Transition | None:
        """The transition ending just before frame ``b`` (buffer position ``k``), if there is one."""
        frames = self._frames
        lo = max(self._reach, self._last_end, b - self.max_len - self.settle - 1)
        first_pos = k - (b - lo)  # buffer position of the earliest usable frame
        if first_pos < 0:
            first_pos = 0
        seq = np.stack([frames[i] for i in range(first_pos, k + 1)])  # ..., B
        # Distance of every earlier frame to B, nearest first.
        g = np.abs(seq[:-1] - seq[-1]).mean(axis=(1, 2, 3))[::-1]
        if len(g) < self.min_len + self.settle or g.max() < self.MIN_CHANGE:
            return None
        # A: the nearest frame from which on, going back, the picture stays as far from B (the plateau).
        top = g[: self.max_len + 1].max()
        reach = np.flatnonzero(g >= 0.9 * top)
        if not len(reach):
            return None
        length = int(reach[0]) + 1  # frames from A to B
        # Back to where the change starts: a slow mix nears its plateau slowly.
        while length < len(g) and g[length] - g[length - 1] > max(0.5, 0.02 * top):
            length += 1
        if length - 1 < self.min_len or length > self.max_len + 1 or length + self.settle > len(g):
            return None
        a_pos = len(seq) - 1 - length
        before = seq[a_pos - self.settle : a_pos]
        fa, fb = seq[a_pos], seq[-1]
        change = _dist(fa, fb)
        drift = max(_dist(fa, f) for f in before)
        if change < self.MIN_CHANGE or max(drift, after) > self.DRIFT * change:
            return None
        base = len(self._details) - len(self._frames) + first_pos
        kind = _ends(fa, fb, self._details[base + a_pos], self._details[base + len(seq) - 1], self)
        if kind is None:
            return None
        details = [self._details[base + i] for i in range(a_pos, len(seq))]
        fit = _fit(fa, fb, seq[a_pos + 1 : -1], details, self)
        if fit is None:
            return None
        s, e, wipe = fit
        a = b - length
        kind = kind if kind == "fade" else ("wipe" if wipe else "dissolve")
        return Transition(a + 1 + s, a + 1 + e, kind)


    def _dip(self, k: int, b: int) -> Transition | None:
        """A fade out and in through black ending just before frame ``b``
        (buffer position ``k``), when no black frame is held between them:
        each half must be a fade of its own, the darkest frame their shared end."""
        frames = self._frames
        lo = max(self._reach, self._last_end, b - self.max_len - self.settle - 1)
        first_pos = max(0, k - (b - lo))
        seq = np.stack([frames[i] for i in range(first_pos, k + 1)])
        luma = seq @ _LUMA  # (frames, h, w)
        dark = int(np.argmin(luma.mean(axis=(1, 2))))
        if not _black(luma[dark], self) or not self.min_len - 1 <= len(seq) - 1 - dark <= self.max_len:
            return None
        # Back from the black frame to where the fade out starts: the plateau of the distance to black.
        g = np.abs(seq[:dark] - seq[dark]).mean(axis=(1, 2, 3))[::-1]
        if len(g) < self.settle + self.min_len:
            return None
        top = g[: self.max_len + 1].max()
        length = int(np.flatnonzero(g >= 0.9 * top)[0]) + 1
        while length < len(g) and g[length] - g[length - 1] > max(0.5, 0.02 * top):
            length += 1
        a_pos = dark - length
        if length - 1 < self.min_len or a_pos < self.settle or len(seq) - 1 - a_pos > self.max_len + 1:
            return None
        fa = seq[a_pos]
        drift = max(_dist(fa, f) for f in seq[a_pos - self.settle : a_pos])
        if drift > self.DRIFT * _dist(fa, seq[dark]):
            return None
        base = len(self._details) - len(self._frames) + first_pos
        details = [self._details[base + i] for i in range(len(seq))]
        halves = []
        for x, y in ((a_pos, dark), (dark, len(seq) - 1)):
            if _ends(seq[x], seq[y], details[x], details[y], self) != "fade":
                return None
            fit = _fit(seq[x], seq[y], seq[x + 1 : y], details[x : y + 1], self)
            if fit is None or fit[2]:
                return None
            halves.append(fit)
        a = b - (len(seq) - 1 - a_pos)  # frame of A
        return Transition(a + 1 + halves[0][0], a + (dark - a_pos) + 1 + halves[1][1], "fade")


def _features(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The frame at the detail size (uint8, for the structure of the ends) and at the feature size (float)."""
    h, w = rgb.shape[:2]
    s = _FEATURE_LONG_SIDE / max(h, w)
    size = (max(_CELLS[0], int(round(w * s))), max(_CELLS[1], int(round(h * s))))
    detail = cv2.resize(rgb, (2 * size[0], 2 * size[1]), interpolation=cv2.INTER_AREA)
    return detail, cv2.resize(detail, size, interpolation=cv2.INTER_AREA).astype(np.float32)


def _dist(a: np.ndarray, b: np.ndarray) -> float:
    return float(cv2.norm(a, b, cv2.NORM_L1)) / a.size


_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def _cells(x: np.ndarray) -> np.ndarray:
    """``(..., h, w, channels)`` pictures as ``(..., cells, pixels)``, the grid's cells side by side."""
    cx, cy = _CELLS
    h, w = x.shape[-3:-1]
    h, w = h - h % cy, w - w % cx
    x = x[..., :h, :w, :]
    lead = x.shape[:-3]
    x = x.reshape(*lead, cy, h // cy, cx, w // cx, x.shape[-1])
    x = np.moveaxis(x, -3, -4)  # (..., cy, cx, h/cy, w/cx, channels)
    return x.reshape(*lead, cy * cx, -1)


def _ends(
    fa: np.ndarray, fb: np.ndarray, detail_a: np.ndarray, detail_b: np.ndarray, p: TransitionDetector
) -> str | None:
    """"fade" when one end is black, "cut" when the ends are two different shots, None when one shot."""
    ya, yb = fa @ _LUMA, fb @ _LUMA
    black_a, black_b = _black(ya, p), _black(yb, p)
    if black_a or black_b:
        # A fade: the other end must hold a picture.
        return "fade" if not (black_a and black_b) and max(ya.std(), yb.std()) > 8.0 else None
    if min(ya.std(), yb.std()) < 2.0:
        return None  # a flat picture: nothing to tell shots apart
    if _moved(detail_a.astype(np.float32) @ _LUMA, detail_b.astype(np.float32) @ _LUMA):
        return None
    # The same fine structure (edges, texture) cell by cell over a good part
    # of the picture: one scene lit differently, or changed only where
    # something moved (a car leaving, a hand), not a new shot. Cells without
    # texture at either end cannot tell.
    za, zb = _cells(_fine(detail_a)), _cells(_fine(detail_b))
    textured = np.minimum(za.std(axis=1), zb.std(axis=1)) >= p.TEXTURE
    same = (_normalised(za) * _normalised(zb)).mean(axis=1) >= p.SAME_STRUCTURE
    if textured.sum() < 2 or (same & textured).sum() >= p.KEPT_CELLS * textured.sum():
        return None
    return "cut"


# Zoom factors tried when aligning one end on the other (about 10 % apart, up to 1.6x either way).
_ZOOMS = 1.1 ** np.arange(-5, 6)


def _moved(ya: np.ndarray, yb: np.ndarray) -> bool:
    """Whether ``yb`` is mostly ``ya`` moved: shifted (a pan, a tilt), zoomed, or both.

    Each zoom factor is tried with the shift phase correlation finds after
    it; moved means the best alignment removes at least half the difference.
    """
    h, w = ya.shape
    inner = (slice(h // 8, h - h // 8), slice(w // 8, w - w // 8))
    plain = np.abs(ya - yb)[inner].mean()
    b64 = yb.astype(np.float64)
    for zoom in _ZOOMS:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), 0, float(zoom))
        scaled = cv2.warpAffine(ya, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        (dx, dy), _ = cv2.phaseCorrelate(scaled.astype(np.float64), b64)
        m[:, 2] += (dx, dy)
        aligned = cv2.warpAffine(ya, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        if np.abs(aligned - yb)[inner].mean() < 0.5 * plain:
            return True
    return False


def _fine(rgb: np.ndarray) -> np.ndarray:
    """The luma's fine structure: the picture less its blur, ``(h, w, 1)``."""
    y = rgb.astype(np.float32) @ _LUMA
    return (y - cv2.GaussianBlur(y, (0, 0), 1.5))[..., None]


def _black(y: np.ndarray, p: TransitionDetector) -> bool:
    return bool(y.mean() < p.BLACK and y.std() < p.BLACK / 2)


def _normalised(x: np.ndarray) -> np.ndarray:
    """Rows of ``x`` with zero mean and unit deviation (flat rows stay zero)."""
    x = x - x.mean(axis=-1, keepdims=True)
    return x / np.maximum(x.std(axis=-1, keepdims=True), 2.0)


def _fit(fa: np.ndarray, fb: np.ndarray, mid: np.ndarray, details: list[np.ndarray], p: TransitionDetector):
    """``(first, last, wipe)`` of the mix over ``mid`` (positions in ``mid``), or None when it is no mix.

    ``details`` are the frames from A to B at the detail size.
    """
    ca, cb, cm = _cells(fa), _cells(fb), _cells(mid)
    d = cb - ca  # (cells, pixels)
    dd = (d * d).sum(axis=1)
    changed = dd / d.shape[1] >= (0.5 * p.MIN_CHANGE) ** 2
    if changed.mean() < p.CHANGED_CELLS:
        return None
    rel = cm - ca  # (frames, cells, pixels)
    alpha = (rel * d).sum(axis=2) / np.maximum(dd, 1e-6)  # (frames, cells)
    resid = ((rel - alpha[..., None] * d) ** 2).sum(axis=2)
    # The fine structure must mix too: motion (a zoom, a pan) shifts it instead.
    fine = _cells(np.stack([_fine(d) for d in details]))[:, changed]  # (A, mid..., B)
    fd = fine[-1] - fine[0]
    fine_resid = ((fine[1:-1] - fine[0] - np.clip(alpha[:, changed], 0, 1)[..., None] * fd) ** 2).sum(axis=2)
    fine_dd = (fd * fd).sum(axis=1)
    alpha, resid, dd_c = alpha[:, changed], resid[:, changed], dd[changed]
    # A wipe's edge may carry an effect of its own (a glow, a blur) that neither
    # end shows: the worst quarter of the cells on each frame is left out.
    keep = resid / dd_c <= np.quantile(resid / dd_c, 0.75, axis=1, keepdims=True)
    per_frame = (resid * keep).sum(axis=1) / (keep * dd_c).sum(axis=1)
    if per_frame.mean() > p.RESIDUAL or per_frame.max() > p.RESIDUAL_FRAME:
        return None
    fine_keep = fine_resid / fine_dd <= np.quantile(fine_resid / fine_dd, 0.75, axis=1, keepdims=True)
    fine_frame = (fine_resid * fine_keep).sum(axis=1) / (fine_keep * fine_dd).sum(axis=1)
    if alpha.min() < -0.25 or alpha.max() > 1.25:
        return None
    # Steady rise: alpha, ends included, goes from 0 to 1 without falling back or jumping.
    path = np.vstack([np.zeros(alpha.shape[1]), np.clip(alpha, 0, 1), np.ones(alpha.shape[1])])
    steps = np.diff(path, axis=0)
    if (-np.minimum(steps, 0)).sum(axis=0).mean() > 0.25 or steps.max() > p.STEP_CELL:
        return None
    mean = (path * dd_c).sum(axis=1) / dd_c.sum()
    if np.diff(mean).max() > p.STEP:
        return None
    moving = np.flatnonzero((mean[1:-1] > 0.03) & (mean[1:-1] < 0.97))
    if len(moving) < p.min_len - 1:
        return None
    first, last = int(moving[0]), int(moving[-1])
    # A wipe: the cells change one after another, each crossing half-way at its own time.
    half = (path[1:-1] >= 0.5).argmax(axis=0)
    wipe = np.ptp(half) >= max(3, 0.5 * (last - first + 1))
    # A dissolve or fade mixes the fine structure as exactly as the coarse
    # picture; a wipe's edge may blur or glow, within reason.
    if fine_frame.mean() > (p.FINE_WIPE if wipe else p.FINE_MIX):
        return None
    return first, last, bool(wipe)


def still_frames(transitions, start: int, end: int) -> np.ndarray:
    """Per frame of the shot ``[start, end)``, whether it lies in a transition (the camera holds still there)."""
    still = np.zeros(end - start, bool)
    for t in transitions:
        a, b = max(t.first, start), min(t.last + 1, end)
        if a < b:
            still[a - start : b - start] = True
    return still


def shot_note(transitions, start: int, end: int) -> str:
    """What the shot ``[start, end)`` has to do with transitions, for its note ('' when nothing)."""
    notes = []
    for t in transitions:
        if t.first < start <= t.last + 1:
            notes.append(f"starts after a {t.kind}")
        elif t.first == start:
            notes.append(f"starts with a {t.kind}")
        if start <= t.first < end <= t.last:
            notes.append(f"ends in a {t.kind}")
    if not notes:
        return ""
    return f"{' and '.join(notes)}: the window holds still through it"
