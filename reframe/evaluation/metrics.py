"""Quality metrics of a crop path against hand-made ground truth.

The ground truth is an annotation (:mod:`reframe.evaluation.annotations`).

:func:`score` measures, for per-frame windows ``[x, y, w, h]``:

- **coverage**: share of keyframes where every ``must`` box is at least 90%
  inside the window (by area), shown at a useful size: a magnification of
  at least 0.75 (:data:`USEFUL_MAGNIFICATION`; 1 is the full-height
  window's scale, a ``fit`` of a 16:9 picture 0.32), except in shots with
  three or more people (:func:`crowd_shots`), where showing them all may
  take a wider view. A box wider or taller than the largest window of the
  output aspect cannot be 90% inside; it needs the share that can fit:
  ``0.9 * window size / box size`` on each side it overflows. Boxes are
  clipped to the frame first: a face cut by the frame edge is a close-up,
  and the part beyond the edge can be in no window.
- ``whole`` boxes (optional, e.g. a title) count as must boxes that have to
  be entirely inside (98 %), whatever their size: text is never cut mid-word.
- **magnification**: how large the must boxes are shown, by the view that
  shows each best, averaged over the keyframes that have must boxes.
- **sliced**: share of keyframes where some box (must or optional, at most
  80% of the window's width and height) is between 15% and 85% inside: a
  face cut by the window edge.
- **steadiness** within each shot, leaving out the two frames on either side
  of a cut: mean ``|d|`` (speed), mean ``|d2|`` (acceleration) and the 99th
  percentile of ``|d2|`` of the window centre's x per frame, in thousandths
  of the source width.
- **still-subject acceleration**: the mean ``|d2|`` as above, over the shots
  whose subject stays put (:func:`still_shots`): there the window should
  not move at all.
- **motion after cuts**: how many cuts have the window move (x, y or size)
  in the two frames after them, and the largest move, in thousandths of the
  source width: the eye needs a steady picture to find its way in a new shot.

>>> ann = Annotation.from_dict({"clip": "c.mp4", "width": 640, "height": 360, "fps": 25,
...     "frames": 3, "shots": [[0, 2]], "keyframes": [{"frame": 1, "must": [[300, 50, 40, 40]]}]})
>>> s = score(np.tile([200.0, 0.0, 202.5, 360.0], (3, 1)), ann)
>>> s.coverage, s.sliced_share, s.speed
(1.0, 0.0, 0.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .. import geometry
from ..config import Aspect
from .annotations import Annotation, Box, crowd_shots, still_shots
from .motion import clean, differences, motion_after_cuts, steadiness

COVER_SHARE = 0.9  # a must box counts as shown from this share inside
SLICE_LOW, SLICE_HIGH = 0.15, 0.85  # inside share that reads as "cut by the edge"
SLICE_MAX_SIZE = 0.8  # boxes larger than this share of the window cannot avoid the edge; not counted
# A subject counts as kept only when shown at least this large, relative to
# the full-height window: a whole 16:9 picture fitted between bands (0.32)
# keeps everyone and shows no one.
USEFUL_MAGNIFICATION = 0.75
WHOLE_SHARE = 0.98  # a box annotated "whole" (a title) must be this much inside: not cut mid-word


@dataclass(frozen=True)
class KeyframeResult:
    """How one keyframe fared: inside share of each box and what it needed."""

    frame: int
    window: Box
    must_inside: tuple[float, ...]
    must_required: tuple[float, ...]
    sliced_inside: tuple[float, ...]  # inside shares of the boxes found cut by the edge
    # Magnification each must box is shown at (by the view showing it best); NaN: not known.
    must_magnification: tuple[float, ...] = ()
    crowd: bool = False  # in a shot with CROWD people or more: any size counts

    @property
    def shown(self) -> bool:
        """Every must box inside enough, whatever its size on screen."""
        return all(s >= r for s, r in zip(self.must_inside, self.must_required))

    @property
    def covered(self) -> bool:
        """Every must box inside enough and shown at a useful size."""
        useful = self.crowd or all(not m < USEFUL_MAGNIFICATION for m in self.must_magnification)
        return self.shown and useful

    @property
    def sliced(self) -> bool:
        return bool(self.sliced_inside)


def ratio(part: float, whole: float) -> float:
    """``part / whole``, NaN when there is no whole (nothing was scored).

    >>> ratio(1, 4), ratio(0, 0)
    (0.25, nan)
    """
    return part / whole if whole else math.nan


class _Shares:
    """Coverage and sliced share from the ``keyframes``, ``covered`` and ``sliced`` counts."""

    keyframes: int
    covered: int
    sliced: int

    @property
    def coverage(self) -> float:
        return ratio(self.covered, self.keyframes)

    @property
    def sliced_share(self) -> float:
        return ratio(self.sliced, self.keyframes)


@dataclass(frozen=True)
class QualityScore(_Shares):
    """The metrics of one crop path on one annotated clip.

    Speeds are NaN when no shot has enough frames to measure them.
    """

    clip: str
    frames: int  # frames the annotation describes
    windows: int  # windows given
    keyframes: int  # keyframes scored (those inside the given windows)
    covered: int
    sliced: int
    speed: float
    accel: float
    p99_accel: float
    results: tuple[KeyframeResult, ...] = field(repr=False)
    notes: tuple[str, ...] = ()
    still_accel: float = math.nan  # mean |d2| on still-subject shots (NaN: none)
    still_shots: int = 0
    still_samples: int = 0  # |d2| values the still-subject acceleration is the mean of
    still_by_shot: tuple[tuple[int, int, float], ...] = ()  # (first, last, mean |d2|) of each still-subject shot
    cuts: int = 0
    cuts_moving: int = 0  # cuts after which the window moves within AFTER_CUT frames
    cut_motion: float = 0.0  # largest such move, thousandths of the source width
    shown: int = 0  # keyframes whose must boxes are inside, at any size
    magnification: float = math.nan  # mean over keyframes of the smallest magnification of a must box

    @property
    def frames_scored(self) -> int:
        return min(self.frames, self.windows)


    @property
    def uncovered_frames(self) -> list[int]:
        """Keyframes where some must box is not shown enough."""
        return [r.frame for r in self.results if not r.covered]

    @property
    def sliced_frames(self) -> list[int]:
        """Keyframes where some box is cut by the window edge."""
        return [r.frame for r in self.results if r.sliced]

    def to_dict(self) -> dict:
        return {
            "clip": self.clip,
            "frames": self.frames,
            "windows": self.windows,
            "keyframes": self.keyframes,
            "covered": self.covered,
            "sliced": self.sliced,
            "coverage": _finite(self.coverage),
            "sliced_share": _finite(self.sliced_share),
            "speed": _finite(self.speed),
            "accel": _finite(self.accel),
            "p99_accel": _finite(self.p99_accel),
            "still_accel": _finite(self.still_accel),
            "still_shots": self.still_shots,
            "still_samples": self.still_samples,
            "still_by_shot": [list(v) for v in self.still_by_shot],
            "cuts": self.cuts,
            "cuts_moving": self.cuts_moving,
            "cut_motion": _finite(self.cut_motion),
            "shown": self.shown,
            "magnification": _finite(self.magnification),
            "uncovered_frames": self.uncovered_frames,
            "sliced_frames": self.sliced_frames,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Pooled(_Shares):
    """Coverage and sliced share over the keyframes of several clips together."""

    keyframes: int
    covered: int
    sliced: int



def pool(scores: list[QualityScore] | tuple[QualityScore, ...]) -> Pooled:
    """Pool keyframes over clips, so that long clips weigh more than short ones."""
    return Pooled(sum(s.keyframes for s in scores), sum(s.covered for s in scores), sum(s.sliced for s in scores))


def inside_share(box: Box, window: Box) -> float:
    """Share of the box's area that lies inside the window (both ``x, y, w, h``);
    a box without area counts as the point it is at.

    >>> inside_share((0, 0, 10, 10), (5, 0, 100, 100))
    0.5
    """
    return float(geometry.inside_share(geometry.from_xywh(np.asarray(box, float)), geometry.from_xywh(window)))


def required_share(box: Box, max_window: tuple[float, float]) -> float:
    """Inside share a must box needs to count as shown.

    0.9, less for a box wider or taller than the largest window can be.

    >>> required_share((0, 0, 100, 50), (202.5, 360))
    0.9
    >>> required_share((0, 0, 405, 50), (202.5, 360))
    0.45
    """
    _, _, bw, bh = box
    mw, mh = max_window
    fit_w = min(1.0, mw / bw) if bw > 0 else 1.0
    fit_h = min(1.0, mh / bh) if bh > 0 else 1.0
    return COVER_SHARE * fit_w * fit_h


def score(
    windows: np.ndarray,
    annotation: Annotation,
    aspect: Aspect | str | None = None,
    magnification: np.ndarray | None = None,
) -> QualityScore:
    """Score per-frame windows ``(N, 4)`` ``[x, y, w, h]`` against an annotation.

    ``magnification`` is ``(N,)`` or ``(N, K)``, how large each view shows
    the picture (:meth:`CropPath.magnification`); by default each window's
    own: the full-height window's width over the window's width.

    ``aspect`` sets the largest window used by the oversize-box rule; by
    default it is the windows' own (median) width-to-height ratio.

    ``windows`` may instead be ``(N, K, 4)``: the K views a frame shows (the
    panels of a split screen; NaN rows for unused views, as
    :meth:`CropPath.views` gives). A box is then covered when one view shows
    enough of it, and sliced when some view cuts it; steadiness is measured
    on the first view.

    When ``N`` differs from ``annotation.frames`` (decoders disagree by a
    frame now and then), only frames present in both are scored and a note
    says so: keyframes past the last window are left out, shots are cut short.
    """
    arr = np.asarray(windows, dtype=np.float64)
    views = arr if arr.ndim == 3 else arr.reshape(-1, 1, 4)
    win = views[:, 0]
    n = min(len(win), annotation.frames)
    notes: list[str] = []
    if len(win) != annotation.frames:
        notes.append(f"{len(win)} windows for {annotation.frames} annotated frames; scored the first {n}")
    if len(win) == 0:
        raise ValueError("no windows to score")

    # The largest window of the output aspect decides which boxes are oversize.
    ratio = float(Aspect.parse(aspect).ratio) if aspect is not None else float(np.median(win[:, 2] / win[:, 3]))
    if annotation.width / annotation.height > ratio:
        max_window = (annotation.height * ratio, float(annotation.height))
    else:
        max_window = (float(annotation.width), annotation.width / ratio)

    if magnification is None:
        mags = max_window[0] / views[:, :, 2]
    else:
        mags = np.asarray(magnification, dtype=np.float64).reshape(len(views), -1)
    crowds = crowd_shots(annotation)
    frame_box = (0.0, 0.0, float(annotation.width), float(annotation.height))

    results: list[KeyframeResult] = []
    skipped = [k.frame for k in annotation.keyframes if not 0 <= k.frame < n]
    if skipped:
        notes.append(f"{len(skipped)} keyframe(s) beyond the windows left out: {skipped}")
    for k in annotation.keyframes:
        if not 0 <= k.frame < n:
            continue
        used = [i for i, view in enumerate(views[k.frame]) if np.all(np.isfinite(view))]
        shown = [tuple(float(v) for v in views[k.frame, i]) for i in used]
        must = [b for b in (clip_box(b, frame_box) for b in k.must) if b is not None]
        whole = [b for b in (clip_box(b, frame_box) for b in k.whole) if b is not None]
        others = [b for b in (clip_box(b, frame_box) for b in k.optional) if b is not None]
        inside = [[inside_share(b, w) for w in shown] for b in (*must, *whole)]
        must_in = tuple(max(v) for v in inside)
        must_mag = tuple(float(mags[k.frame, used[int(np.argmax(v))]]) for v in inside)
        must_req = tuple(required_share(b, max_window) for b in must) + (WHOLE_SHARE,) * len(whole)
        sliced = tuple(
            s
            for w in shown
            for b in (*must, *others)
            if b[2] <= SLICE_MAX_SIZE * w[2] and b[3] <= SLICE_MAX_SIZE * w[3]
            for s in (inside_share(b, w),)
            if SLICE_LOW <= s <= SLICE_HIGH
        )
        crowd = any(a <= k.frame <= b for a, b in crowds)
        results.append(KeyframeResult(k.frame, shown[0], must_in, must_req, sliced, must_mag, crowd))  # type: ignore[arg-type]

    speed, accel, p99 = steadiness(win[:n], annotation.shots, annotation.width)
    still = still_shots(annotation)
    _, still_d2 = differences(win[:n], still, annotation.width, annotation.shots)
    by_shot = []
    for a, b in still:
        _, d2 = differences(win[:n], [(a, b)], annotation.width, annotation.shots)
        by_shot.append((a, b, clean(float(d2.mean())) if d2.size else math.nan))
    cuts, moving, largest = motion_after_cuts(win[:n], annotation.shots, annotation.width)
    return QualityScore(
        clip=annotation.clip,
        frames=annotation.frames,
        windows=len(win),
        keyframes=len(results),
        covered=sum(r.covered for r in results),
        sliced=sum(r.sliced for r in results),
        speed=speed,
        accel=accel,
        p99_accel=p99,
        results=tuple(results),
        notes=tuple(notes),
        still_accel=clean(float(still_d2.mean())) if still_d2.size else math.nan,
        still_shots=len(still),
        still_samples=int(still_d2.size),
        still_by_shot=tuple(by_shot),
        cuts=cuts,
        cuts_moving=moving,
        cut_motion=largest,
        shown=sum(r.shown for r in results),
        magnification=_mean([min(r.must_magnification) for r in results if r.must_magnification]),
    )


def clip_box(box: Box, frame: Box) -> Box | None:
    """The part of ``box`` inside ``frame`` (both ``x, y, w, h``), None when nothing is.

    >>> clip_box((-10, 0, 20, 10), (0, 0, 100, 100))
    (0.0, 0.0, 10.0, 10.0)
    """
    part = geometry.common_box(geometry.from_xywh(np.asarray(box, float)), geometry.from_xywh(frame))
    if geometry.is_empty(part):
        return None
    x, y, w, h = geometry.to_xywh(part).tolist()
    return (x, y, w, h)


def _mean(values: list[float]) -> float:
    return clean(float(np.mean(values))) if values else math.nan


def _finite(v: float) -> float | None:
    return None if math.isnan(v) else round(v, 6)
