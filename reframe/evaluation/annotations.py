"""Ground truth of a clip for the evaluation: what a vertical window has to show, and where.

An annotation file describes one clip: its shots and, at some keyframes, the
boxes ``[x, y, w, h]`` a vertical window has to show (``must``) and the
ones it may show (``optional``)::

    {"clip": "a.mp4", "width": 640, "height": 360, "fps": 24.0, "frames": 240,
     "shots": [[0, 20], [21, 239]],
     "keyframes": [{"frame": 12, "must": [[x, y, w, h]], "optional": [], "note": "..."}]}

Shots give the first and last frame (both inclusive) between two cuts.

:func:`still_shots` and :func:`crowd_shots` read the shots where the
subject stays put and those with a crowd from it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

Box = tuple[float, float, float, float]

# A shot's subject is still when the centre of its must boxes stays within
# this share of the source width over the shot's keyframes: under a quarter
# of a 9:16 window on 16:9 footage, so a camera need not follow it.
STILL_SPAN = 0.07
CROWD = 3  # people on screen from which a shot may show them all smaller


@dataclass(frozen=True)
class Keyframe:
    """Ground truth at one frame."""

    frame: int
    must: tuple[Box, ...] = ()
    optional: tuple[Box, ...] = ()
    note: str = ""
    whole: tuple[Box, ...] = ()  # must be shown entirely (a title: never cut mid-word)


@dataclass(frozen=True)
class Annotation:
    """Ground truth of one clip; ``shots`` are ``(first, last)`` frames, both inclusive."""

    clip: str
    width: int
    height: int
    fps: float
    frames: int
    shots: tuple[tuple[int, int], ...]
    keyframes: tuple[Keyframe, ...]

    @classmethod
    def from_dict(cls, data: dict) -> Annotation:
        """Build from the parsed JSON; raises ``ValueError`` when a field is missing or wrong."""
        try:
            frames = int(data["frames"])
            shots = tuple((int(a), int(b)) for a, b in data.get("shots") or [[0, frames - 1]])
            keyframes = tuple(
                Keyframe(
                    int(k["frame"]),
                    tuple(_box(b) for b in k.get("must") or ()),
                    tuple(_box(b) for b in k.get("optional") or ()),
                    str(k.get("note", "")),
                    tuple(_box(b) for b in k.get("whole") or ()),
                )
                for k in data["keyframes"]
            )
            ann = cls(
                str(data["clip"]), int(data["width"]), int(data["height"]), float(data["fps"]),
                frames, shots, tuple(sorted(keyframes, key=lambda k: k.frame)),
            )
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"annotation is malformed: {type(e).__name__}: {e}") from e
        for a, b in ann.shots:
            if not 0 <= a <= b:
                raise ValueError(f"annotation of {ann.clip}: shot [{a}, {b}] is empty or negative")
        return ann

    @classmethod
    def load(cls, path: str | os.PathLike) -> Annotation:
        """Read an annotation JSON file."""
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    @property
    def stem(self) -> str:
        """The clip's file name without its extension."""
        return Path(self.clip).stem


def load_annotation(path: str | os.PathLike) -> Annotation:
    """Read an annotation JSON file (same as :meth:`Annotation.load`)."""
    return Annotation.load(path)


def crowd_shots(annotation: Annotation) -> tuple[tuple[int, int], ...]:
    """Shots (first, last) where some keyframe has :data:`CROWD` boxes or more (must and optional):
    showing that many people together may take a view smaller than the full-height window."""
    return tuple(
        (a, b) for a, b in annotation.shots
        if any(a <= k.frame <= b and len(k.must) + len(k.optional) >= CROWD for k in annotation.keyframes)
    )


def still_shots(annotation: Annotation) -> tuple[tuple[int, int], ...]:
    """Shots (first, last) whose subject stays put: two keyframes or more with
    must boxes, whose joint centre x spans at most :data:`STILL_SPAN` of the width.

    >>> ann = Annotation.from_dict({"clip": "c.mp4", "width": 1000, "height": 500, "fps": 25, "frames": 100,
    ...     "shots": [[0, 49], [50, 99]], "keyframes": [
    ...     {"frame": 10, "must": [[100, 0, 50, 50]]}, {"frame": 40, "must": [[120, 0, 50, 50]]},
    ...     {"frame": 60, "must": [[100, 0, 50, 50]]}, {"frame": 90, "must": [[400, 0, 50, 50]]}]})
    >>> still_shots(ann)
    ((0, 49),)
    """
    out = []
    for a, b in annotation.shots:
        centres = [
            (min(x for x, _, _, _ in k.must) + max(x + w for x, _, w, _ in k.must)) / 2
            for k in annotation.keyframes
            if a <= k.frame <= b and k.must
        ]
        if len(centres) >= 2 and max(centres) - min(centres) <= STILL_SPAN * annotation.width:
            out.append((a, b))
    return tuple(out)


def _box(b) -> Box:
    x, y, w, h = (float(v) for v in b)
    return (x, y, w, h)
