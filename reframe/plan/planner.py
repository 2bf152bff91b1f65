"""The planning stage: from detections to a crop path, one shot at a time.

For each shot the planner decides what the camera frames (people first, then
animals, objects, and salient motion), which of the subjects fit in one
window together, and which must stay wholly outside it; then it solves the
window path with :func:`reframe.pathsolver.solve_path`. Shots are planned
apart, so the window never pans across a cut.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..analysis import Analysis
from ..config import MOTIONS, PlanConfig
from ..croppath import CropPath, Shot, SourceRef, panel_layout, window_size
from ..detections import Kind
from ..overrides import Overrides
from ..pathsolver import Avoid, PathWeights, solve_path
from ..shots import shot_ranges
from ..subtitle_place import widest
from ..transitions import shot_note, still_frames
from .byhand import by_hand, moved_by_hand, pins_in
from .layouts import CORE, GROUP_FILL, choose_layout, panel_width
from .readings import Reading, Subject, SubjectKind
from .subjects import choose_subject, read_shot, with_bridged_faces, with_held_faces
from .text import holding, subtitle_rule, text_layout, video_overlays, with_framing_text, with_kept_bands
from .tracks import by_persistence, follow_speaker, pinned, speaker_cuts

# Confidence below which salient regions steer the camera only gently.
_SALIENT_WEIGHT = 0.15


@dataclass
class _Group:
    """A sample on one axis: the span of the group kept in the window, where the camera aims, what to keep out."""

    lo: float
    hi: float
    target: float
    avoid: list[tuple[float, float, int, float]]
    salient: bool = False


def _group(subjects: tuple[Subject, ...], axis: int, window: float, previous: float | None) -> _Group | None:
    """Pick the principal subject and the others that fit with it in one window."""
    if not subjects:
        return None
    scores = np.array([s.score for s in subjects])
    leads = np.array([s.lead for s in subjects])
    best = int(np.argmax(np.where(leads, scores, -1)))
    if previous is not None:
        # Stay with the subject followed so far unless another clearly dominates.
        centres = np.array([(s.box[axis] + s.box[axis + 2]) / 2 for s in subjects])
        near = np.flatnonzero(leads & (np.abs(centres - previous) < window / 2) & (scores >= 0.4 * scores[best]))
        if len(near):
            best = int(near[np.argmax(scores[near])])
    lo, hi = float(subjects[best].box[axis]), float(subjects[best].box[axis + 2])
    if hi - lo > window:
        # A close-up wider than the window: frame its core (for a face the eyes,
        # nose and mouth), not the whole box, which no window can hold.
        half = min((hi - lo) * CORE / 2, GROUP_FILL * window / 2)
        lo, hi = (lo + hi) / 2 - half, (lo + hi) / 2 + half
    steer = [lo, hi]  # the part of the group the camera centres on
    kept = {best}
    for i in np.argsort(-scores):
        if i in kept:
            continue
        b = subjects[i].box
        nlo, nhi = min(lo, float(b[axis])), max(hi, float(b[axis + 2]))
        # Companions (an animal beside a person) may fill the window to its edge.
        fill = GROUP_FILL if leads[i] else 1.0
        if nhi - nlo <= fill * window and (scores[i] >= 0.1 * scores[best] or not leads[i]):
            lo, hi = nlo, nhi
            kept.add(int(i))
            if subjects[i].steer:
                steer = [min(steer[0], float(b[axis])), max(steer[1], float(b[axis + 2]))]
    avoid = []
    for i, s in enumerate(subjects):
        if i in kept or s.avoid == 0:
            continue
        a, b = float(s.box[axis]), float(s.box[axis + 2])
        if not s.steer and a < hi and b > lo:
            continue  # across the group: it cannot be kept out without losing the group
        avoid.append((a, b, -1 if (a + b) / 2 < (lo + hi) / 2 else 1, s.avoid))
    return _Group(lo, hi, (steer[0] + steer[1]) / 2, avoid)


class Planner:
    """The planning stage: an :class:`Analysis` in, a :class:`CropPath` out."""

    def __init__(self, config: PlanConfig = PlanConfig(), weights: PathWeights | None = None):
        self.config = config
        m = MOTIONS[config.motion]
        self.weights = weights or PathWeights(velocity=m.velocity, acceleration=m.acceleration, jerk=m.jerk)

    def run(self, analysis: Analysis, overrides: Overrides | None = None) -> CropPath:
        """The crop path of ``analysis``, with the corrections of ``overrides`` (:mod:`reframe.overrides`) applied."""
        if self.config.subtitles == "keep":
            analysis = with_kept_bands(analysis)
        info = analysis.info
        overrides = overrides or Overrides()
        ranges = shot_ranges(list(analysis.cuts), info.frame_count)
        overrides.check(len(ranges), info.frame_count, info.duration)
        n = info.frame_count
        # Burned-in bars are not picture: the window stays inside the content.
        cx, cy, cw, ch = analysis.content_box
        w, h = window_size(cw, ch, self.config.aspect)
        fps = float(info.fps)
        windows = np.zeros((n, 4))
        shots = []
        panels = {}
        frames = analysis.sample_frames
        # Zooming out widens the window up to the whole picture width, no further.
        max_zoom = max(1.0, min(self.config.zoom_max, cw / w))
        overlays = video_overlays(analysis)
        text_width = widest(analysis.subtitles, (0, 0, info.width, info.height))  # one text size for all shots
        for index, (start, end) in enumerate(ranges):
            in_shot = frames[(frames >= start) & (frames < end)]
            # Mid-transition a sample shows both shots mixed: frame each shot on its own picture.
            mixed = np.array([any(t.first <= f <= t.last for t in analysis.transitions) for f in in_shot], bool)
            if len(in_shot) and not mixed.all():
                in_shot = in_shot[~mixed]
            times = info.timestamps[np.minimum(in_shot, len(info.timestamps) - 1)]
            size = (info.width, info.height)
            samples = [analysis.samples[int(f)] for f in in_shot]
            samples = with_held_faces(with_bridged_faces(samples, times), times, size)
            samples = with_framing_text(samples, in_shot, analysis.subtitles, size, overlays)
            subject = choose_subject(samples, size)
            readings = read_shot(in_shot, samples, subject, size, fps)
            why, speaker = "", False
            if subject == SubjectKind.PEOPLE:
                readings, why, speaker = follow_speaker(readings, in_shot, times, samples, analysis.speech)
            elif subject == SubjectKind.OBJECT:
                readings = by_persistence(readings, subject, w)
            pins = pins_in(overrides, info, start, end)
            if pins:
                readings = pinned(readings, pins, subject, w, end)
            choice = overrides.shots.get(index)
            forced = (choice and choice.layout) or ("follow" if pins else self.config.layout)
            if subject == SubjectKind.TEXT:
                layout, readings = text_layout(readings, w, max_zoom, forced)
            else:
                bodies = {int(f): d.xyxy[d.kind == Kind.PERSON] for f, d in zip(in_shot, samples)}
                _, ratio = panel_layout(self.config.aspect)
                layout = choose_layout(
                    readings, subject, w, max_zoom, forced,
                    speaker=speaker, bodies=bodies, panel=(float(ratio), (cx, cy, cw, ch)),
                )
                readings = layout.framed or readings
            if choice or pins:
                layout = by_hand(layout, choice, pins, cw / w)
            why = "; ".join(n for n in (why, shot_note(analysis.transitions, start, end)) if n)
            subs = subtitle_rule(self.config, analysis, start, end, layout, w, max_zoom, text_width)
            layout = subs.layout
            zw, zh = w * layout.zoom, h * layout.zoom
            bounds = [start, *(speaker_cuts(readings, zw) if speaker else ()), end]
            still = still_frames(analysis.transitions, start, end)  # the window holds still through transitions
            parts = [self._axis(0, [r for r in readings if a <= r.frame < b], a, b, zw, cx, cw, fps,
                                still[a - start : b - start])
                     for a, b in zip(bounds, bounds[1:])]
            xs, note = np.concatenate([x for x, _ in parts]), parts[0][1]
            if len(parts) > 1:
                note += f"; {len(parts) - 1} cut{'s' * (len(parts) > 2)} to the next speaker instead of a pan"
            note = "; ".join(n for n in (note, why) if n)
            ry, rh = subs.rows if zh <= subs.rows[1] + 0.5 else (cy, ch)
            ys, _ = self._axis(1, readings, start, end, zh, ry, rh, fps, still)
            if subs.keep is not None:
                xs, ys = holding(xs, ys, subs.keep, zw, zh)
            windows[start:end] = _place(xs, ys, zw, zh, info.width, info.height)
            if layout.pair is not None:
                panels[start] = np.stack(
                    [self._panel(track, start, end, (cx, subs.rows[0], cw, subs.rows[1]), info, fps, still)
                     for track in layout.pair]
                )
            shots.append(
                Shot(start, end, subject.value, note, motion=self.config.motion, layout=layout.layout,
                     reason=layout.reason, subtitles=subs.moved)
            )
        if overrides.keyframes:
            windows, shots = moved_by_hand(windows, shots, overrides.keyframes, info)
        return CropPath(
            SourceRef.from_info(info), self.config.aspect, windows, tuple(shots), dict(analysis.samples),
            content=analysis.content, panels=panels, overrides=overrides,
        )

    def _panel(
        self, readings: list[Reading], start: int, end: int, content, info, fps: float, still: np.ndarray
    ) -> np.ndarray:
        """One split panel's windows over a shot: sized on its person's face, following it,
        everyone else's face and body kept out across (see :func:`panel_width`)."""
        cx, cy, cw, ch = content
        _, ratio = panel_layout(self.config.aspect)
        pw, _ = panel_width(readings, float(ratio), content)
        ph = pw / float(ratio)
        xs, _ = self._axis(0, readings, start, end, pw, cx, cw, fps, still)
        heads_only = [replace(r, subjects=tuple(c for c in r.subjects if not c.body)) for r in readings]
        ys, _ = self._axis(1, heads_only, start, end, ph, cy, ch, fps, still)
        return _place(xs, ys, pw, ph, info.width, info.height)

    def _axis(
        self, axis: int, readings: list[Reading], start: int, end: int, size: float, origin: float, extent: float,
        fps: float, still: np.ndarray,
    ) -> tuple[np.ndarray, str]:
        """The window centre along one axis for every frame of a shot, and a note of why.

        The window moves within ``[origin, origin + extent]`` (the picture
        inside any bars); positions in and out are in source pixels.
        ``still`` says, per frame, where the window holds still (a transition).
        """
        n = end - start
        if extent - size < 0.5:
            return np.full(n, origin + extent / 2.0), ""
        groups: list[tuple[int, _Group, SubjectKind]] = []
        previous = None
        for r in readings:
            g = _group(r.subjects, axis, size, previous)
            groups.append((r.frame - start, g, r.kind))
            previous = g.target
        if not groups:
            return np.full(n, origin + extent / 2.0), "nothing to follow: centred"
        t = np.arange(n)
        at = np.array([f for f, _, _ in groups], float)
        lo = np.interp(t, at, [g.lo for _, g, _ in groups]) - origin
        hi = np.interp(t, at, [g.hi for _, g, _ in groups]) - origin
        target = np.interp(t, at, [g.target for _, g, _ in groups]) - origin
        people = np.interp(t, at, [k == SubjectKind.PEOPLE for _, _, k in groups]) > 0.5
        if axis == 1:
            # Heads sit in the upper part of a frame, not at its centre.
            target = target + np.where(people, size * 0.15, 0.0)
        # Salient regions are a guess: they steer the camera only gently.
        salient = np.interp(t, at, [k == SubjectKind.SALIENT for _, _, k in groups]) > 0.5
        must = np.where(salient, _SALIENT_WEIGHT, 1.0)
        # A sample's subjects to keep out stand for the frames around it, as its
        # must-keep interval does (interpolated): weigh them by those frames.
        edges = np.concatenate([[at[0]], (at[1:] + at[:-1]) / 2, [at[-1] + 1]])
        stands = np.maximum(1.0, np.diff(edges))
        avoid = [
            Avoid(f, a - origin, b - origin, side, wt, frames=k)
            for (f, g, _), k in zip(groups, stands) for a, b, side, wt in g.avoid
        ]
        speed = self.config.max_speed * extent / fps
        path = solve_path(
            target, lo, hi,
            size=size, extent=extent, max_step=speed, dead_zone=self.config.dead_zone * size,
            avoid=avoid, must_weight=must, weights=self.weights, still=still,
        ) + origin
        kinds = sorted({k.value for _, _, k in groups})
        note = f"{' and '.join(kinds)} followed on {len(groups)} samples"
        kept = max(len(g.avoid) for _, g, _ in groups)
        if kept:
            note += f"; up to {kept} other {'subject' if kept == 1 else 'subjects'} kept wholly out of frame"
        return path, note


def _place(xs: np.ndarray, ys: np.ndarray, w: float, h: float, width: int, height: int) -> np.ndarray:
    """Windows ``[x, y, w, h]`` from centres; a window larger than the source on an axis holds all of it."""
    def corner(c: np.ndarray, size: float, extent: int) -> np.ndarray:
        lo, hi = sorted((0.0, extent - size))
        return np.clip(c - size / 2, lo, hi)

    return np.stack([corner(xs, w, width), corner(ys, h, height), np.full(len(xs), w), np.full(len(xs), h)], axis=1)


def plan(analysis: Analysis, config: PlanConfig = PlanConfig(), overrides: Overrides | None = None) -> CropPath:
    """Deprecated: :func:`reframe.plan`."""
    from ..pipeline import deprecated

    deprecated("reframe.plan.plan", "reframe.plan")
    return Planner(config).run(analysis, overrides)
