"""Layout choice: one window following (``follow``, zoomed out a little
when that keeps close people together), a panel per person when two
cannot share a window (``split``), or the whole picture (``fit``)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..geometry import points_in
from .readings import Reading, Subject, SubjectKind
from .tracks import Track, principal_tracks

# A group of subjects is framed together only if it fits in this share of
# the window: the rest is margin, so a head never touches the edge.
GROUP_FILL = 0.9
# Share of the group's samples the chosen zoom must fit it in.
_ZOOM_QUANTILE = 80
# A group that fits in the widest window on this share of the samples is
# still followed in one window (a split or fit would show it apart when it
# is together); the follower keeps the others out when it is not.
_TOGETHER = 0.5
# Narrowed to keep a close neighbour out, a panel stays this many faces tall.
_PANEL_MIN_FACES = 1.6
# A window widened for an animal or object close-up leaves this much room around it.
_CLOSE_UP_ROOM = 1.04
# The core of a subject too wide for the window, as a share of its box: a
# face box's eyes, nose and mouth.
CORE = 0.6


def zoom_for(need) -> float:
    """The zoom of a shot whose samples each need the zoom ``need``: enough
    for most of them (a stray sample does not widen the whole shot), in
    hundredths, never below 1."""
    return max(1.0, float(np.ceil(np.percentile(need, _ZOOM_QUANTILE) * 100) / 100)) if len(need) else 1.0


def panel_readings(track: Track, bodies: dict[int, np.ndarray] | None = None) -> list[Reading]:
    """One person's readings for a split panel: the others become leads too weak to be framed
    with this person (see :func:`reframe.plan.planner._group`), so they are kept wholly out of the panel.

    ``bodies`` (person boxes per sampled frame) adds everyone else's body to
    what the panel keeps out: a panel shows no part of another person.
    """
    weak = 1e-3  # far below _group's share for framing a lead together with the principal one
    out = []
    for r, person in track.seen:
        others = [Subject(c.box, person.score * weak, avoid=c.avoid) for c in r.subjects if c is not person]
        boxes = np.zeros((0, 4)) if bodies is None else bodies.get(r.frame, np.zeros((0, 4)))
        if len(boxes):
            # This person's own body: the smallest that holds the head.
            holds = np.array([points_in(_centre(person.box)[None], b)[0] for b in boxes])
            area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
            own = int(np.argmin(np.where(holds, area, np.inf))) if holds.any() else -1
            others += [Subject(b, person.score * weak, body=True) for i, b in enumerate(boxes) if i != own]
        out.append(Reading(r.frame, (person, *others), SubjectKind.PEOPLE))
    return out


def _centre(box: np.ndarray) -> np.ndarray:
    return np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])


def _room(person: Subject, others: list[Subject], left: float, right: float) -> float:
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


def panel_width(
    readings: list[Reading], ratio: float, content: tuple[float, float, float, float]
) -> tuple[float, bool]:
    """A split panel's width for one person's readings (:func:`panel_readings`), and whether a
    panel can show that person's head and shoulders and no part of anyone else.

    A panel shows its person as large as the full-height window would (a
    stacked panel is half the output, so half the picture's height), and
    is narrowed to the room between the others, so larger still, but never
    below :data:`_PANEL_MIN_FACES` face heights tall.
    """
    cx, _, cw, ch = content
    face = float(np.median([r.subjects[0].box[3] - r.subjects[0].box[1] for r in readings]))
    stacked = ratio > 1  # panels stacked in a portrait output are wider than tall
    pw = min(cw, (ch / 2 if stacked else ch) * ratio)
    room = float(np.percentile([_room(r.subjects[0], r.subjects[1:], cx, cx + cw) for r in readings], 20))
    least = _PANEL_MIN_FACES * face * ratio
    return max(min(pw, room), least), room >= least


@dataclass(frozen=True)
class ShotLayout:
    """How one shot is shown, why, (when two people could have a panel each) their readings,
    and (when the layout frames narrower boxes than the subjects') the readings to frame."""

    layout: str
    reason: str
    zoom: float = 1.0
    pair: tuple[list[Reading], list[Reading]] | None = None
    framed: list[Reading] | None = None


def choose_layout(
    readings: list[Reading],
    subject: SubjectKind,
    window: float,
    max_zoom: float,
    forced: str,
    *,
    speaker: bool = False,
    bodies: dict[int, np.ndarray] | None = None,
    panel: tuple[float, tuple[float, float, float, float]] | None = None,
) -> ShotLayout:
    """The shot's layout, its zoom and a sentence saying why, as an editor would choose it.

    ``window`` is the full-height window's width and ``max_zoom`` how much
    wider a ``follow`` window may become. ``forced`` is the user's layout,
    or ``auto``. ``speaker`` says whether the active speaker was found,
    ``bodies`` gives the person boxes per sampled frame and ``panel`` the
    split panels' aspect and the content box, to tell whether a split can
    show each person alone.

    A single principal face is never shown smaller than the full-height
    window shows it: a close-up wider than the window is followed tight on
    its eyes, nose and mouth (see :func:`reframe.plan.planner._group`). Two people get, in this
    order, one window holding both (zoomed out within ``max_zoom``), the
    window following whoever speaks, a panel each when each panel can
    show its person and no part of the other, or one window on both faces
    cropped tight (:func:`_faces_together`).
    """
    framed = subject not in (SubjectKind.SALIENT, SubjectKind.NONE)
    principal = principal_tracks(readings, subject, window) if framed else []
    pair, splits = None, False
    if subject == SubjectKind.PEOPLE and len(principal) >= 2:
        two = sorted(principal[:2], key=lambda t: t.centre)  # left person first
        pair = (panel_readings(two[0], bodies), panel_readings(two[1], bodies))
        splits = panel is None or all(panel_width(r, *panel)[1] for r in pair)
    if forced == "fit":
        return ShotLayout("fit", "fit chosen for every shot", pair=pair)
    plural = {SubjectKind.PEOPLE: "people", SubjectKind.ANIMAL: "animals", SubjectKind.OBJECT: "objects"}
    who = plural.get(subject, subject.value)
    if not principal:
        why = f"no {subject.value} seen for long: followed" if framed else "no subject to frame"
        layout = ShotLayout("follow", why)
    elif len(principal) == 1:
        box = np.median([float(s.box[2] - s.box[0]) for _, s in principal[0].seen])
        one, part = ("person", "face") if subject == SubjectKind.PEOPLE else (subject.value, subject.value)
        if box <= window:
            layout = ShotLayout("follow", f"one principal {one} followed")
        elif subject == SubjectKind.PEOPLE:
            # An editor crops a close-up tight (hair, ears may go) and never shrinks it.
            layout = ShotLayout("follow", "a close-up wider than the window: followed tight on the eyes, nose and mouth")
        elif box <= max_zoom * window:
            # A close-up a little wider than the window is kept whole by
            # widening the window, as for a group; a wider one is shown whole.
            zoom = min(max_zoom, float(np.ceil(box * _CLOSE_UP_ROOM / window * 100) / 100))
            why = f"one principal {one} followed, zoomed out {zoom:.2f}x to keep the {part} whole"
            layout = ShotLayout("follow", why, zoom)
        else:
            layout = ShotLayout("fit", f"the {part} is wider than the window: the whole picture")
    else:
        frames = np.array([r.frame for r in readings if r.kind == subject], float)
        edges = [t.edges(frames) for t in principal]
        span = np.max([r for _, r in edges], axis=0) - np.min([lft for lft, _ in edges], axis=0)
        need = span / (GROUP_FILL * window)  # the zoom each sample needs to hold the whole group
        zoom = min(max_zoom, zoom_for(need))
        together = float(np.mean(need <= zoom + 1e-9))
        count = len(principal)
        fits = f"the {count} {who} fit in one window" + (f" zoomed out {zoom:.2f}x" if zoom > 1 else "")
        if together >= _ZOOM_QUANTILE / 100:
            layout = ShotLayout("follow", fits, zoom)
        elif together >= _TOGETHER:
            layout = ShotLayout("follow", f"{fits} most of the time", zoom)
        elif count == 2 and speaker:
            layout = ShotLayout("follow", "two people too far apart for one window: the speaker followed")
        elif count == 2 and pair is not None and splits:
            layout = ShotLayout("split", "two people too far apart for one window: one panel each")
        elif count == 2 and (cores := _faces_together(readings, principal[:2], frames, window, max_zoom, need)):
            layout = cores
        elif count == 2:
            layout = ShotLayout(
                "follow", "two people too far apart for one window and too close for a panel each: "
                "the more prominent followed, the other left out",
            )
        else:
            layout = ShotLayout("fit", f"{count} {who} too far apart for one window: the whole picture")
    if forced == "follow" and layout.layout != "follow":
        layout = ShotLayout("follow", f"follow chosen for every shot ({layout.reason.split(':')[0]})")
    elif forced == "split" and layout.layout != "split":
        if pair is not None:  # what the user asks, even where a panel cannot leave the other out
            layout = ShotLayout("split", "split chosen for every shot with two people")
        elif layout.layout == "fit":
            layout = ShotLayout("follow", f"split chosen, but not two people: followed ({layout.reason.split(':')[0]})")
        else:
            layout = ShotLayout("follow", f"split chosen, but not two people: {layout.reason}", layout.zoom)
    return replace(layout, pair=pair)



def _faces_together(
    readings: list[Reading], two: list[Track], frames: np.ndarray, window: float, max_zoom: float,
    heads_need: np.ndarray,
) -> ShotLayout | None:
    """Two people close together, neither one window for their whole heads nor a panel each:
    one window on both faces when their cores (eyes, nose and mouth) fit it within
    ``max_zoom``, as a close-up is cropped tight rather than shrunk or cut in half, and
    no tighter than that: the window is as wide as ``max_zoom`` allows, towards the
    zoom the whole heads need (``heads_need``, per sample). The layout carries the
    readings with those two people narrowed to their cores."""
    cores = [t.edges(frames) for t in two]
    mid = [(lo + hi) / 2 for lo, hi in cores]
    half = [(hi - lo) * CORE / 2 for lo, hi in cores]
    span = np.maximum(mid[0] + half[0], mid[1] + half[1]) - np.minimum(mid[0] - half[0], mid[1] - half[1])
    need = span / (GROUP_FILL * window)
    if np.mean(need <= max_zoom + 1e-9) < _ZOOM_QUANTILE / 100:
        return None
    zoom = min(max_zoom, zoom_for(heads_need))
    narrowed = {}
    for t in two:
        for _, s in t.seen:
            c, h = float(s.box[0] + s.box[2]) / 2, float(s.box[2] - s.box[0]) * CORE / 2
            box = np.array(s.box, dtype=float)
            box[0], box[2] = c - h, c + h
            narrowed[id(s)] = replace(s, box=box)
    framed = [replace(r, subjects=tuple(narrowed.get(id(s), s) for s in r.subjects)) for r in readings]
    why = "two people too close for a panel each: one window on both faces, cropped tight"
    return ShotLayout("follow", why + (f", zoomed out {zoom:.2f}x" if zoom > 1 else ""), zoom, framed=framed)
