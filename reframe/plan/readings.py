"""What the planner reads on a sample: the subjects the camera may keep."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class SubjectKind(StrEnum):
    """What a shot, or a stretch of it, is about: whose boxes lead the camera.

    The value is the ``subject`` of a shot in the crop path.
    """

    PEOPLE = "people"  # faces, and the heads of persons whose face was not found
    ANIMAL = "animal"
    OBJECT = "object"  # objects where the picture is salient or moving
    TEXT = "text"  # a title or a sign
    SALIENT = "salient"  # salient regions or motion: a guess that steers the camera gently
    NONE = "none"  # nothing to follow: the window is centred


@dataclass(frozen=True)
class Subject:
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


@dataclass(frozen=True)
class Reading:
    """The planner's reading of one sample: its frame, the subjects the camera
    may keep there (leads first, then companions) and the kind of subject they
    were read for (the shot's, or a fallback where it is missing)."""

    frame: int
    subjects: tuple[Subject, ...]
    kind: SubjectKind
