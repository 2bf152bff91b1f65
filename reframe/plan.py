"""Plan: from detections to a crop path, one shot at a time.

For each shot the planner decides what the camera frames (people first, then
animals, objects, and salient motion), which of the subjects fit in one
window together, and which must stay wholly outside it; then it solves the
window path with :func:`reframe.pathsolver.solve_path`. Shots are planned
apart, so the window never pans across a cut.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .analyze import Analysis
from .config import PlanConfig
from .croppath import CropPath, Shot, SourceRef, window_size
from .detections import Detections, Kind
from .pathsolver import Avoid, PathWeights, solve_path
from .shots import shot_ranges

# A group of subjects is framed together only if it fits in this share of
# the window: the rest is margin, so a head never touches the edge.
_GROUP_FILL = 0.9
# A subject kind frames a shot when it is seen on this share of its samples.
_PRESENCE = 0.2
# Confidence below which salient regions steer the camera only gently.
_SALIENT_WEIGHT = 0.15


@dataclass(frozen=True)
class _Subject:
    """A box the camera may keep (x1, y1, x2, y2 in source pixels) and how much it matters."""

    box: np.ndarray
    score: float


def _heads(dets: Detections) -> list[_Subject]:
    """People on a frame as head boxes: faces, plus persons whose face was not found."""
    faces = dets[dets.kind == Kind.FACE]
    persons = dets[dets.kind == Kind.PERSON]
    out = [_Subject(b, float(a * c * 2.0)) for b, a, c in zip(faces.xyxy, faces.area, faces.confidence)]
    for b, c in zip(persons.xyxy, persons.confidence):
        x1, y1, x2, y2 = b
        if len(faces) and np.any(
            (faces.center[:, 0] >= x1) & (faces.center[:, 0] <= x2) & (faces.center[:, 1] >= y1) & (faces.center[:, 1] <= y2)
        ):
            continue  # this person's face is already a subject
        # Seen from behind or too small for the face model: estimate the
        # head at the top centre of the body box.
        hw = min(x2 - x1, (y2 - y1) * 0.2) * 0.9
        cx = (x1 + x2) / 2
        head = np.array([cx - hw / 2, y1, cx + hw / 2, y1 + hw * 1.25], np.float32)
        out.append(_Subject(head, float(hw * hw * c)))
    return out


def _of_kind(dets: Detections, kind: Kind) -> list[_Subject]:
    sel = dets[dets.kind == kind]
    return [_Subject(b, float(a * c)) for b, a, c in zip(sel.xyxy, sel.area, sel.confidence)]


_SUBJECTS = {
    "people": _heads,
    "animal": lambda d: _of_kind(d, Kind.ANIMAL),
    "object": lambda d: _of_kind(d, Kind.OBJECT),
    "salient": lambda d: _of_kind(d, Kind.SALIENT),
}


def _choose_subject(samples: list[Detections]) -> str:
    """What this shot is about: the first kind seen often enough, by priority."""
    if not samples:
        return "none"
    for name in ("people", "animal"):
        if np.mean([bool(_SUBJECTS[name](d)) for d in samples]) >= _PRESENCE:
            return name
    # Objects such as cups or cars are only a subject when they are where
    # things move; otherwise salient motion leads.
    if np.mean([bool(_SUBJECTS["object"](d)) for d in samples]) >= 0.5:
        return "object"
    if any(_SUBJECTS["salient"](d) for d in samples):
        return "salient"
    return "none"


@dataclass
class _Frame:
    """The planner's reading of one sample: where the kept group is and what to keep out."""

    lo: float
    hi: float
    target: float
    avoid: list[tuple[float, float, int]]


def _group(subjects: list[_Subject], axis: int, window: float, previous: float | None) -> _Frame | None:
    """Pick the principal subject and the others that fit with it in one window."""
    if not subjects:
        return None
    scores = np.array([s.score for s in subjects])
    best = int(np.argmax(scores))
    if previous is not None:
        # Stay with the subject followed so far unless another clearly dominates.
        centres = np.array([(s.box[axis] + s.box[axis + 2]) / 2 for s in subjects])
        near = np.flatnonzero((np.abs(centres - previous) < window / 2) & (scores >= 0.4 * scores[best]))
        if len(near):
            best = int(near[np.argmax(scores[near])])
    lo, hi = float(subjects[best].box[axis]), float(subjects[best].box[axis + 2])
    kept = {best}
    for i in np.argsort(-scores):
        if i in kept:
            continue
        b = subjects[i].box
        nlo, nhi = min(lo, float(b[axis])), max(hi, float(b[axis + 2]))
        if nhi - nlo <= _GROUP_FILL * window and scores[i] >= 0.1 * scores[best]:
            lo, hi = nlo, nhi
            kept.add(int(i))
    avoid = []
    for i, s in enumerate(subjects):
        if i in kept:
            continue
        a, b = float(s.box[axis]), float(s.box[axis + 2])
        avoid.append((a, b, -1 if (a + b) / 2 < (lo + hi) / 2 else 1))
    return _Frame(lo, hi, (lo + hi) / 2, avoid)


class Planner:
    """The planning stage: an :class:`Analysis` in, a :class:`CropPath` out."""

    def __init__(self, config: PlanConfig = PlanConfig(), weights: PathWeights = PathWeights()):
        self.config = config
        self.weights = weights

    def run(self, analysis: Analysis) -> CropPath:
        info = analysis.info
        n = info.frame_count
        w, h = window_size(info.width, info.height, self.config.aspect)
        fps = float(info.fps)
        windows = np.zeros((n, 4))
        windows[:, 2], windows[:, 3] = w, h
        shots = []
        frames = analysis.sample_frames
        for start, end in shot_ranges(list(analysis.cuts), n):
            in_shot = frames[(frames >= start) & (frames < end)]
            samples = [analysis.samples[int(f)] for f in in_shot]
            subject = _choose_subject(samples)
            note_x = note_y = ""
            xs, note_x = self._axis(0, in_shot, samples, subject, start, end, w, info.width, fps)
            ys, note_y = self._axis(1, in_shot, samples, subject, start, end, h, info.height, fps)
            windows[start:end, 0] = xs - w / 2
            windows[start:end, 1] = ys - h / 2
            shots.append(Shot(start, end, subject, "; ".join(x for x in (note_x, note_y) if x)))
        return CropPath(SourceRef.from_info(info), self.config.aspect, windows, tuple(shots), dict(analysis.samples))

    def _axis(self, axis, frames, samples, subject, start, end, size, extent, fps) -> tuple[np.ndarray, str]:
        n = end - start
        if extent - size < 0.5:
            return np.full(n, extent / 2.0), ""
        readings: list[tuple[int, _Frame]] = []
        previous = None
        if subject != "none":
            for f, d in zip(frames, samples):
                g = _group(_SUBJECTS[subject](d), axis, size, previous)
                if g is not None:
                    readings.append((int(f) - start, g))
                    previous = g.target
        if not readings:
            return np.full(n, extent / 2.0), "nothing to follow: centred" if axis == 0 else ""
        t = np.arange(n)
        at = np.array([f for f, _ in readings], float)
        lo = np.interp(t, at, [g.lo for _, g in readings])
        hi = np.interp(t, at, [g.hi for _, g in readings])
        target = np.interp(t, at, [g.target for _, g in readings])
        if axis == 1 and subject == "people":
            # Heads sit in the upper part of a frame, not at its centre.
            target = target + size * 0.15
        avoid = [Avoid(f, a, b, side) for f, g in readings for a, b, side in g.avoid]
        must = np.full(n, _SALIENT_WEIGHT if subject == "salient" else 1.0)
        speed = self.config.max_speed * extent / fps
        path = solve_path(
            target, lo, hi,
            size=size, extent=extent, max_step=speed, dead_zone=self.config.dead_zone * size,
            avoid=avoid, must_weight=must, weights=self.weights,
        )
        kept = max(len(g.avoid) for _, g in readings)
        note = f"{subject} followed on {len(readings)} samples"
        if kept:
            note += f"; up to {kept} other {'subject' if kept == 1 else 'subjects'} kept wholly out of frame"
        return path, note if axis == 0 else ""


def plan(analysis: Analysis, config: PlanConfig = PlanConfig()) -> CropPath:
    """Plan the crop path for an analysed video.

    >>> # plan(analyze("in.mp4"), PlanConfig(aspect="9:16")).save("in.path.json")
    """
    return Planner(config).run(analysis)
