"""Subjects followed through a shot, and what ranks one of them first.

A lead seen on one sample is linked to the same lead on the next by nearest
centre (:class:`Track`); the tracks say who persists through a shot, who is
principal, and carry the ranking up of the active speaker, of a pinned
subject and of the objects that stay.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..geometry import iou
from ..detections import Detections, Tracker
from ..speaker import SpeakerTrack, speaker_track
from .readings import Reading, Subject, SubjectKind

# A subject seen on at least this share of a shot's samples persists through
# it (detectors miss a turned head now and then; a passer-by is seen briefly).
_PERSIST = 0.3
# A persistent subject is principal when its typical score is at least this
# share of the strongest one's (a face far in the background is not).
_PRINCIPAL = 0.1


@dataclass
class Track:
    """One subject followed from sample to sample: each reading it was seen on, and itself there."""

    seen: list[tuple[Reading, Subject]]

    @property
    def centre(self) -> float:
        box = self.seen[-1][1].box
        return float(box[0] + box[2]) / 2

    def edges(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Its left and right edges at ``frames``, interpolated between sightings."""
        at = [r.frame for r, _ in self.seen]
        return (np.interp(frames, at, [float(s.box[0]) for _, s in self.seen]),
                np.interp(frames, at, [float(s.box[2]) for _, s in self.seen]))


def lead_tracks(readings: list[Reading], subject: SubjectKind, window: float) -> list[Track]:
    """The shot's leads linked across samples by nearest centre (a sample is a fifth of a second)."""
    tracker = Tracker()
    tracks: list[Track] = []
    for r in readings:
        if r.kind != subject:
            continue
        leads = [c for c in r.subjects if c.lead]
        centres = np.array([float(c.box[0] + c.box[2]) / 2 for c in leads])
        reach = np.array([max(2.0 * float(c.box[2] - c.box[0]), 0.25 * window) for c in leads])
        for lead, k in zip(leads, tracker.link(centres, reach)):
            if k == len(tracks):
                tracks.append(Track([]))
            tracks[k].seen.append((r, lead))
    return tracks


def principal_tracks(readings: list[Reading], subject: SubjectKind, window: float) -> list[Track]:
    """The subjects that persist through the shot and matter, strongest first."""
    samples = sum(r.kind == subject for r in readings)
    lasting = [t for t in lead_tracks(readings, subject, window) if len(t.seen) >= _PERSIST * samples]
    if not lasting:
        return []
    strength = [float(np.median([s.score for _, s in t.seen])) for t in lasting]
    order = np.argsort(strength)[::-1]
    return [lasting[i] for i in order if strength[i] >= _PRINCIPAL * max(strength)]


def by_persistence(readings: list[Reading], subject: SubjectKind, window: float) -> list[Reading]:
    """The readings with each lead's score scaled by the share of the shot's samples it is seen on.

    Object detections come and go: the cup being filled all along must
    outrank the larger kettle that passes through for a second.
    """
    samples = sum(r.kind == subject for r in readings)
    share = {id(s): len(t.seen) / samples for t in lead_tracks(readings, subject, window) for _, s in t.seen}
    def scaled(c: Subject) -> Subject:
        return replace(c, score=c.score * share[id(c)]) if id(c) in share else c

    return [replace(r, subjects=tuple(scaled(c) for c in r.subjects)) for r in readings]


# The speaker outranks every other person by this factor: above the 2.5 at
# which _group stops holding on to the person followed so far.
_SPEAKER_LEAD = 3.0


def follow_speaker(
    readings: list[Reading], frames: np.ndarray, times: np.ndarray, samples: list[Detections],
    speech: dict[int, float] | None,
) -> tuple[list[Reading], str, bool]:
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
    for r in readings:
        box, cands = box_at.get(r.frame), r.subjects
        leads = [i for i, c in enumerate(cands) if c.lead]
        if box is not None and leads and r.kind == SubjectKind.PEOPLE:
            ious = iou(np.array([cands[i].box for i in leads]), box)
            if ious.max() > 0.3:
                i = leads[int(np.argmax(ious))]
                top = max((cands[j].score for j in leads if j != i), default=0.0)
                r = replace(r, subjects=(*cands[:i], replace(cands[i], score=max(cands[i].score, _SPEAKER_LEAD * top)),
                                         *cands[i + 1:]))
        out.append(r)
    return out, track.note(), True


def speaker_cuts(readings: list[Reading], window: float) -> list[int]:
    """Frames where the followed speaker changes to someone more than a window away.

    An editor cuts between two people who cannot share a frame; a camera
    panning from one to the other shows empty space and slices them on the
    way. The shot's path is solved apart on either side of these frames.
    """
    cuts, previous = [], None
    for r in readings:
        leads = [c for c in r.subjects if c.lead]
        if r.kind != SubjectKind.PEOPLE or not leads:
            continue
        top = max(leads, key=lambda c: c.score)
        centre = float(top.box[0] + top.box[2]) / 2
        if previous is not None and abs(centre - previous) > window:
            cuts.append(r.frame)
        previous = centre
    return cuts


def pinned(readings: list[Reading], pins, subject: SubjectKind, window: float, end: int) -> list[Reading]:
    """The readings with, from each pin's frame to the next pin or the shot's end, the track
    nearest the pinned point ranked first, as :func:`follow_speaker` ranks the speaker."""
    tracks = lead_tracks(readings, subject, window)
    lead: set[int] = set()  # ids of the pinned tracks' sightings from their pin on
    for k, (frame, x, y, _) in enumerate(pins):
        until = pins[k + 1][0] if k + 1 < len(pins) else end
        there = [t for t in tracks if any(frame <= r.frame < until for r, _ in t.seen)]
        if not there:
            continue

        def distance(track: Track) -> float:
            _, s = min(track.seen, key=lambda seen: abs(seen[0].frame - frame))  # its sighting nearest the pin
            return float(np.hypot((s.box[0] + s.box[2]) / 2 - x, (s.box[1] + s.box[3]) / 2 - y))

        chosen = min(there, key=distance)
        lead |= {id(s) for r, s in chosen.seen if frame <= r.frame < until}
    out = []
    for r in readings:
        cands = r.subjects
        pinned = [i for i, c in enumerate(cands) if id(c) in lead]
        if pinned:
            i = pinned[0]
            top = max((c.score for j, c in enumerate(cands) if c.lead and j != i), default=0.0)
            r = replace(r, subjects=(*cands[:i], replace(cands[i], score=max(cands[i].score, _SPEAKER_LEAD * top)),
                                     *cands[i + 1:]))
        out.append(r)
    return out
