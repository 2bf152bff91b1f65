"""A shot's subjects: what the camera frames on each sample, and what else it keeps in or out.

People are heads (faces, or the head of a body whose face was not found),
held through a turned head and bridged over a missed detection; then
animals, objects (ranked up where the picture moves), titles, and salient
motion. :func:`choose_subject` says what a shot is about, :func:`read_shot`
gives each sample's candidates for the camera.
"""

from __future__ import annotations

import numpy as np

from ..detections import Detections, Kind
from ..geometry import iou, points_in
from .readings import Reading, Subject, SubjectKind
from .text import about_text, text_companions

# A subject kind frames a shot when it is seen on this share of its samples.
_PRESENCE = 0.2


# A face detector's box holds the face (brows to chin, cheek to cheek); the
# head around it, hair and ears, is what must not be cut: this much wider on
# each side, and this much taller above, as shares of the face box.
_HEAD_SIDES = 0.25
_HEAD_TOP = 0.35


def _head_of(face: np.ndarray) -> np.ndarray:
    """The head around a face box (x1, y1, x2, y2)."""
    w, h = face[2] - face[0], face[3] - face[1]
    return np.array([face[0] - _HEAD_SIDES * w, face[1] - _HEAD_TOP * h, face[2] + _HEAD_SIDES * w, face[3]], np.float32)


def _heads(dets: Detections, frame: tuple[int, int]) -> list[Subject]:
    """People on a frame as head boxes: faces, plus persons whose face was not found."""
    faces = dets[dets.kind == Kind.FACE]
    persons = dets[dets.kind == Kind.PERSON]
    out = [Subject(_head_of(b), float(a * c * 2.0)) for b, a, c in zip(faces.xyxy, faces.area, faces.confidence)]
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
        out.append(Subject(head, float(hw * hw * c)))
    return out


# A face the model loses while its body is still found (a head turning
# away, glare on glasses) is held this long, moved with the body.
_HOLD_SECONDS = 1.0
# A body box this close to the frame edge (share of the side) is cut by it.
_CUT_BODY = 0.02


def with_held_faces(samples: list[Detections], times: np.ndarray, frame: tuple[int, int]) -> list[Detections]:
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


def with_bridged_faces(samples: list[Detections], times: np.ndarray) -> list[Detections]:
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
    """The faces of ``prev`` lost on ``now`` but held by their bodies (see :func:`with_held_faces`)."""
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
        if len(faces_now) and np.any(points_in(faces_now, box)):
            continue  # found again
        around = bodies_then[[bool(points_in(faces.center[k : k + 1], b)[0]) for b in bodies_then]]
        if not len(around):
            continue
        body = around[np.argmin((around[:, 2] - around[:, 0]) * (around[:, 3] - around[:, 1]))]  # the closest fit
        overlap = iou(bodies_now, body)
        j = int(np.argmax(overlap))
        if overlap[j] < 0.3:
            continue  # the body is gone too
        if len(faces_now) and np.any(points_in(faces_now, bodies_now[j])):
            continue  # the body shows a face of its own now
        # The head moves with the top of the body (a person bending, sitting down).
        shift = np.array([(bodies_now[j, 0] + bodies_now[j, 2] - body[0] - body[2]) / 2, bodies_now[j, 1] - body[1]])
        keep.append(k)
        at.append(t0)
        boxes.append(box + np.tile(shift, 2))
    if not keep:
        return Detections.empty(), np.zeros(0)
    return Detections(np.array(boxes), faces.confidence[keep], faces.kind[keep]), np.array(at)


def _of_kind(dets: Detections, kind: Kind, avoid: float = 1.0) -> list[Subject]:
    sel = dets[dets.kind == kind]
    return [Subject(b, float(a * c), avoid=avoid) for b, a, c in zip(sel.xyxy, sel.area, sel.confidence)]


def _objects(dets: Detections) -> list[Subject]:
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
        ranked.append(Subject(o.box, o.score * boost, o.lead, o.avoid, base=o.score))
    return ranked


_SUBJECTS = {
    SubjectKind.PEOPLE: _heads,
    SubjectKind.ANIMAL: lambda d, f: _of_kind(d, Kind.ANIMAL),
    SubjectKind.OBJECT: lambda d, f: _objects(d),
    # A salient region has no edge that could be sliced: never pushed out.
    SubjectKind.SALIENT: lambda d, f: _of_kind(d, Kind.SALIENT, avoid=0.0),
    SubjectKind.TEXT: lambda d, f: _of_kind(d, Kind.TEXT),
}
# What else is framed with (or kept cleanly out of) a shot's subject.
_COMPANIONS = {SubjectKind.PEOPLE: SubjectKind.ANIMAL, SubjectKind.ANIMAL: SubjectKind.PEOPLE}
# Slicing an animal or object at the window edge matters less than a face.
_COMPANION_AVOID = 0.3


def candidates(dets: Detections, subject: SubjectKind, frame: tuple[int, int]) -> list[Subject]:
    """The shot's subjects on one sample, leads first, then companions."""
    leads = _SUBJECTS[subject](dets, frame)
    other = _COMPANIONS.get(subject)
    if not leads:
        return leads
    extra = [] if other is None else [
        Subject(c.box, c.score, lead=False, avoid=_COMPANION_AVOID) for c in _SUBJECTS[other](dets, frame)
    ]
    return leads + extra + text_companions(dets, subject)


def choose_subject(samples: list[Detections], frame: tuple[int, int]) -> SubjectKind:
    """What these samples are about: the first kind seen often enough, by priority."""
    if not samples:
        return SubjectKind.NONE
    for name in (SubjectKind.PEOPLE, SubjectKind.ANIMAL):
        if np.mean([bool(_SUBJECTS[name](d, frame)) for d in samples]) >= _PRESENCE:
            return name
    # Objects such as cups or cars lead only when they are, most of the time,
    # where the picture is salient or moving; otherwise salient motion leads.
    if about_text(samples, frame):
        return SubjectKind.TEXT
    if np.mean([any(o.score > 1.4 * o.base for o in _objects(d)) for d in samples]) >= 0.5:
        return SubjectKind.OBJECT
    if any(_SUBJECTS[SubjectKind.SALIENT](d, frame) for d in samples):
        return SubjectKind.SALIENT
    return SubjectKind.NONE


# A stretch without the shot's subject, at its start or end, longer than this
# is filled with what else is on screen (the subject has not arrived yet, or
# has left); shorter ones are held.
_MAX_EDGE_GAP_SECONDS = 1.5
# Between two sightings the subject is most likely still there (a turned
# head, a missed detection): only a longer gap falls back to other things.
_MAX_GAP_SECONDS = 5.0


def read_shot(
    frames: np.ndarray, samples: list[Detections], subject: SubjectKind, frame: tuple[int, int], fps: float
) -> list[Reading]:
    """The shot's samples read for ``subject``: a long stretch without it is read for what else is there."""
    cands = [candidates(d, subject, frame) if subject != SubjectKind.NONE else [] for d in samples]
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
            fallback = choose_subject(samples[i:j], frame)
            for k in range(i, j):
                kinds[k] = fallback
                cands[k] = candidates(samples[k], fallback, frame) if fallback != SubjectKind.NONE else []
        i = j
    return [Reading(int(f), tuple(c), k) for f, c, k in zip(frames, cands, kinds) if c]
