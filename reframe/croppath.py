"""The crop path: where the virtual camera looks at every frame.

A plain, versioned, serialisable object between planning and rendering. Save
it, edit it by hand, render it again without re-analysis.

JSON layout (``version`` 1)::

    {
      "format": "reframe.croppath",
      "version": 1,
      "source": {"name": "in.mp4", "width": 1920, "height": 1080,
                 "fps": "30000/1001", "frame_count": 300, "duration": 10.01},
      "aspect": "9:16",
      "shots": [{"start": 0, "end": 120, "subject": "people", "motion": "calm", "note": "..."}],
      "keyframes": [[frame, x, y, w, h], ...],
      "detections": [{"frame": 0, "items": [{"box": [x1, y1, x2, y2], "score": 0.9, "kind": "face"}]}]
    }

Windows are ``[x, y, w, h]`` in display pixels of the source. Between two
keyframes a window is the linear interpolation of the two, rounded to 0.01
px; the writer picks keyframes so that this expansion reproduces every
frame's window exactly. Each shot's first and last frames are keyframes, so
no interpolation crosses a cut. A hand-written file may instead give
``"windows": [[x, y, w, h], ...]`` with one entry per frame.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

import numpy as np

from .config import Aspect
from .detections import Detections
from .errors import CropPathError

FORMAT = "reframe.croppath"
VERSION = 1
_DECIMALS = 2


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
    salient, none) and ``note`` why, so a user can check and override it;
    ``motion`` names the camera temperament the path was planned with.
    """

    start: int
    end: int
    subject: str = "none"
    note: str = ""
    motion: str = "calm"

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise CropPathError(f"shot [{self.start}, {self.end}) is empty or negative")

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class CropPath:
    """Per-frame crop windows for one source, with its shots and detections.

    ``windows`` is ``(frame_count, 4)`` float64 ``[x, y, w, h]``.

    >>> src = SourceRef("a.mp4", 1920, 1080, Fraction(30), 3, 0.1)
    >>> p = CropPath.centered(src, Aspect(9, 16))
    >>> p.windows[0].tolist()
    [656.25, 0.0, 607.5, 1080.0]
    >>> CropPath.from_json(p.to_json()) == p
    True
    """

    source: SourceRef
    aspect: Aspect
    windows: np.ndarray = field(compare=False)
    shots: tuple[Shot, ...]
    detections: dict[int, Detections] = field(default_factory=dict, compare=False)
    version: int = VERSION

    def __post_init__(self) -> None:
        w = np.round(np.asarray(self.windows, dtype=np.float64).reshape(-1, 4), _DECIMALS)
        object.__setattr__(self, "windows", w)
        object.__setattr__(self, "shots", tuple(self.shots))
        self.validate()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CropPath):
            return NotImplemented
        return (
            self.source == other.source
            and self.aspect == other.aspect
            and self.shots == other.shots
            and np.array_equal(self.windows, other.windows)
        )

    def validate(self) -> None:
        """Raise :class:`CropPathError` unless windows and shots fit the source."""
        n = self.source.frame_count
        if len(self.windows) != n:
            raise CropPathError(f"crop path has {len(self.windows)} windows for {n} frames")
        if n == 0:
            raise CropPathError("crop path has no frames")
        x, y, w, h = self.windows.T
        if np.any(w <= 1) or np.any(h <= 1):
            raise CropPathError("crop path has a window smaller than 2 pixels")
        tol = 0.011
        W, H = self.source.width, self.source.height
        # A window lies inside the source, or on an axis where it is larger
        # than the source it holds all of it (the rest is padding).
        out_x = ((x < -tol) | (x + w > W + tol)) & ~((x <= tol) & (x + w >= W - tol))
        out_y = ((y < -tol) | (y + h > H + tol)) & ~((y <= tol) & (y + h >= H - tol))
        if np.any(out_x | out_y):
            bad = int(np.flatnonzero(out_x | out_y)[0])
            raise CropPathError(
                f"window of frame {bad} {self.windows[bad].tolist()} leaves the "
                f"{self.source.width}x{self.source.height} source"
            )
        if not self.shots or self.shots[0].start != 0 or self.shots[-1].end != n:
            raise CropPathError("shots must cover every frame from 0 to frame_count")
        for a, b in zip(self.shots, self.shots[1:]):
            if a.end != b.start:
                raise CropPathError(f"shots [{a.start}, {a.end}) and [{b.start}, {b.end}) are not adjacent")

    # -- construction -----------------------------------------------------

    @classmethod
    def centered(cls, source: SourceRef, aspect: Aspect | str, shots: tuple[Shot, ...] | None = None) -> CropPath:
        """The static centre crop: the baseline every planner is compared with."""
        aspect = Aspect.parse(aspect)
        w, h = window_size(source.width, source.height, aspect)
        win = np.tile([(source.width - w) / 2, (source.height - h) / 2, w, h], (source.frame_count, 1))
        shots = shots or (Shot(0, source.frame_count, "none", "static centre crop"),)
        return cls(source, aspect, win, shots)

    def with_windows(self, windows: np.ndarray) -> CropPath:
        return replace(self, windows=windows)

    # -- queries ----------------------------------------------------------

    @property
    def cuts(self) -> list[int]:
        """First frame of every shot after the first."""
        return [s.start for s in self.shots[1:]]

    def window(self, frame: int) -> tuple[float, float, float, float]:
        x, y, w, h = self.windows[frame]
        return float(x), float(y), float(w), float(h)

    # -- serialisation ----------------------------------------------------

    def keyframes(self) -> list[int]:
        """Frames whose windows, linearly interpolated, give every window back."""
        keep: set[int] = set()
        tol = 0.4 * 10.0**-_DECIMALS
        for shot in self.shots:
            stack = [(shot.start, shot.end - 1)]
            keep.update((shot.start, shot.end - 1))
            while stack:
                a, b = stack.pop()
                if b - a < 2:
                    continue
                t = (np.arange(a, b + 1) - a) / (b - a)
                seg = self.windows[a : b + 1]
                interp = seg[0] + t[:, None] * (seg[-1] - seg[0])
                err = np.abs(interp - seg).max(axis=1)
                i = int(np.argmax(err))
                if err[i] > tol:
                    keep.add(a + i)
                    stack += [(a, a + i), (a + i, b)]
        return sorted(keep)

    def to_dict(self) -> dict:
        src = self.source
        return {
            "format": FORMAT,
            "version": self.version,
            "source": {
                "name": src.name,
                "width": src.width,
                "height": src.height,
                "fps": f"{src.fps.numerator}/{src.fps.denominator}",
                "frame_count": src.frame_count,
                "duration": round(src.duration, 6),
            },
            "aspect": str(self.aspect),
            "shots": [
                {"start": s.start, "end": s.end, "subject": s.subject, "motion": s.motion, "note": s.note}
                for s in self.shots
            ],
            "keyframes": [[f, *(_num(v) for v in self.windows[f])] for f in self.keyframes()],
            "detections": [
                {"frame": int(f), "items": d.to_list()} for f, d in sorted(self.detections.items()) if len(d)
            ],
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def save(self, path: str | os.PathLike) -> None:
        """Write the JSON atomically (a temporary file renamed into place)."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(self.to_json(indent=1) + "\n", encoding="utf-8")
            os.replace(tmp, path)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            from .errors import OutputError

            raise OutputError(f"cannot write crop path {path}: {e.strerror or e}") from e

    @classmethod
    def from_dict(cls, data: dict) -> CropPath:
        try:
            if data.get("format") != FORMAT:
                raise CropPathError(f"not a reframe crop path (format is {data.get('format')!r})")
            if data.get("version") != VERSION:
                raise CropPathError(f"crop path version {data.get('version')!r} is not supported (this reframe reads {VERSION})")
            s = data["source"]
            source = SourceRef(
                str(s["name"]), int(s["width"]), int(s["height"]), Fraction(str(s["fps"])),
                int(s["frame_count"]), float(s["duration"]),
            )
            n = source.frame_count
            if "windows" in data:
                windows = np.asarray(data["windows"], dtype=np.float64).reshape(-1, 4)
            else:
                windows = _expand(np.asarray(data["keyframes"], dtype=np.float64).reshape(-1, 5), n)
            shots = tuple(
                Shot(
                    int(d["start"]), int(d["end"]), str(d.get("subject", "none")), str(d.get("note", "")),
                    str(d.get("motion", "calm")),
                )
                for d in data["shots"]
            )
            dets = {int(d["frame"]): Detections.from_list(d["items"]) for d in data.get("detections", [])}
            return cls(source, Aspect.parse(data["aspect"]), windows, shots, dets)
        except CropPathError:
            raise
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as e:
            raise CropPathError(f"crop path is malformed: {type(e).__name__}: {e}") from e

    @classmethod
    def from_json(cls, text: str) -> CropPath:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise CropPathError(f"crop path is not valid JSON: {e}") from e
        if not isinstance(data, dict):
            raise CropPathError("crop path JSON must be an object")
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | os.PathLike) -> CropPath:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as e:
            raise CropPathError(f"cannot read crop path {path}: {e.strerror or e}") from e
        except UnicodeDecodeError as e:
            raise CropPathError(f"crop path {path} is not text: {e}") from e
        return cls.from_json(text)


def window_size(src_w: float, src_h: float, aspect: Aspect) -> tuple[float, float]:
    """The window of ``aspect`` at the source's full height.

    From a source wider than ``aspect`` it is the largest window that fits.
    A source as narrow or narrower (a portrait phone clip asked for 9:16 or
    4:5) is never cropped: the window is the whole frame, wider than the
    picture when needed, and the renderer fills the sides with black.
    """
    return float(src_h) * float(aspect.ratio), float(src_h)


def _expand(keys: np.ndarray, n: int) -> np.ndarray:
    if len(keys) == 0:
        raise CropPathError("crop path has no keyframes")
    frames = keys[:, 0]
    if np.any(frames != np.round(frames)) or np.any(np.diff(frames) <= 0):
        raise CropPathError("keyframe frame numbers must be whole and increasing")
    if frames[0] != 0 or frames[-1] != n - 1:
        raise CropPathError(f"keyframes must start at frame 0 and end at frame {n - 1}")
    t = np.arange(n)
    return np.stack([np.interp(t, frames, keys[:, c]) for c in range(1, 5)], axis=1)


def _num(v: float) -> float | int:
    v = round(float(v), _DECIMALS)
    return int(v) if v == int(v) else v
