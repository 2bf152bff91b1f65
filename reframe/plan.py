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

from .analysis import Analysis
from .config import MOTIONS, PlanConfig
from .croppath import CropPath, Shot, SourceRef, panel_layout, window_size
from .detect.faces import box_iou
from .detections import Detections, Kind, pair
from .overrides import Overrides, ShotChoice
from .pathsolver import Avoid, PathWeights, solve_path
from .shots import shot_ranges
from .speaker import SpeakerTrack, speaker_track
from .transitions import shot_note, still_frames
from .subtitle_place import MovedBand, place_for, rows_clear_of, shot_band, widest

# A group of subjects is framed together only if it fits in this share of
# the window: the rest is margin, so a head never touches the edge.
_GROUP_FILL = 0.9
# A subject kind frames a shot when it is seen on this share of its samples.
_PRESENCE = 0.2
# The core of a subject too wide for the window, as a share of its box: a
# face box's eyes, nose and mouth.
_CORE = 0.6
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
    body: bool = False  # a whole person's box: kept out of a split panel across, not above or below
    steer: bool = True  # False: kept in the window when it fits, but never moves the camera (text)


# A face detector's box holds the face (brows to chin, cheek to cheek); the
# head around it, hair and ears, is what must not be cut: this much wider on
# each side, and this much taller above, as shares of the face box.
_HEAD_SIDES = 0.25
_HEAD_TOP = 0.35


def _head_of(face: np.ndarray) -> np.ndarray:
    """The head around a face box (x1, y1, x2, y2)."""
    w, h = face[2] - face[0], face[3] - face[1]
    return np.array([face[0] - _HEAD_SIDES * w, face[1] - _HEAD_TOP * h, face[2] + _HEAD_SIDES * w, face[3]], np.float32)


def _heads(dets: Detections, frame: tuple[int, int]) -> list[_Subject]:
    """People on a frame as head boxes: faces, plus persons whose face was not found."""
    faces = dets[dets.kind == Kind.FACE]
    persons = dets[dets.kind == Kind.PERSON]
    out = [_Subject(_head_of(b), float(a * c * 2.0)) for b, a, c in zip(faces.xyxy, faces.area, faces.confidence)]
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


# A face seen, missed, and seen again near the same place within this long
# was there all along (a turned head, motion blur, a hand in front).
_BRIDGE_SECONDS = 1.5


def _with_bridged_faces(samples: list[Detections], times: np.ndarray) -> list[Detections]:
    """A shot's samples with each face that the detector missed between two sightings
    filled in, moved linearly from the first sighting to the next.

    A face counts as seen again when a face of similar size is found within
    half its width of where it was, no more than :data:`_BRIDGE_SECONDS`
    later; the samples between get the interpolated box.
    """
    faces = [d.xyxy[d.kind == Kind.FACE] for d in samples]
    added: list[list[np.ndarray]] = [[] for _ in samples]
    for i, boxes in enumerate(faces):
        for box in boxes:
            if i + 1 >= len(samples) or _near(faces[i + 1], box).any():
                continue  # found on the next sample, or the shot ends
            for j in range(i + 2, len(samples)):
                if times[j] - times[i] > _BRIDGE_SECONDS:
                    break
                again = faces[j][_near(faces[j], box)]
                if len(again):
                    for k in range(i + 1, j):
                        t = (times[k] - times[i]) / (times[j] - times[i])
                        added[k].append((1 - t) * box + t * again[0])
                    break
    out = []
    for d, extra in zip(samples, added):
        if extra:
            d = Detections.concat([d, Detections(np.array(extra), np.full(len(extra), 0.5), np.full(len(extra), Kind.FACE))])
        out.append(d)
    return out


def _near(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Which of ``boxes`` (x1, y1, x2, y2) are the face ``box`` seen again: about as large, about as placed."""
    if not len(boxes):
        return np.zeros(0, bool)
    width = float(box[2] - box[0])
    ratio = (boxes[:, 2] - boxes[:, 0]) / max(width, 1e-6)
    shift = np.hypot((boxes[:, 0] + boxes[:, 2] - box[0] - box[2]) / 2, (boxes[:, 1] + boxes[:, 3] - box[1] - box[3]) / 2)
    return (shift <= 0.5 * width) & (ratio > 0.6) & (ratio < 1.6)


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
    "text": lambda d, f: _of_kind(d, Kind.TEXT),
}
# What else is framed with (or kept cleanly out of) a shot's subject.
_COMPANIONS = {"people": "animal", "animal": "people"}
# Slicing an animal or object at the window edge matters less than a face.
_COMPANION_AVOID = 0.3


def _candidates(dets: Detections, subject: str, frame: tuple[int, int]) -> list[_Subject]:
    """The shot's subjects on one sample, leads first, then companions."""
    leads = _SUBJECTS[subject](dets, frame)
    other = _COMPANIONS.get(subject)
    if not leads:
        return leads
    extra = [] if other is None else [
        _Subject(c.box, c.score, lead=False, avoid=_COMPANION_AVOID) for c in _SUBJECTS[other](dets, frame)
    ]
    return leads + extra + _text_companions(dets, subject)


def _choose_subject(samples: list[Detections], frame: tuple[int, int]) -> str:
    """What these samples are about: the first kind seen often enough, by priority."""
    if not samples:
        return "none"
    for name in ("people", "animal"):
        if np.mean([bool(_SUBJECTS[name](d, frame)) for d in samples]) >= _PRESENCE:
            return name
    # Objects such as cups or cars lead only when they are, most of the time,
    # where the picture is salient or moving; otherwise salient motion leads.
    if _about_text(samples, frame):
        return "text"
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
    if hi - lo > window:
        # A close-up wider than the window: frame its core (for a face the eyes,
        # nose and mouth), not the whole box, which no window can hold.
        half = min((hi - lo) * _CORE / 2, _GROUP_FILL * window / 2)
        lo, hi = (lo + hi) / 2 - half, (lo + hi) / 2 + half
    steer = [lo, hi]  # the part of the group the camera centres on
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
    return _Frame(lo, hi, (steer[0] + steer[1]) / 2, avoid)


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


def _zoom_for(need) -> float:
    """The zoom of a shot whose samples each need the zoom ``need``: enough
    for most of them (a stray sample does not widen the whole shot), in
    hundredths, never below 1."""
    return max(1.0, float(np.ceil(np.percentile(need, _ZOOM_QUANTILE) * 100) / 100)) if len(need) else 1.0
# A group that fits in the widest window on this share of the samples is
# still followed in one window (a split or fit would show it apart when it
# is together); the follower keeps the others out when it is not.
_TOGETHER = 0.5
# Narrowed to keep a close neighbour out, a panel stays this many faces tall.
_PANEL_MIN_FACES = 1.6
# A window widened for an animal or object close-up leaves this much room around it.
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


def _panel_readings(track: _Track, bodies: dict[int, np.ndarray] | None = None) -> list:
    """One person's readings for a split panel: the others become leads too weak to be framed
    with this person (see :func:`_group`), so they are kept wholly out of the panel.

    ``bodies`` (person boxes per sampled frame) adds everyone else's body to
    what the panel keeps out: a panel shows no part of another person.
    """
    weak = 1e-3  # far below _group's share for framing a lead together with the principal one
    out = []
    for f, person, cands in track.seen:
        others = [_Subject(c.box, person.score * weak, avoid=c.avoid) for c in cands if c is not person]
        boxes = np.zeros((0, 4)) if bodies is None else bodies.get(f, np.zeros((0, 4)))
        if len(boxes):
            # This person's own body: the smallest that holds the head.
            holds = np.array([_inside(_centre(person.box)[None], b)[0] for b in boxes])
            area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
            own = int(np.argmin(np.where(holds, area, np.inf))) if holds.any() else -1
            others += [_Subject(b, person.score * weak, body=True) for i, b in enumerate(boxes) if i != own]
        out.append((f, [person, *others], "people"))
    return out


def _centre(box: np.ndarray) -> np.ndarray:
    return np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])


def _room(person: _Subject, others: list[_Subject], left: float, right: float) -> float:
    """The width free around ``person`` between ``left`` and ``right`` once every other
    face or body to keep out is wholly out; 0 when one of them overlaps the person."""
    c = float(person.box[0] + person.box[2]) / 2
    for o in others:
        if o.avoid < 1.0:
            continue
        if float(o.box[0] + o.box[2]) / 2 < c:
            left = max(left, float(o.box[2]))
        else:
            right = min(right, float(o.box[0]))
    if left > float(person.box[0]) or right < float(person.box[2]):
        return 0.0  # someone stands in front of or behind this person: no panel can leave them out
    return right - left


def _panel_width(readings, ratio: float, content: tuple[float, float, float, float]) -> tuple[float, bool]:
    """A split panel's width for one person's readings (:func:`_panel_readings`), and whether a
    panel can show that person's head and shoulders and no part of anyone else.

    A panel shows its person as large as the full-height window would (a
    stacked panel is half the output, so half the picture's height), and
    is narrowed to the room between the others, so larger still, but never
    below :data:`_PANEL_MIN_FACES` face heights tall.
    """
    cx, _, cw, ch = content
    face = float(np.median([c[0].box[3] - c[0].box[1] for _, c, _ in readings]))
    stacked = ratio > 1  # panels stacked in a portrait output are wider than tall
    pw = min(cw, (ch / 2 if stacked else ch) * ratio)
    room = float(np.percentile([_room(c[0], c[1:], cx, cx + cw) for _, c, _ in readings], 20))
    least = _PANEL_MIN_FACES * face * ratio
    return max(min(pw, room), least), room >= least


@dataclass(frozen=True)
class _Layout:
    """How one shot is shown, why, and (when two people could have a panel each) their readings."""

    layout: str
    reason: str
    zoom: float = 1.0
    pair: tuple[list, list] | None = None


def _choose_layout(
    readings,
    subject: str,
    window: float,
    max_zoom: float,
    forced: str,
    *,
    speaker: bool = False,
    bodies: dict[int, np.ndarray] | None = None,
    panel: tuple[float, tuple[float, float, float, float]] | None = None,
) -> _Layout:
    """The shot's layout, its zoom and a sentence saying why, as an editor would choose it.

    ``window`` is the full-height window's width and ``max_zoom`` how much
    wider a ``follow`` window may become. ``forced`` is the user's layout,
    or ``auto``. ``speaker`` says whether the active speaker was found,
    ``bodies`` gives the person boxes per sampled frame and ``panel`` the
    split panels' aspect and the content box, to tell whether a split can
    show each person alone.

    A single principal face is never shown smaller than the full-height
    window shows it: a close-up wider than the window is followed tight on
    its eyes, nose and mouth (see :func:`_group`). Two people get, in this
    order, one window holding both (zoomed out within ``max_zoom``), the
    window following whoever speaks, or a panel each when each panel can
    show its person and no part of the other.
    """
    framed = subject not in ("salient", "none")
    principal = _principal_tracks(readings, subject, window) if framed else []
    pair, splits = None, False
    if subject == "people" and len(principal) >= 2:
        two = sorted(principal[:2], key=lambda t: t.centre)  # left person first
        pair = (_panel_readings(two[0], bodies), _panel_readings(two[1], bodies))
        splits = panel is None or all(_panel_width(r, *panel)[1] for r in pair)
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
        elif subject == "people":
            # An editor crops a close-up tight (hair, ears may go) and never shrinks it.
            layout = _Layout("follow", "a close-up wider than the window: followed tight on the eyes, nose and mouth")
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
        zoom = min(max_zoom, _zoom_for(need))
        together = float(np.mean(need <= zoom + 1e-9))
        count = len(principal)
        fits = f"the {count} {who} fit in one window" + (f" zoomed out {zoom:.2f}x" if zoom > 1 else "")
        if together >= _ZOOM_QUANTILE / 100:
            layout = _Layout("follow", fits, zoom)
        elif together >= _TOGETHER:
            layout = _Layout("follow", f"{fits} most of the time", zoom)
        elif count == 2 and speaker:
            layout = _Layout("follow", "two people too far apart for one window: the speaker followed")
        elif count == 2 and pair is not None and splits:
            layout = _Layout("split", "two people too far apart for one window: one panel each")
        elif count == 2:
            layout = _Layout(
                "follow", "two people too far apart for one window and too close for a panel each: "
                "the more prominent followed, the other left out",
            )
        else:
            layout = _Layout("fit", f"{count} {who} too far apart for one window: the whole picture")
    if forced == "follow" and layout.layout != "follow":
        layout = _Layout("follow", f"follow chosen for every shot ({layout.reason.split(':')[0]})")
    elif forced == "split" and layout.layout != "split":
        if pair is not None:  # what the user asks, even where a panel cannot leave the other out
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
    """The readings with the active speaker (:mod:`reframe.speaker`) ranked first, a note of why,
    and whether a speaker was found.

    ``frames`` are the shot's sampled frames, ``times`` their times in seconds.
    """
    heard = None if speech is None else np.array([speech.get(int(f), 0.0) for f in frames])
    track: SpeakerTrack = speaker_track(times, samples, heard)
    if not track.found:
        why = "no audio" if speech is None else "no mouth seen moving while speech is heard"
        return readings, f"{why}: the most prominent, most persistent person leads", False
    box_at = {int(f): b for f, b in zip(frames, track.boxes) if b is not None}
    first = next(b for b in track.boxes if b is not None)
    for f in frames:  # before anyone speaks, the camera is already on whoever speaks first
        if int(f) in box_at:
            break
        box_at[int(f)] = first
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
    return out, track.note(), True


def _speaker_cuts(readings, window: float) -> list[int]:
    """Frames where the followed speaker changes to someone more than a window away.

    An editor cuts between two people who cannot share a frame; a camera
    panning from one to the other shows empty space and slices them on the
    way. The shot's path is solved apart on either side of these frames.
    """
    cuts, previous = [], None
    for f, cands, kind in readings:
        leads = [c for c in cands if c.lead]
        if kind != "people" or not leads:
            continue
        top = max(leads, key=lambda c: c.score)
        centre = float(top.box[0] + top.box[2]) / 2
        if previous is not None and abs(centre - previous) > window:
            cuts.append(int(f))
        previous = centre
    return cuts


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
        self._transitions: tuple = ()  # of the analysis being planned: the window holds still through them

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
        self._transitions = analysis.transitions
        # Zooming out widens the window up to the whole picture width, no further.
        max_zoom = max(1.0, min(self.config.zoom_max, cw / w))
        overlays = _overlays(analysis)
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
            samples = _with_held_faces(_with_bridged_faces(samples, times), times, size)
            samples = _with_framing_text(samples, in_shot, analysis.subtitles, size, overlays)
            subject = _choose_subject(samples, size)
            readings = _readings(in_shot, samples, subject, size, fps)
            why, speaker = "", False
            if subject == "people":
                readings, why, speaker = _follow_speaker(readings, in_shot, times, samples, analysis.speech)
            elif subject == "object":
                readings = _by_persistence(readings, subject, w)
            pins = _pins_in(overrides, info, start, end)
            if pins:
                readings = _pinned(readings, pins, subject, w, end)
            choice = overrides.shots.get(index)
            forced = (choice and choice.layout) or ("follow" if pins else self.config.layout)
            if subject == "text":
                layout, readings = _text_layout(readings, w, max_zoom, forced)
            else:
                bodies = {int(f): d.xyxy[d.kind == Kind.PERSON] for f, d in zip(in_shot, samples)}
                _, ratio = panel_layout(self.config.aspect)
                layout = _choose_layout(
                    readings, subject, w, max_zoom, forced,
                    speaker=speaker, bodies=bodies, panel=(float(ratio), (cx, cy, cw, ch)),
                )
            if choice or pins:
                layout = _by_hand(layout, choice, pins, cw / w)
            why = "; ".join(n for n in (why, shot_note(analysis.transitions, start, end)) if n)
            subs = _subtitle_rule(self.config, analysis, start, end, layout, w, max_zoom, text_width)
            layout = subs.layout
            zw, zh = w * layout.zoom, h * layout.zoom
            bounds = [start, *(_speaker_cuts(readings, zw) if speaker else ()), end]
            parts = [self._axis(0, [r for r in readings if a <= r[0] < b], a, b, zw, cx, cw, fps)
                     for a, b in zip(bounds, bounds[1:])]
            xs, note = np.concatenate([x for x, _ in parts]), parts[0][1]
            if len(parts) > 1:
                note += f"; {len(parts) - 1} cut{'s' * (len(parts) > 2)} to the next speaker instead of a pan"
            note = "; ".join(n for n in (note, why) if n)
            ry, rh = subs.rows if zh <= subs.rows[1] + 0.5 else (cy, ch)
            ys, _ = self._axis(1, readings, start, end, zh, ry, rh, fps)
            if subs.keep is not None:
                xs, ys = _holding(xs, ys, subs.keep, zw, zh)
            windows[start:end] = _place(xs, ys, zw, zh, info.width, info.height)
            if layout.pair is not None:
                panels[start] = np.stack(
                    [self._panel(track, start, end, (cx, subs.rows[0], cw, subs.rows[1]), info, fps)
                     for track in layout.pair]
                )
            shots.append(
                Shot(start, end, subject, note, motion=self.config.motion, layout=layout.layout, reason=layout.reason,
                     subtitles=subs.moved)
            )
        if overrides.keyframes:
            windows, shots = _moved_by_hand(windows, shots, overrides.keyframes, info)
        return CropPath(
            SourceRef.from_info(info), self.config.aspect, windows, tuple(shots), dict(analysis.samples),
            content=analysis.content, panels=panels, overrides=overrides,
        )

    def _panel(self, readings, start: int, end: int, content, info, fps: float) -> np.ndarray:
        """One split panel's windows over a shot: sized on its person's face, following it,
        everyone else's face and body kept out across (see :func:`_panel_width`)."""
        cx, cy, cw, ch = content
        _, ratio = panel_layout(self.config.aspect)
        pw, _ = _panel_width(readings, float(ratio), content)
        ph = pw / float(ratio)
        xs, _ = self._axis(0, readings, start, end, pw, cx, cw, fps)
        heads_only = [(f, [c for c in cands if not c.body], kind) for f, cands, kind in readings]
        ys, _ = self._axis(1, heads_only, start, end, ph, cy, ch, fps)
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
            avoid=avoid, must_weight=must, weights=self.weights, still=still_frames(self._transitions, start, end),
        ) + origin
        kinds = sorted({k for _, _, k in groups})
        note = f"{' and '.join(kinds)} followed on {len(groups)} samples"
        kept = max(len(g.avoid) for _, g, _ in groups)
        if kept:
            note += f"; up to {kept} other {'subject' if kept == 1 else 'subjects'} kept wholly out of frame"
        return path, note


# -- on-screen text -----------------------------------------------------------

# Text lines this close (in line heights) belong to one block: words of a
# line, lines of a title.
_TEXT_GAP = 1.0
# Text lines less tall than this share of the picture height (a watermark, a
# logo, a copyright line) do not shape framing.
_TEXT_MIN_HEIGHT = 0.05
# A block this wide (share of the picture width) or tall (of its height) is
# a title or a sign: with no people or animal, the shot is about it when it
# is on screen on this share of the shot's samples.
_TITLE_WIDTH = 0.3
_TITLE_HEIGHT = 0.1
_TITLE_PRESENCE = 0.5
# Cost of cutting a text block, against 1 for a face: text gives way to people.
_TEXT_AVOID = 0.5
# Room kept beside a text block, in its heights: the detector's box edges
# are those of a coarse map, and a title touching the frame edge looks cut.
_TEXT_ROOM = 0.2
# Text whose centre lies in this share of the picture height at its top or
# bottom, at the same place in several shots, is an overlay of the whole
# video (a copyright line, a channel's name), not a shot's subject; so is
# text there within this share of the width from a side edge, outside where
# titles are set: a logo in a corner.
_OVERLAY_BAND = 0.2
_CORNER = 0.03
_SAME_PLACE = 0.5  # share of the smaller of two sightings of one overlay inside the other


def _overlays(analysis: Analysis) -> np.ndarray:
    """Text lines (``(n, 4)`` boxes) near the top or bottom edge seen at the same place in several shots."""
    cuts = np.array(analysis.cuts, np.int64)
    height = analysis.info.height
    boxes, shots = [], []
    for f, d in analysis.samples.items():
        t = d.xyxy[d.kind == Kind.TEXT]
        cy = (t[:, 1] + t[:, 3]) / 2
        t = t[(cy < _OVERLAY_BAND * height) | (cy > (1 - _OVERLAY_BAND) * height)]
        boxes += list(t)
        shots += [int(np.searchsorted(cuts, f, side="right"))] * len(t)
    if not boxes:
        return np.zeros((0, 4))
    # Text is carried between the passes that found it: each sighting once per shot.
    seen = np.unique(np.column_stack([shots, np.round(np.array(boxes) / 4)]), axis=0)
    boxes, shots = seen[:, 1:] * 4, seen[:, 0]
    elsewhere = [np.any((_shared(boxes, b) >= _SAME_PLACE) & (shots != s)) for b, s in zip(boxes, shots)]
    return boxes[np.array(elsewhere)]


def _shared(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The share of the smaller of each of ``boxes`` and ``box`` (xyxy) that lies inside the other:
    the detector splits and joins the words of a line differently from frame to frame."""
    ix = np.clip(np.minimum(boxes[:, 2], box[2]) - np.maximum(boxes[:, 0], box[0]), 0, None)
    iy = np.clip(np.minimum(boxes[:, 3], box[3]) - np.maximum(boxes[:, 1], box[1]), 0, None)
    area = np.minimum((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]), (box[2] - box[0]) * (box[3] - box[1]))
    return ix * iy / np.maximum(area, 1e-6)


def _with_framing_text(
    samples: list[Detections], frames: np.ndarray, subtitles, frame: tuple[int, int], overlays=np.zeros((0, 4))
) -> list[Detections]:
    """A shot's samples with their text lines made blocks, leaving out the
    text that does not shape framing: lines in a burned-in subtitle band
    (shown apart), ``overlays`` (see :func:`_overlays`), logos in a corner
    and small text."""
    out = []
    for f, d in zip(frames, samples):
        is_text = d.kind == Kind.TEXT
        if not is_text.any():
            out.append(d)
            continue
        lines = d[is_text]
        x1, y1, x2, y2 = lines.xyxy.T
        keep = y2 - y1 >= _TEXT_MIN_HEIGHT * frame[1]
        edge = (y1 + y2 < 2 * _OVERLAY_BAND * frame[1]) | (y1 + y2 > 2 * (1 - _OVERLAY_BAND) * frame[1])
        keep &= ~(edge & ((x1 < _CORNER * frame[0]) | (x2 > (1 - _CORNER) * frame[0])))
        for band in subtitles:
            if band.start <= f < band.end:
                x, y, w, h = band.box
                c = lines.center
                keep &= ~((c[:, 0] >= x) & (c[:, 0] <= x + w) & (c[:, 1] >= y) & (c[:, 1] <= y + h))
        for box in overlays:
            keep &= _shared(lines.xyxy, box) < _SAME_PLACE
        blocks = _text_blocks(lines[keep])
        room = _TEXT_ROOM * (blocks.xyxy[:, 3] - blocks.xyxy[:, 1])
        grown = blocks.xyxy + np.stack([-room, 0 * room, room, 0 * room], axis=1)
        blocks = Detections(np.clip(grown, 0, [frame[0], frame[1]] * 2), blocks.confidence, blocks.kind)
        out.append(Detections.concat([d[~is_text], blocks]))
    return out


def _text_blocks(lines: Detections) -> Detections:
    """Text lines merged into blocks: the words of a line, the lines of a title.

    >>> lines = Detections(np.array([[0, 0, 40, 10], [48, 1, 90, 11], [5, 14, 80, 24], [300, 0, 340, 10]],
    ...                    np.float32), np.full(4, 0.9, np.float32), np.full(4, Kind.TEXT, np.int8))
    >>> _text_blocks(lines).xyxy.tolist()
    [[0.0, 0.0, 90.0, 24.0], [300.0, 0.0, 340.0, 10.0]]
    """
    n = len(lines)
    if n < 2:
        return lines
    group = list(range(n))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    b = lines.xyxy
    h = b[:, 3] - b[:, 1]
    for i in range(n):
        for j in range(i + 1, n):
            reach = _TEXT_GAP * min(h[i], h[j])
            gap_x = max(b[i, 0], b[j, 0]) - min(b[i, 2], b[j, 2])
            gap_y = max(b[i, 1], b[j, 1]) - min(b[i, 3], b[j, 3])
            if gap_x <= reach and gap_y <= reach:
                group[root(j)] = root(i)
    roots = np.array([root(i) for i in range(n)])
    ids = sorted(set(roots.tolist()))
    xyxy = np.array([[*b[roots == r, :2].min(axis=0), *b[roots == r, 2:].max(axis=0)] for r in ids], np.float32)
    conf = np.array([lines.confidence[roots == r].max() for r in ids], np.float32)
    return Detections(xyxy, conf, np.full(len(ids), Kind.TEXT, np.int8))


def _titles(dets: Detections, frame: tuple[int, int]) -> np.ndarray:
    """Which text blocks of a sample are large enough to be what a shot is about."""
    text = dets[dets.kind == Kind.TEXT]
    w, h = text.xyxy[:, 2] - text.xyxy[:, 0], text.xyxy[:, 3] - text.xyxy[:, 1]
    return (w >= _TITLE_WIDTH * frame[0]) | (h >= _TITLE_HEIGHT * frame[1])


def _about_text(samples: list[Detections], frame: tuple[int, int]) -> bool:
    """Whether a title or sign is on screen on most of these samples."""
    return bool(np.mean([bool(_titles(d, frame).any()) for d in samples]) >= _TITLE_PRESENCE)


def _text_companions(dets: Detections, subject: str) -> list[_Subject]:
    """Text blocks beside another subject: framed with it when they fit in the
    window, else kept wholly out (at a lower cost than a face); never followed."""
    if subject == "text":
        return []
    text = dets[dets.kind == Kind.TEXT]
    return [_Subject(b, 0.0, lead=False, avoid=_TEXT_AVOID, steer=False) for b in text.xyxy]


def _text_layout(readings, window: float, max_zoom: float, forced: str) -> tuple[_Layout, list]:
    """The layout of a shot about on-screen text, and the readings it is
    planned on: every block whole, in a window zoomed out within
    ``max_zoom`` if need be, or the whole picture. The room beside a block
    is kept when that zoom allows it, and given up before the block is."""
    zoom = _zoom_for(_text_need(readings, window))
    tight = ""
    if zoom > max_zoom:
        bare = _without_room(readings)
        if _zoom_for(_text_need(bare, window)) <= max_zoom:
            readings, zoom, tight = bare, _zoom_for(_text_need(bare, window)), ", without room beside it"
    if forced == "fit":
        return _Layout("fit", "fit chosen for every shot"), readings
    if zoom <= 1.0:
        layout = _Layout("follow", "on-screen text framed whole")
    elif zoom <= max_zoom:
        why = f"a title a little wider than the window: zoomed out {zoom:.2f}x to keep it whole{tight}"
        layout = _Layout("follow", why, zoom)
    else:
        layout = _Layout("fit", "a title wider than the window: the whole picture")
    if forced in ("follow", "split") and layout.layout == "fit":
        chosen = "follow chosen for every shot" if forced == "follow" else "split chosen, but not two people: followed"
        layout = _Layout("follow", f"{chosen} (a title wider than the window)")
    return layout, readings


def _text_need(readings, window: float) -> list[float]:
    """The zoom each sample of a text shot needs: a block alone (its box
    has room around it already), several as _group frames them together."""
    need = []
    for _, cands, kind in readings:
        blocks = np.array([c.box for c in cands if c.lead and kind == "text"]).reshape(-1, 4)
        if len(blocks):
            span = float(blocks[:, 2].max() - blocks[:, 0].min())
            need.append(span / window if len(blocks) == 1 else span / (_GROUP_FILL * window))
    return need


def _without_room(readings) -> list:
    """Text readings with their blocks back to the detector's boxes, without
    the room :func:`_with_framing_text` gave them."""
    def bare(c: _Subject) -> _Subject:
        room = _TEXT_ROOM * (c.box[3] - c.box[1])
        return replace(c, box=c.box + np.array([room, 0, -room, 0], c.box.dtype))

    return [(f, [bare(c) if c.lead and kind == "text" else c for c in cands], kind) for f, cands, kind in readings]


# -- burned-in subtitles --------------------------------------------------------


@dataclass(frozen=True)
class _SubtitleRule:
    """What a shot's subtitle band asks of its plan: the layout, the rows
    ``(y, h)`` windows and panels move in, the band moved to its own place
    (``move``) or the box every window must hold (``keep``)."""

    layout: _Layout
    rows: tuple[float, float]
    moved: MovedBand | None = None
    keep: tuple[float, float, float, float] | None = None


def _subtitle_rule(config: PlanConfig, analysis: Analysis, start: int, end: int, layout: _Layout,
                   window: float, max_zoom: float, text_width: float) -> _SubtitleRule:
    """The shot's :class:`_SubtitleRule` under ``config.subtitles`` (see :mod:`reframe.subtitle_place`).

    ``move``: the picture need not show the band rows, so windows and
    panels short enough move in the rows clear of it (the renderer covers
    them where a window still shows them). ``keep``: the band must stay
    whole in the picture: a window widened within ``max_zoom`` to hold it,
    otherwise the whole picture.
    """
    content = analysis.content_box
    band = None
    if config.subtitles != "crop":
        info = analysis.info
        band = shot_band(analysis.subtitles, start, end, (0, 0, info.width, info.height), float(info.fps))
    if band is None:
        return _SubtitleRule(layout, (content[1], content[3]))
    if config.subtitles == "keep":
        need = float(np.ceil(band[2] / window * 100) / 100)  # the zoom whose window holds the band's width
        if layout.layout == "follow" and need > layout.zoom:
            if need <= max_zoom:
                why = f"{layout.reason}; zoomed out {need:.2f}x to keep the subtitles whole"
                layout = replace(layout, zoom=need, reason=why)
            else:
                why = "subtitles wider than any window: the whole picture"
                layout = replace(layout, layout="fit", zoom=1.0, reason=why)
        elif layout.layout == "split":
            layout = replace(layout, layout="fit", zoom=1.0, reason="subtitles kept whole: the whole picture")
        return _SubtitleRule(layout, (content[1], content[3]), keep=band)
    place = place_for(band, text_width, window, float(config.aspect.ratio))
    return _SubtitleRule(layout, rows_clear_of(band, content[1], content[3]), moved=MovedBand(band, place))


def _holding(xs: np.ndarray, ys: np.ndarray, box, w: float, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Window centres moved the least so that each ``w`` x ``h`` window holds ``box`` whole."""
    bx, by, bw, bh = box
    if w >= bw:
        xs = np.clip(xs, bx + bw - w / 2, bx + w / 2)
    if h >= bh:
        ys = np.clip(ys, by + bh - h / 2, by + h / 2)
    return xs, ys


def _place(xs: np.ndarray, ys: np.ndarray, w: float, h: float, width: int, height: int) -> np.ndarray:
    """Windows ``[x, y, w, h]`` from centres; a window larger than the source on an axis holds all of it."""
    def corner(c: np.ndarray, size: float, extent: int) -> np.ndarray:
        lo, hi = sorted((0.0, extent - size))
        return np.clip(c - size / 2, lo, hi)

    return np.stack([corner(xs, w, width), corner(ys, h, height), np.full(len(xs), w), np.full(len(xs), h)], axis=1)


def plan(analysis: Analysis, config: PlanConfig = PlanConfig(), overrides: Overrides | None = None) -> CropPath:
    """Deprecated: :func:`reframe.plan`."""
    from .pipeline import deprecated

    deprecated("reframe.plan.plan", "reframe.plan")
    return Planner(config).run(analysis, overrides)
