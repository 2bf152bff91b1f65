"""Corrections by hand that a re-plan keeps: pinned subjects, shot layouts, moved windows.

They are recorded in the crop path (``"overrides"``, an optional top-level
field of version 3) and given to the planner, so planning again (another
aspect, another correction) applies them again instead of losing them::

    "overrides": {
      "pins": [{"time": 3.2, "x": 1400, "y": 380}],
      "shots": {"2": {"layout": "split"}, "4": {"layout": "follow", "zoom": 1.2}},
      "keyframes": [[412, 820.5, 0]]
    }

- a pin: from ``time`` (seconds from the first frame) to the end of its shot
  the camera follows the subject nearest to the point ``(x, y)`` (source
  display pixels);
- a shot choice: shot ``N`` (0-based, in order) gets this layout and/or zoom;
- a keyframe ``[frame, x, y]``: the window's top-left corner at that frame;
  the rest of the shot moves by the same amount, interpolated between two
  hand keyframes of one shot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .errors import CropPathError, UsageError

LAYOUTS = ("follow", "split", "fit")  # as reframe.croppath.LAYOUTS, which imports this module


@dataclass(frozen=True)
class Pin:
    """Follow the subject nearest to ``(x, y)`` from ``time`` to the end of its shot."""

    time: float
    x: float
    y: float


@dataclass(frozen=True)
class ShotChoice:
    """A shot's layout and zoom chosen by hand (None: the planner's)."""

    layout: str | None = None
    zoom: float | None = None

    def __post_init__(self) -> None:
        if self.layout is not None and self.layout not in LAYOUTS:
            raise UsageError(f"layout {self.layout!r} is not one of: {', '.join(LAYOUTS)}")
        if self.zoom is not None and not 1.0 <= self.zoom <= 4.0:
            raise UsageError(f"zoom {self.zoom} must be between 1 (the full-height window) and 4")


@dataclass(frozen=True)
class Overrides:
    """Every correction made by hand to one crop path."""

    pins: tuple[Pin, ...] = ()
    shots: dict[int, ShotChoice] = field(default_factory=dict)
    keyframes: tuple[tuple[int, float, float], ...] = ()  # (frame, window x, window y)

    def __bool__(self) -> bool:
        return bool(self.pins or self.shots or self.keyframes)

    # -- editing ------------------------------------------------------------

    def with_pin(self, pin: Pin) -> Overrides:
        """A pin added; one given at the same time replaces it."""
        pins = [p for p in self.pins if abs(p.time - pin.time) > 1e-6] + [pin]
        return replace(self, pins=tuple(sorted(pins, key=lambda p: p.time)))

    def with_shot(self, index: int, layout: str | None = None, zoom: float | None = None) -> Overrides:
        """Shot ``index`` shown with ``layout`` and/or ``zoom`` (what is not given stays as it was)."""
        old = self.shots.get(index, ShotChoice())
        choice = ShotChoice(layout if layout is not None else old.layout, zoom if zoom is not None else old.zoom)
        return replace(self, shots={**self.shots, index: choice})

    def with_keyframe(self, frame: int, x: float, y: float) -> Overrides:
        """The window's corner put at ``(x, y)`` on ``frame`` (replacing a hand keyframe there)."""
        keys = [k for k in self.keyframes if k[0] != frame] + [(int(frame), float(x), float(y))]
        return replace(self, keyframes=tuple(sorted(keys)))

    def merged(self, other: Overrides) -> Overrides:
        """These overrides with ``other``'s added (``other`` wins where both say something)."""
        out = self
        for p in other.pins:
            out = out.with_pin(p)
        for i, c in other.shots.items():
            out = out.with_shot(i, c.layout, c.zoom)
        for f, x, y in other.keyframes:
            out = out.with_keyframe(f, x, y)
        return out

    def check(self, shot_count: int, frame_count: int, duration: float) -> None:
        """Raise :class:`UsageError` for a shot, frame or time the video does not have."""
        for i in self.shots:
            if not 0 <= i < shot_count:
                raise UsageError(f"shot {i} does not exist: the video has shots 0 to {shot_count - 1}")
        for p in self.pins:
            if not 0 <= p.time <= duration:
                raise UsageError(f"pin at {p.time:g} s is outside the video (0 to {duration:.2f} s)")
        for f, _, _ in self.keyframes:
            if not 0 <= f < frame_count:
                raise UsageError(f"keyframe at frame {f} is outside the video (frames 0 to {frame_count - 1})")

    # -- text and JSON ------------------------------------------------------

    @classmethod
    def parse(cls, pins: list[str] | None = None, shots: list[str] | None = None) -> Overrides:
        """From the command line: ``--pin TIME=X,Y`` and ``--shot N=LAYOUT`` values.

        >>> o = Overrides.parse(["3.2=1400,380"], ["2=split"])
        >>> o.pins[0], o.shots[2].layout
        (Pin(time=3.2, x=1400.0, y=380.0), 'split')
        """
        out = cls()
        number = r"\s*(-?\d+(?:\.\d*)?)\s*"
        for text in pins or []:
            m = re.fullmatch(f"{number}={number},{number}", text)
            if not m:
                raise UsageError(f"--pin {text!r} is not TIME=X,Y (seconds, then source pixels; e.g. 3.2=1400,380)")
            out = out.with_pin(Pin(*(float(v) for v in m.groups())))
        for text in shots or []:
            m = re.fullmatch(r"\s*(\d+)\s*=\s*([a-z]+)\s*", text)
            if not m:
                raise UsageError(f"--shot {text!r} is not N=LAYOUT (e.g. 2=split; layouts: {', '.join(LAYOUTS)})")
            out = out.with_shot(int(m.group(1)), m.group(2))
        return out

    def to_dict(self) -> dict:
        return {
            "pins": [{"time": round(p.time, 6), "x": round(p.x, 2), "y": round(p.y, 2)} for p in self.pins],
            "shots": {
                str(i): {k: v for k, v in (("layout", c.layout), ("zoom", c.zoom)) if v is not None}
                for i, c in sorted(self.shots.items())
            },
            "keyframes": [[f, round(x, 2), round(y, 2)] for f, x, y in self.keyframes],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Overrides:
        """Read the crop path's ``overrides`` field; a malformed one raises :class:`CropPathError`."""
        try:
            out = cls()
            for p in data.get("pins", []):
                out = out.with_pin(Pin(float(p["time"]), float(p["x"]), float(p["y"])))
            for i, c in data.get("shots", {}).items():
                zoom = c.get("zoom")
                out = out.with_shot(int(i), c.get("layout"), float(zoom) if zoom is not None else None)
            for f, x, y in data.get("keyframes", []):
                out = out.with_keyframe(int(f), float(x), float(y))
            return out
        except UsageError as e:
            raise CropPathError(f"crop path overrides: {e}") from e
        except (AttributeError, KeyError, TypeError, ValueError) as e:
            raise CropPathError(f"crop path overrides are malformed: {type(e).__name__}: {e}") from e
