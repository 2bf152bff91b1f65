"""The crop path's format constants and its parts: the source it was planned for, its shots, and
the window and panel sizes of an output aspect."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from ..config import Aspect
from ..errors import CropPathError
from ..subtitle_place import MovedBand

FORMAT = "reframe.croppath"
VERSION = 3
READS = (1, 2, 3)  # versions this reframe can load

# How a shot is shown. "auto" is a planner setting, never a shot's layout.
LAYOUTS = ("follow", "split", "fit")


@dataclass(frozen=True)
class SourceRef:
    """The source a crop path was planned for."""

    name: str
    width: int
    height: int
    fps: Fraction
    frame_count: int
    duration: float

    @classmethod
    def from_info(cls, info) -> SourceRef:
        return cls(Path(info.path).name, info.width, info.height, info.fps, info.frame_count, info.duration)


@dataclass(frozen=True)
class Shot:
    """Frames ``start`` (inclusive) to ``end`` (exclusive) between two cuts.

    ``subject`` says what the camera framed (people, animal, object,
    salient, none) and ``note`` how it was followed; ``motion`` names the
    camera temperament the path was planned with; ``layout`` is how the shot
    is shown (one of :data:`LAYOUTS`) and ``reason`` why, in a sentence, so
    a user can check and override it. ``subtitles``, when set, is the
    burned-in subtitle band shown whole at its own place (see
    :mod:`reframe.subtitle_place`).
    """

    start: int
    end: int
    subject: str = "none"
    note: str = ""
    motion: str = "calm"
    layout: str = "follow"
    reason: str = ""
    subtitles: MovedBand | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise CropPathError(f"shot [{self.start}, {self.end}) is empty or negative")
        if self.layout not in LAYOUTS:
            raise CropPathError(
                f"shot [{self.start}, {self.end}) has layout {self.layout!r}; use one of: {', '.join(LAYOUTS)}"
            )

    def __len__(self) -> int:
        return self.end - self.start



def window_size(src_w: float, src_h: float, aspect: Aspect) -> tuple[float, float]:
    """The window of ``aspect`` at the source's full height.

    From a source wider than ``aspect`` it is the largest window that fits.
    A source as narrow or narrower (a portrait phone clip asked for 9:16 or
    4:5) is never cropped: the window is the whole frame, wider than the
    picture when needed, and the renderer fills the sides with black.
    """
    return float(src_h) * float(aspect.ratio), float(src_h)


def panel_layout(aspect: Aspect) -> tuple[bool, Fraction]:
    """How a split shot divides the output: ``(stacked, panel aspect)``.

    Portrait and square outputs stack the two panels (top, bottom); a
    landscape output puts them side by side.

    >>> panel_layout(Aspect(9, 16))
    (True, Fraction(9, 8))
    """
    if aspect.ratio <= 1:
        return True, aspect.ratio * 2
    return False, aspect.ratio / 2

