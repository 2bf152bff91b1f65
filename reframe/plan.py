"""Plan: from detections to a crop path, one shot at a time.

For each shot the planner decides what the camera frames (people first, then
animals, objects, and salient motion), which of the subjects fit in one
window together, and which must stay wholly outside it; then it solves the
window path with :func:`reframe.pathsolver.solve_path`. Shots are planned
apart, so the window never pans across a cut.

Each shot also gets a layout (:func:`_choose_layout`): one window
(``follow``, zoomed out a little when that keeps close people together), a
panel per person when two cannot share a window (``split``), or the whole
picture (``fit``) when more cannot.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .analyze import Analysis
from .config import MOTIONS, PlanConfig
from .croppath import CropPath, Shot, SourceRef, panel_layout, window_size
from .detect.faces import box_iou
from .detections import Detections, Kind, pair
from .overrides import Overrides, ShotChoice
from .pathsolver import Avoid, PathWeights, solve_path
from .shots import shot_ranges
from .speaker import SpeakerTrack, speaker_track

# A group of subjects is framed together only if it fits in this share of
# the window: the rest is margin, so a head never touches the edge.
_GROUP_FILL = 0.9
# A subject kind frames a shot when it is seen on this share of its samples.
_PRESENCE = 0.2
# Confidence below which salient regions steer the camera only gently.
_SALIENT_WEIGHT = 0.15


@dataclass(frozen=True)
class _Subject:
    """A box the camera may keep (x1, y1, x2, y2 in source pixels) and how much it matters.

    Only a ``lead`` subject (of the shot's subject kind) can be followed;
    the others are framed along with it when they fit and otherwise kept
    out of the window at a cost of ``avoid`` (faces 1, other things less).
    """

    box: np.ndarray
    score: float
    lead: bool = True
    avoid: float = 1.0
    base: float = 0.0  # score before any ranking up by saliency


def _heads(dets: Detections, frame: tuple[int, int]) -> list[_Subject]:
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
        if y1 < 0.05 * frame[1] and x2 - x1 > 0.45 * frame[0]:
            continue  # a wide body cut by the top edge: the head is out of the picture
        # Seen from behind or too small for the face model: estimate the
        # head at the top centre of the body box.
        hw = min(x2 - x1, (y2 - y1) * 0.2) * 0.9
        cx = (x1 + x2) / 2
        head = np.array([cx - hw / 2, y1, cx + hw / 2, y1 + hw * 1.25], np.float32)
        out.append(_Subject(head, float(hw * hw * c)))
    return out


# A face the model loses while its body is still found (a head turning
# away, glare on glasses) is held this long, moved with the body.
_HOLD_SECONDS = 1.0
# A body box this close to the frame edge (share of the side) is cut by it.
_CUT_BODY = 0.02


def _with_held_faces(samples: list[Detections], times: np.ndarray, frame: tuple[int, int]) -> list[Detections]:
    """A shot's samples with each lost face held where its body says it is.

    A face of one sample that is not found on the next, while the person
    box around it still is and is cut by the frame edge, is carried to the
    next sample shifted by the move of that box's top, for up to
    :data:`_HOLD_SECONDS` after it was last seen. A whole body's head is
    at its top centre, where :func:`_heads` puts it; a body cut by the frame
    edge (a close shot) says little about where its head is, and the head
    most likely stayed where it was.
    """
    out: list[Detections] = []
    seen: list[np.ndarray] = []  # per sample, when each of its faces was really found
    for i, d in enumerate(samples):
        is_face = d.kind == Kind.FACE
        found_at = np.full(int(is_face.sum()), times[i])
        if out:
            prev, prev_seen = out[-1], seen[-1]
            held, held_at = _held(prev, prev_seen, d, times[i], frame)
            if len(held):
                d = Detections.concat([d, held])
                found_at = np.concatenate([found_at, held_at])
        out.append(d)
        seen.append(found_at)
    return out


def _held(
    prev: Detections, prev_seen: np.ndarray, now: Detections, time: float, frame: tuple[int, int]
) -> tuple[Detections, np.ndarray]:
    """The faces of ``prev`` lost on ``now`` but held by their bodies (see :func:`_with_held_faces`)."""
    faces = prev[prev.kind == Kind.FACE]
    bodies_then = prev.xyxy[prev.kind == Kind.PERSON]
    bodies_now = now.xyxy[now.kind == Kind.PERSON]
    mx, my = _CUT_BODY * frame[0], _CUT_BODY * frame[1]
    x1, y1, x2, y2 = bodies_now.T
    bodies_now = bodies_now[(x1 <= mx) | (y1 <= my) | (x2 >= frame[0] - mx) | (y2 >= frame[1] - my)]
    faces_now = now.center[now.kind == Kind.FACE]
    keep, at, boxes = [], [], []
    for k, (box, t0) in enumerate(zip(faces.xyxy, prev_seen)):
        if time - t0 > _HOLD_SECONDS or not len(bodies_then) or not len(bodies_now):
            continue
        if len(faces_now) and np.any(_inside(faces_now, box)):
            continue  # found again
        around = bodies_then[[bool(_inside(faces.center[k : k + 1], b)[0]) for b in bodies_then]]
        if not len(around):
            continue
        body = around[np.argmin((around[:, 2] - around[:, 0]) * (around[:, 3] - around[:, 1]))]  # the closest fit
        overlap = box_iou(bodies_now, body)
        j = int(np.argmax(overlap))
        if overlap[j] < 0.3:
            continue  # the body is gone too
        if len(faces_now) and np.any(_inside(faces_now, bodies_now[j])):
            continue  # the body shows a face of its own now
        # The head moves with the top of the body (a person bending, sitting down).
        shift = np.array([(bodies_now[j, 0] + bodies_now[j, 2] - body[0] - body[2]) / 2, bodies_now[j, 1] - body[1]])
        keep.append(k)
        at.append(t0)
        boxes.append(box + np.tile(shift, 2))
    if not keep:
        return Detections.empty(), np.zeros(0)
    return Detections(np.array(boxes), faces.confidence[keep], faces.kind[keep]), np.array(at)


def _inside(points: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Whether each ``(n, 2)`` point lies in ``box`` (x1, y1, x2, y2)."""
    return (points[:, 0] >= box[0]) & (points[:, 0] <= box[2]) & (points[:, 1] >= box[1]) & (points[:, 1] <= box[3])


def _of_kind(dets: Detections, kind: Kind, avoid: float = 1.0) -> list[_Subject]:
    sel = dets[dets.kind == kind]
    return [_Subject(b, float(a * c), avoid=avoid) for b, a, c in zip(sel.xyxy, sel.area, sel.confidence)]


def _objects(dets: Detections) -> list[_Subject]:
    """Objects, ranked up where the picture is salient or moving: the cup being
    filled matters, the one standing on the shelf does not."""
    out = _of_kind(dets, Kind.OBJECT, avoid=0.3)
    sal = dets[dets.kind == Kind.SALIENT]
    if not len(sal):
        return out
    ranked = []
    for o in out:
        x1, y1, x2, y2 = o.box
        ix = np.clip(np.minimum(sal.xyxy[:, 2], x2) - np.maximum(sal.xyxy[:, 0], x1), 0, None)
        iy = np.clip(np.minimum(sal.xyxy[:, 3], y2) - np.maximum(sal.xyxy[:, 1], y1), 0, None)
        share = ix * iy / max(float((x2 - x1) * (y2 - y1)), 1.0)
        boost = 1.0 + 2.0 * float(np.max(share * sal.confidence))
        ranked.append(_Subject(o.box, o.score * boost, o.lead, o.avoid, base=o.score))
    return ranked


_SUBJECTS = {
    "people": _heads,
    "animal": lambda d, f: _of_kind(d, Kind.ANIMAL),
    "object": lambda d, f: _objects(d),
    # A salient region has no edge that could be sliced: never pushed out.
    "salient": lambda d, f: _of_kind(d, Kind.SALIENT, avoid=0.0),
}
# What else is framed with (or kept cleanly out of) a shot's subject.
_COMPANIONS = {"people": "animal", "animal": "people"}
# Slicing an animal or object at the window edge matters less than a face.
_COMPANION_AVOID = 0.3


def _candidates(dets: Detections, subject: str, frame: tuple[int, int]) -> list[_Subject]:
    """The shot's subjects on one sample, leads first, then companions."""
    leads = _SUBJECTS[subject](dets, frame)
    other = _COMPANIONS.get(subject)
    if not leads or other is None:
        return leads
    extra = [_Subject(c.box, c.score, lead=False, avoid=_COMPANION_AVOID) for c in _SUBJECTS[other](dets, frame)]
    return leads + extra


def _choose_subject(samples: list[Detections], frame: tuple[int, int]) -> str:
    """What these samples are about: the first kind seen often enough, by priority."""
    if not samples:
        return "none"
    for name in ("people", "animal"):
        if np.mean([bool(_SUBJECTS[name](d, frame)) for d in samples]) >= _PRESENCE:
            return name
    # Objects such as cups or cars lead only when they are, most of the time,
    # where the picture is salient or moving; otherwise salient motion leads.
    if np.mean([any(o.score > 1.4 * o.base for o in _objects(d)) for d in samples]) >= 0.5:
        return "object"
    if any(_SUBJECTS["salient"](d, frame) for d in samples):
        return "salient"
    return "none"


@dataclass
class _Frame:
    """The planner's reading of one sample: where the kept group is and what to keep out."""

    lo: float
    hi: float
    target: float
    avoid: list[tuple[float, float, int, float]]
    salient: bool = False


def _group(subjects: list[_Subject], axis: int, window: float, previous: float | None) -> _Frame | None:
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
    kept = {best}
    for i in np.argsort(-scores):
        if i in kept:
            continue
        b = subjects[i].box
        nlo, nhi = min(lo, float(b[axis])), max(hi, float(b[axis + 2]))
        # Companions (an animal beside a person) may fill the window to its edge.
        fill = _GROUP_FILL if leads[i] else 1.0
        if nhi - nlo <= fill * window and (scores[i] >= 0.1 * scores[best] or not leads[i]):
            lo, hi = nlo, nhi
            kept.add(int(i))
    avoid = []
    for i, s in enumerate(subjects):
        if i in kept or s.avoid == 0:
            continue
        a, b = float(s.box[axis]), float(s.box[axis + 2])
        avoid.append((a, b, -1 if (a + b) / 2 < (lo + hi) / 2 else 1, s.avoid))
    return _Frame(lo, hi, (lo + hi) / 2, avoid)


# A stretch without the shot's subject, at its start or end, longer than this
# is filled with what else is on screen (the subject has not arrived yet, or
# has left); shorter ones are held.
_MAX_EDGE_GAP_SECONDS = 1.5
# Between two sightings the subject is most likely still there (a turned
# head, a missed detection): only a longer gap falls back to other things.
_MAX_GAP_SECONDS = 5.0


def _readings(frames: np.ndarray, samples: list[Detections], subject: str, frame: tuple[int, int], fps: float):
    """Per sample: the candidates to frame and whether they are only salient regions."""
    cands = [_candidates(d, subject, frame) if subject != "none" else [] for d in samples]
    kinds = [subject] * len(samples)
    i = 0
    while i < len(samples):
        if cands[i]:
            i += 1
            continue
        j = i
        while j < len(samples) and not cands[j]:
            j += 1
        last = frames[j] if j < len(samples) else frames[-1] + 1
        edge = i == 0 or j == len(samples)
        if (last - frames[i]) / fps > (_MAX_EDGE_GAP_SECONDS if edge else _MAX_GAP_SECONDS):
            fallback = _choose_subject(samples[i:j], frame)
            for k in range(i, j):
                kinds[k] = fallback
                cands[k] = _candidates(samples[k], fallback, frame) if fallback != "none" else []
        i = j
    return [(int(f), c, k) for f, c, k in zip(frames, cands, kinds) if c]


# -- layouts ------------------------------------------------------------------

# A subject seen on at least this share of a shot's samples persists through
# it (detectors miss a turned head now and then; a passer-by is seen briefly).
_PERSIST = 0.3
# A persistent subject is principal when its typical score is at least this
# share of the strongest one's (a face far in the background is not).
_PRINCIPAL = 0.1
# Share of the group's samples the chosen zoom must fit it in.
_ZOOM_QUANTILE = 80
# A group that fits in the widest window on this share of the samples is
# still followed in one window (a split or fit would show it apart when it
# is together); the follower keeps the others out when it is not.
_TOGETHER = 0.5
# A split panel is this many face heights tall (a close-up with shoulders),
# but at least this share of the picture height (bounded upscaling).
_PANEL_FACES = 4.0
_PANEL_MIN_HEIGHT = 0.5
# Narrowed to keep a close neighbour out, a panel stays this many faces tall.
_PANEL_MIN_FACES = 1.6
# A window widened for a close-up leaves this much room around the face.
_CLOSE_UP_ROOM = 1.04


@dataclass
class _Track:
    """One subject followed from sample to sample: where it was seen and the sample's other candidates."""

    seen: list[tuple[int, _Subject, list[_Subject]]]

    @property
    def centre(self) -> float:
        box = self.seen[-1][1].box
        return float(box[0] + box[2]) / 2

    def edges(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Its left and right edges at ``frames``, interpolated between sightings."""
        at = [f for f, _, _ in self.seen]
        return (np.interp(frames, at, [float(s.box[0]) for _, s, _ in self.seen]),
                np.interp(frames, at, [float(s.box[2]) for _, s, _ in self.seen]))


def _tracks(readings, subject: str, window: float) -> list[_Track]:
    """The shot's leads linked across samples by nearest centre (a sample is a fifth of a second)."""
    tracks: list[_Track] = []
    for f, cands, kind in readings:
        if kind != subject:
            continue
        leads = [c for c in cands if c.lead]
        centres = np.array([float(c.box[0] + c.box[2]) / 2 for c in leads])
        reach = np.array([max(2.0 * float(c.box[2] - c.box[0]), 0.25 * window) for c in leads])
        taken = set()
        for j, i in pair(np.array([t.centre for t in tracks]), centres, reach[None, :]):
            tracks[j].seen.append((f, leads[i], cands))
            taken.add(i)
        tracks += [_Track([(f, c, cands)]) for i, c in enumerate(leads) if i not in taken]
    return tracks


def _principal_tracks(readings, subject: str, window: float) -> list[_Track]:
    """The subjects that persist through the shot and matter, strongest first."""
    samples = sum(k == subject for _, _, k in readings)
    lasting = [t for t in _tracks(readings, subject, window) if len(t.seen) >= _PERSIST * samples]
    if not lasting:
        return []
    strength = [float(np.median([s.score for _, s, _ in t.seen])) for t in lasting]
    order = np.argsort(strength)[::-1]
    return [lasting[i] for i in order if strength[i] >= _PRINCIPAL * max(strength)]


def _by_persistence(readings, subject: str, window: float) -> list:
    """The readings with each lead's score scaled by the share of the shot's samples it is seen on.

    Object detections come and go: the cup being filled all along must
    outrank the larger kettle that passes through for a second.
    """
    samples = sum(k == subject for _, _, k in readings)
    share = {id(s): len(t.seen) / samples for t in _tracks(readings, subject, window) for _, s, _ in t.seen}
    return [
        (f, [replace(c, score=c.score * share[id(c)]) if id(c) in share else c for c in cands], kind)
        for f, cands, kind in readings
    ]


def _panel_readings(track: _Track) -> list:
    """One person's readings for a split panel: the others become leads too weak to be framed
    with this person (see :func:`_group`), so they are kept wholly out of the panel."""
    weak = 1e-3  # far below _group's share for framing a lead together with the principal one
    return [
        (f, [person, *(_Subject(c.box, person.score * weak, avoid=c.avoid) for c in cands if c is not person)],
         "people")
        for f, person, cands in track.seen
    ]


def _room(person: _Subject, others: list[_Subject]) -> float:
    """The widest window centred on ``person`` that leaves every other face wholly out."""
    c = float(person.box[0] + person.box[2]) / 2
    gaps = [
        2 * (float(o.box[0]) - c) if o.box[0] + o.box[2] > 2 * c else 2 * (c - float(o.box[2]))
        for o in others if o.avoid >= 1.0
    ]
    return max(min(gaps, default=np.inf), 0.0)


@dataclass(frozen=True)
class _Layout:
    """How one shot is shown, why, and (when two people could have a panel each) their readings."""

    layout: str
    reason: str
    zoom: float = 1.0
    pair: tuple[list, list] | None = None


def _choose_layout(readings, subject: str, window: float, max_zoom: float, forced: str) -> _Layout:
    """The shot's layout, its zoom and a sentence saying why.

    ``window`` is the full-height window's width and ``max_zoom`` how much
    wider a ``follow`` window may become. ``forced`` is the user's layout,
    or ``auto``.
    """
    framed = subject not in ("salient", "none")
    principal = _principal_tracks(readings, subject, window) if framed else []
    pair = None
    if subject == "people" and len(principal) >= 2:
        two = sorted(principal[:2], key=lambda t: t.centre)  # left person first
        pair = (_panel_readings(two[0]), _panel_readings(two[1]))
    if forced == "fit":
        return _Layout("fit", "fit chosen for every shot", pair=pair)
    who = {"people": "people", "animal": "animals", "object": "objects"}.get(subject, subject)
    if not principal:
        layout = _Layout("follow", "no subject to frame" if not framed else f"no {subject} seen for long: followed")
    elif len(principal) == 1:
        box = np.median([float(s.box[2] - s.box[0]) for _, s, _ in principal[0].seen])
        one, part = ("person", "face") if subject == "people" else (subject, subject)
        if box <= window:
            layout = _Layout("follow", f"one principal {one} followed")
        elif box <= max_zoom * window:
            # A close-up a little wider than the window is kept whole by
            # widening the window, as for a group; a wider one is shown whole.
            zoom = min(max_zoom, float(np.ceil(box * _CLOSE_UP_ROOM / window * 100) / 100))
            why = f"one principal {one} followed, zoomed out {zoom:.2f}x to keep the {part} whole"
            layout = _Layout("follow", why, zoom)
        else:
            layout = _Layout("fit", f"the {part} is wider than the window: the whole picture")
    else:
        frames = np.array([f for f, _, k in readings if k == subject], float)
        edges = [t.edges(frames) for t in principal]
        span = np.max([r for _, r in edges], axis=0) - np.min([lft for lft, _ in edges], axis=0)
        need = span / (_GROUP_FILL * window)  # the zoom each sample needs to hold the whole group
        zoom = min(max_zoom, max(1.0, float(np.ceil(np.percentile(need, _ZOOM_QUANTILE) * 100) / 100)))
        together = float(np.mean(need <= zoom + 1e-9))
        count = len(principal)
        fits = f"the {count} {who} fit in one window" + (f" zoomed out {zoom:.2f}x" if zoom > 1 else "")
        if together >= _ZOOM_QUANTILE / 100:
            layout = _Layout("follow", fits, zoom)
        elif together >= _TOGETHER:
            layout = _Layout("follow", f"{fits} most of the time", zoom)
        elif count == 2 and pair is not None:
            layout = _Layout("split", "two people too far apart for one window: one panel each")
        else:
            layout = _Layout("fit", f"{count} {who} too far apart for one window: the whole picture")
    if forced == "follow" and layout.layout != "follow":
        layout = _Layout("follow", f"follow chosen for every shot ({layout.reason.split(':')[0]})")
    elif forced == "split" and layout.layout != "split":
        if pair is not None:
            layout = _Layout("split", "split chosen for every shot with two people")
        elif layout.layout == "fit":
            layout = _Layout("follow", f"split chosen, but not two people: followed ({layout.reason.split(':')[0]})")
        else:
            layout = _Layout("follow", f"split chosen, but not two people: {layout.reason}", layout.zoom)
    return replace(layout, pair=pair)


# The speaker outranks every other person by this factor: above the 2.5 at
# which _group stops holding on to the person followed so far.
_SPEAKER_LEAD = 3.0


def _follow_speaker(
    readings, frames: np.ndarray, times: np.ndarray, samples: list[Detections], speech: dict[int, float] | None
):
    """The readings with the active speaker (:mod:`reframe.speaker`) ranked first, and a note of why.

    ``frames`` are the shot's sampled frames, ``times`` their times in seconds.
    """
    heard = None if speech is None else np.array([speech.get(int(f), 0.0) for f in frames])
    track: SpeakerTrack = speaker_track(times, samples, heard)
    if not track.found:
        why = "no audio" if speech is None else "no mouth seen moving while speech is heard"
        return readings, f"{why}: the most prominent, most persistent person leads"
    box_at = {int(f): b for f, b in zip(frames, track.boxes) if b is not None}
    out = []
    for f, cands, kind in readings:
        box = box_at.get(f)
        leads = [i for i, c in enumerate(cands) if c.lead]
        if box is not None and leads and kind == "people":
            ious = box_iou(np.array([cands[i].box for i in leads]), box)
            if ious.max() > 0.3:
                i = leads[int(np.argmax(ious))]
                top = max((cands[j].score for j in leads if j != i), default=0.0)
                cands = list(cands)
                cands[i] = replace(cands[i], score=max(cands[i].score, _SPEAKER_LEAD * top))
        out.append((f, cands, kind))
    return out, track.note()


# -- corrections by hand (reframe.overrides) -------------------------------------


def _frame_at(info, time: float) -> int:
    """The frame shown at ``time`` seconds from the first frame."""
    t = info.timestamps - info.timestamps[0]
    return int(np.clip(np.searchsorted(t, time + 1e-4, side="right") - 1, 0, len(t) - 1))


def _pins_in(overrides: Overrides, info, start: int, end: int) -> list[tuple[int, float, float, float]]:
    """The shot's pins as ``(frame, x, y, time)``, in order."""
    pins = [(_frame_at(info, p.time), p.x, p.y, p.time) for p in overrides.pins]
    return sorted(p for p in pins if start <= p[0] < end)


def _pinned(readings, pins, subject: str, window: float, end: int):
    """The readings with, from each pin's frame to the next pin or the shot's end, the track
    nearest the pinned point ranked first, as :func:`_follow_speaker` ranks the speaker."""
    tracks = _tracks(readings, subject, window)
    lead: set[int] = set()  # ids of the pinned tracks' sightings from their pin on
    for k, (frame, x, y, _) in enumerate(pins):
        until = pins[k + 1][0] if k + 1 < len(pins) else end
        there = [t for t in tracks if any(frame <= f < until for f, _, _ in t.seen)]
        if not there:
            continue

        def distance(track: _Track) -> float:
            _, s, _ = min(track.seen, key=lambda seen: abs(seen[0] - frame))  # its sighting nearest the pin
            return float(np.hypot((s.box[0] + s.box[2]) / 2 - x, (s.box[1] + s.box[3]) / 2 - y))

        chosen = min(there, key=distance)
        lead |= {id(s) for f, s, _ in chosen.seen if frame <= f < until}
    out = []
    for f, cands, kind in readings:
        pinned = [i for i, c in enumerate(cands) if id(c) in lead]
        if pinned:
            i = pinned[0]
            top = max((c.score for j, c in enumerate(cands) if c.lead and j != i), default=0.0)
            cands = list(cands)
            cands[i] = replace(cands[i], score=max(cands[i].score, _SPEAKER_LEAD * top))
        out.append((f, cands, kind))
    return out


def _by_hand(layout: _Layout, choice: ShotChoice | None, pins, widest: float) -> _Layout:
    """The planner's layout with the reason (and zoom) of the corrections made to the shot."""
    why = []
    if choice and choice.layout:
        why.append(f"{choice.layout} chosen by hand" + (f" ({layout.reason})" if layout.layout != choice.layout else ""))
    elif not pins:
        why.append(layout.reason)
    zoom = layout.zoom
    if choice and choice.zoom is not None:
        zoom = min(choice.zoom, max(1.0, widest))
        why.append(f"zoom {zoom:.2f}x chosen by hand")
    why += [f"pinned by hand at {t:.1f} s" for _, _, _, t in pins]
    return replace(layout, reason="; ".join(why), zoom=zoom)


def _moved_by_hand(windows: np.ndarray, shots: list[Shot], keys, info) -> tuple[np.ndarray, list[Shot]]:
    """Windows with the hand keyframes' corners: each shot moves by the keyframes' offsets from the
    planned path, interpolated between two of them and held before the first and after the last."""
    windows = windows.copy()
    out = []
    for shot in shots:
        mine = [(f, x, y) for f, x, y in keys if shot.start <= f < shot.end]
        if mine:
            at = np.array([f for f, _, _ in mine], float)
            t = np.arange(shot.start, shot.end)
            part = windows[shot.start : shot.end]
            for axis, extent in ((0, info.width), (1, info.height)):
                moved = np.array([k[axis + 1] - windows[k[0], axis] for k in mine])
                lo, hi = sorted((0.0, extent - float(part[0, axis + 2])))
                part[:, axis] = np.clip(part[:, axis] + np.interp(t, at, moved), lo, hi)
            times = ", ".join(f"{info.timestamps[f] - info.timestamps[0]:.1f} s" for f, _, _ in mine)
            note = f"window moved by hand at {times}"
            shot = replace(shot, reason=f"{shot.reason}; {note}" if shot.reason else note)
        out.append(shot)
    return windows, out


class Planner:
    """The planning stage: an :class:`Analysis` in, a :class:`CropPath` out."""

    def __init__(self, config: PlanConfig = PlanConfig(), weights: PathWeights | None = None):
        self.config = config
        m = MOTIONS[config.motion]
        self.weights = weights or PathWeights(velocity=m.velocity, acceleration=m.acceleration, jerk=m.jerk)

    def run(self, analysis: Analysis, overrides: Overrides | None = None) -> CropPath:
        """The crop path of ``analysis``, with the corrections of ``overrides`` (:mod:`reframe.overrides`) applied."""
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
        for index, (start, end) in enumerate(ranges):
            in_shot = frames[(frames >= start) & (frames < end)]
            times = info.timestamps[np.minimum(in_shot, len(info.timestamps) - 1)]
            size = (info.width, info.height)
            samples = _with_held_faces([analysis.samples[int(f)] for f in in_shot], times, size)
            subject = _choose_subject(samples, size)
            readings = _readings(in_shot, samples, subject, size, fps)
            why = ""
            if subject == "people":
                readings, why = _follow_speaker(readings, in_shot, times, samples, analysis.speech)
            elif subject == "object":
                readings = _by_persistence(readings, subject, w)
            pins = _pins_in(overrides, info, start, end)
            if pins:
                readings = _pinned(readings, pins, subject, w, end)
            choice = overrides.shots.get(index)
            forced = (choice and choice.layout) or ("follow" if pins else self.config.layout)
            layout = _choose_layout(readings, subject, w, max_zoom, forced)
            if choice or pins:
                layout = _by_hand(layout, choice, pins, cw / w)
            zw, zh = w * layout.zoom, h * layout.zoom
            xs, note = self._axis(0, readings, start, end, zw, cx, cw, fps)
            note = "; ".join(n for n in (note, why) if n)
            ys, _ = self._axis(1, readings, start, end, zh, cy, ch, fps)
            windows[start:end] = _place(xs, ys, zw, zh, info.width, info.height)
            if layout.pair is not None:
                panels[start] = np.stack(
                    [self._panel(track, start, end, (cx, cy, cw, ch), info, fps) for track in layout.pair]
                )
            shots.append(
                Shot(start, end, subject, note, motion=self.config.motion, layout=layout.layout, reason=layout.reason)
            )
        if overrides.keyframes:
            windows, shots = _moved_by_hand(windows, shots, overrides.keyframes, info)
        return CropPath(
            SourceRef.from_info(info), self.config.aspect, windows, tuple(shots), dict(analysis.samples),
            content=analysis.content, panels=panels, overrides=overrides,
        )

    def _panel(self, readings, start: int, end: int, content, info, fps: float) -> np.ndarray:
        """One split panel's windows over a shot: sized on its person's face, following it."""
        cx, cy, cw, ch = content
        _, ratio = panel_layout(self.config.aspect)
        face = float(np.median([c[0].box[3] - c[0].box[1] for _, c, _ in readings]))
        pw = min(cw, ch * float(ratio), max(_PANEL_FACES * face, _PANEL_MIN_HEIGHT * ch) * float(ratio))
        # Narrow enough to leave a close neighbour's face wholly out (down to a tight close-up).
        room = [_room(c[0], c[1:]) for _, c, _ in readings]
        pw = max(min(pw, float(np.percentile(room, 20))), _PANEL_MIN_FACES * face * float(ratio))
        ph = pw / float(ratio)
        xs, _ = self._axis(0, readings, start, end, pw, cx, cw, fps)
        ys, _ = self._axis(1, readings, start, end, ph, cy, ch, fps)
        return _place(xs, ys, pw, ph, info.width, info.height)

    def _axis(self, axis: int, readings, start: int, end: int, size: float, origin: float, extent: float, fps: float):
        """The window centre along one axis for every frame of a shot, and a note of why.

        The window moves within ``[origin, origin + extent]`` (the picture
        inside any bars); positions in and out are in source pixels.
        """
        n = end - start
        if extent - size < 0.5:
            return np.full(n, origin + extent / 2.0), ""
        groups: list[tuple[int, _Frame, str]] = []
        previous = None
        for f, cands, kind in readings:
            g = _group(cands, axis, size, previous)
            groups.append((f - start, g, kind))
            previous = g.target
        if not groups:
            return np.full(n, origin + extent / 2.0), "nothing to follow: centred"
        t = np.arange(n)
        at = np.array([f for f, _, _ in groups], float)
        lo = np.interp(t, at, [g.lo for _, g, _ in groups]) - origin
        hi = np.interp(t, at, [g.hi for _, g, _ in groups]) - origin
        target = np.interp(t, at, [g.target for _, g, _ in groups]) - origin
        people = np.interp(t, at, [k == "people" for _, _, k in groups]) > 0.5
        if axis == 1:
            # Heads sit in the upper part of a frame, not at its centre.
            target = target + np.where(people, size * 0.15, 0.0)
        # Salient regions are a guess: they steer the camera only gently.
        salient = np.interp(t, at, [k == "salient" for _, _, k in groups]) > 0.5
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
            avoid=avoid, must_weight=must, weights=self.weights,
        ) + origin
        kinds = sorted({k for _, _, k in groups})
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
    """Plan the crop path for an analysed video, with any corrections by hand (:mod:`reframe.overrides`).

    >>> # plan(analyze("in.mp4"), PlanConfig(aspect="9:16")).save("in.path.json")
    """
    return Planner(config).run(analysis, overrides)
