"""The crop path: where the virtual camera looks at every frame.

A plain, versioned, serialisable object between planning and rendering. Save
it, edit it by hand, render it again without re-analysis.

JSON layout (``version`` 3)::

    {
      "format": "reframe.croppath",
      "version": 3,
      "source": {"name": "in.mp4", "width": 1920, "height": 1080,
                 "fps": "30000/1001", "frame_count": 300, "duration": 10.01},
      "aspect": "9:16",
      "content": [0, 0, 1920, 1080],
      "shots": [{"start": 0, "end": 120, "subject": "people", "layout": "split", "motion": "calm",
                 "reason": "...", "note": "...",
                 "panels": [[[frame, x, y, w, h], ...], [[frame, x, y, w, h], ...]],
                 "subtitles": {"band": [x, y, w, h], "place": [x, y, w, h]}}],
      "keyframes": [[frame, x, y, w, h], ...],
      "detections": [{"frame": 0, "items": [{"box": [x1, y1, x2, y2], "score": 0.9, "kind": "face"}]}],
      "overrides": {"pins": [...], "shots": {...}, "keyframes": [...]}
    }

``detections`` (what the analysis found on each sample where it found
something, rounded) is written only when asked for (``with_detections``):
it explains the path and lets a correction re-plan from the path alone
(:mod:`reframe.replan`). The analysis itself has its own file
(:mod:`reframe.analysis`). A path loaded from a file without the field has
``detections`` None.

Windows are ``[x, y, w, h]`` in display pixels of the source. Between two
keyframes a window is the linear interpolation of the two, rounded to 0.01
px; the writer picks keyframes so that this expansion reproduces every
frame's window exactly. Each shot's first and last frames are keyframes, so
no interpolation crosses a cut. A hand-written file may instead give
``"windows": [[x, y, w, h], ...]`` with one entry per frame.

Each shot has a ``layout`` (see :data:`LAYOUTS`): ``follow`` shows the
window; ``split`` stacks two panels, each a window track of its own (in
``panels``, keyframed like the main path, from the shot's first to its last
frame); ``fit`` shows the whole ``content`` box (the picture inside any
burned-in bars) over a blurred copy of itself. The main window path is kept
for every shot, so changing a shot's layout to ``follow`` by hand always
works, and so does ``fit``; ``split`` needs panels, which the planner writes
for every shot with two people to give them to.

A shot's optional ``subtitles`` moves its burned-in subtitle band: ``band``
is where the lines are in the source (display pixels), ``place`` where the
band is shown, as fractions of the output's width and height; the picture's
own copy of those rows is covered (see :mod:`reframe.subtitle_place`).

Version 1 files (no layouts, panels or content box) still load: every shot
is ``follow`` and the content is the whole source. Version 2 files load as
they are: version 3 only adds optional fields: a shot's ``subtitles`` and the
``overrides``, corrections made by hand (:mod:`reframe.overrides`) that a re-plan applies again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import ClassVar

import numpy as np

from .config import Aspect
from .detections import Detections
from . import jsonfile
from .errors import CropPathError, UsageError
from .subtitle_place import MovedBand
from .overrides import Overrides

FORMAT = "reframe.croppath"
VERSION = 3
READS = (1, 2, 3)  # versions this reframe can load
_DECIMALS = 2

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


@dataclass(frozen=True)
class CropPath(jsonfile.JsonFile):
    """Per-frame crop windows for one source, with its shots and detections.

    ``detections`` are the analysis' per-sample boxes the path was planned
    from (None: a path loaded from a file that does not carry them).
    ``windows`` is ``(frame_count, 4)`` float64 ``[x, y, w, h]``: the
    camera of ``follow`` shots, kept for the others too. ``panels`` maps a
    shot's first frame to its two panel tracks, ``(2, len(shot), 4)``.
    ``content`` is the picture inside any burned-in bars (None: the whole
    source).

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
    detections: dict[int, Detections] | None = field(default_factory=dict, compare=False)
    version: int = VERSION
    content: tuple[float, float, float, float] | None = None
    panels: dict[int, np.ndarray] = field(default_factory=dict, compare=False)
    # Corrections by hand (reframe.overrides) that a re-plan applies again.
    overrides: Overrides = field(default_factory=Overrides, compare=False)

    WHAT: ClassVar[str] = "crop path"
    ERROR: ClassVar[type[CropPathError]] = CropPathError

    def __post_init__(self) -> None:
        w = np.round(np.asarray(self.windows, dtype=np.float64).reshape(-1, 4), _DECIMALS)
        object.__setattr__(self, "windows", w)
        object.__setattr__(self, "shots", tuple(self.shots))
        if self.content is not None:
            object.__setattr__(self, "content", tuple(round(float(v), _DECIMALS) for v in self.content))
        panels = {
            int(k): np.round(np.asarray(v, dtype=np.float64).reshape(2, -1, 4), _DECIMALS)
            for k, v in self.panels.items()
        }
        object.__setattr__(self, "panels", panels)
        self.validate()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CropPath):
            return NotImplemented
        return (
            self.source == other.source
            and self.aspect == other.aspect
            and self.shots == other.shots
            and self.content_box == other.content_box
            and np.array_equal(self.windows, other.windows)
            and self.panels.keys() == other.panels.keys()
            and all(np.array_equal(v, other.panels[k]) for k, v in self.panels.items())
        )

    def validate(self) -> None:
        """Raise :class:`CropPathError` unless windows and shots fit the source."""
        n = self.source.frame_count
        if len(self.windows) != n:
            raise CropPathError(f"crop path has {len(self.windows)} windows for {n} frames")
        if n == 0:
            raise CropPathError("crop path has no frames")
        self._check_windows(self.windows, "window of frame", 0)
        if not self.shots or self.shots[0].start != 0 or self.shots[-1].end != n:
            raise CropPathError("shots must cover every frame from 0 to frame_count")
        for a, b in zip(self.shots, self.shots[1:]):
            if a.end != b.start:
                raise CropPathError(f"shots [{a.start}, {a.end}) and [{b.start}, {b.end}) are not adjacent")
        cx, cy, cw, ch = self.content_box
        W, H, tol = self.source.width, self.source.height, 0.011
        if cw <= 1 or ch <= 1 or cx < 0 or cy < 0 or cx + cw > W + tol or cy + ch > H + tol:
            raise CropPathError(f"content box {list(self.content_box)} is not inside the source")
        starts = {s.start: s for s in self.shots}
        for start, tracks in self.panels.items():
            shot = starts.get(start)
            if shot is None:
                raise CropPathError(f"panels given for frame {start}, which starts no shot")
            if tracks.shape != (2, len(shot), 4):
                raise CropPathError(
                    f"shot [{shot.start}, {shot.end}) needs two panel tracks of {len(shot)} windows each"
                )
            for track in tracks:
                self._check_windows(track, "panel window of frame", start)
        for shot in self.shots:
            if shot.subtitles is not None:
                shot.subtitles.check_inside(W, H, f"shot [{shot.start}, {shot.end})")
            if shot.layout == "split" and shot.start not in self.panels:
                raise CropPathError(
                    f"shot [{shot.start}, {shot.end}) has layout split but no panels; use follow or fit, "
                    "or plan it again with --layout split"
                )
        try:
            self.overrides.check(len(self.shots), n, self.source.duration)
        except UsageError as e:
            raise CropPathError(f"crop path overrides: {e}") from e

    def _check_windows(self, windows: np.ndarray, what: str, first: int) -> None:
        x, y, w, h = windows.T
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
            raise CropPathError(f"{what} {first + bad} {windows[bad].tolist()} leaves the {W}x{H} source")

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

    def with_layout(self, layout: str, shots: list[int] | None = None) -> CropPath:
        """A copy with ``layout`` for the shots at these indices (all by default).

        ``split`` applies to shots with panels: for all shots the others keep
        their layout; a shot named without panels raises :class:`CropPathError`.
        """
        if layout not in LAYOUTS:
            raise UsageError(f"layout {layout!r} is not one of: {', '.join(LAYOUTS)}")
        chosen = range(len(self.shots)) if shots is None else shots
        new = list(self.shots)
        for i in chosen:
            if layout == "split" and shots is None and new[i].start not in self.panels:
                continue
            new[i] = replace(new[i], layout=layout, reason=f"{layout} chosen by hand")
        return replace(self, shots=tuple(new))

    # -- queries ----------------------------------------------------------

    @property
    def cuts(self) -> list[int]:
        """First frame of every shot after the first."""
        return [s.start for s in self.shots[1:]]

    def window(self, frame: int) -> tuple[float, float, float, float]:
        x, y, w, h = self.windows[frame]
        return float(x), float(y), float(w), float(h)

    @property
    def content_box(self) -> tuple[float, float, float, float]:
        """The picture inside any burned-in bars: ``(x, y, w, h)``."""
        return self.content or (0.0, 0.0, float(self.source.width), float(self.source.height))

    def fit_window(self) -> tuple[float, float, float, float]:
        """The window of the output aspect that shows the whole content box (``fit``).

        It reaches beyond the picture on one axis; the renderer fills that
        part with a blurred copy of the picture.
        """
        x, y, w, h = self.content_box
        r = float(self.aspect.ratio)
        if w / h >= r:  # wider than the output: full width, padded above and below
            return x, y + h / 2 - w / r / 2, w, w / r
        return x + w / 2 - h * r / 2, y, h * r, h

    def shot_of(self, frame: int) -> Shot:
        """The shot holding ``frame``."""
        starts = [s.start for s in self.shots]
        return self.shots[int(np.searchsorted(starts, frame, side="right")) - 1]

    def views(self) -> np.ndarray:
        """What each frame shows of the source: ``(frame_count, 2, 4)`` windows, NaN where unused.

        A ``follow`` frame shows its window, a ``split`` frame its two
        panels, a ``fit`` frame the :meth:`fit_window`.
        """
        out = np.full((self.source.frame_count, 2, 4), np.nan)
        for shot in self.shots:
            part = slice(shot.start, shot.end)
            if shot.layout == "split":
                out[part] = self.panels[shot.start].transpose(1, 0, 2)
            elif shot.layout == "fit":
                out[part, 0] = self.fit_window()
            else:
                out[part, 0] = self.windows[part]
        return out

    def magnification(self) -> np.ndarray:
        """How large each view of :meth:`views` shows the picture, ``(frame_count, 2)``, NaN where unused.

        1 is the scale of the full-height window (the content's height
        filling the output's); a ``fit`` of a 16:9 picture in 9:16 is 0.32,
        a window zoomed out 1.25x is 0.8, a split panel is sized on its
        person and is about 1.

        >>> src = SourceRef("a.mp4", 1920, 1080, Fraction(30), 3, 0.1)
        >>> CropPath.centered(src, Aspect(9, 16)).with_layout("fit").magnification()[0].round(2).tolist()
        [0.32, nan]
        """
        full = window_size(self.content_box[2], self.content_box[3], self.aspect)[0]
        stacked, _ = panel_layout(self.aspect)
        views = self.views()
        mag = full / views[:, :, 2]
        for shot in self.shots:
            if shot.layout == "split" and not stacked:
                mag[shot.start : shot.end] /= 2  # side by side: each panel gets half the output width
        return mag

    # -- serialisation ----------------------------------------------------

    def keyframes(self) -> list[int]:
        """Frames whose windows, linearly interpolated, give every window back."""
        return sorted(f for shot in self.shots for f in _keyframes(self.windows, shot.start, shot.end))

    def to_dict(self, with_detections: bool = False) -> dict:
        """The JSON object; ``with_detections`` adds the detections (when the path has them)."""
        src = self.source
        out = {
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
            "content": [_num(v) for v in self.content_box],
            "shots": [self._shot_dict(s) for s in self.shots],
            "keyframes": [[f, *(_num(v) for v in self.windows[f])] for f in self.keyframes()],
        }
        if with_detections and self.detections is not None:
            out["detections"] = [
                {"frame": int(f), "items": d.to_list()} for f, d in sorted(self.detections.items()) if len(d)
            ]
        return out | ({"overrides": self.overrides.to_dict()} if self.overrides else {})

    def _shot_dict(self, s: Shot) -> dict:
        d = {"start": s.start, "end": s.end, "subject": s.subject, "layout": s.layout, "motion": s.motion,
             "reason": s.reason, "note": s.note}
        if s.start in self.panels:
            d["panels"] = [
                [[s.start + f, *(_num(v) for v in track[f])] for f in _keyframes(track, 0, len(s))]
                for track in self.panels[s.start]
            ]
        if s.subtitles is not None:
            d["subtitles"] = s.subtitles.to_dict()
        return d

    def to_json(self, indent: int | None = None, with_detections: bool = False) -> str:
        return json.dumps(self.to_dict(with_detections), indent=indent)

    def check_video(self, info) -> None:
        """Raise :class:`CropPathError` unless the path was planned for a video shaped like ``info`` (a VideoInfo)."""
        s = self.source
        if (s.width, s.height, s.frame_count) != (info.width, info.height, info.frame_count):
            raise CropPathError(
                f"crop path was planned for a {s.width}x{s.height} video of {s.frame_count} frames ({s.name}), "
                f"but {info.path.name} is {info.width}x{info.height} with {info.frame_count} frames; "
                "analyze this video again"
            )

    def save(self, path: str | os.PathLike, with_detections: bool = False) -> None:
        """Write the JSON atomically (a partial file renamed into place, :mod:`reframe.atomic`),
        with the detections when ``with_detections``."""
        jsonfile.write(path, self.to_json(indent=1, with_detections=with_detections) + "\n", "crop path")

    @classmethod
    def from_dict(cls, data: dict) -> CropPath:
        """A crop path from its JSON object (:meth:`from_json` and :meth:`load` read the text or file)."""
        jsonfile.check_format(data, FORMAT, READS, "crop path", CropPathError)
        with jsonfile.malformed("crop path", CropPathError):
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
                    str(d.get("motion", "calm")), str(d.get("layout", "follow")), str(d.get("reason", "")),
                    _moved_band(d),
                )
                for d in data["shots"]
            )
            panels = {
                int(d["start"]): np.stack([_expand_panel(t, int(d["start"]), int(d["end"])) for t in d["panels"]])
                for d in data["shots"]
                if d.get("panels")
            }
            content = data.get("content")
            dets = None
            if data.get("detections") is not None:
                dets = {int(d["frame"]): Detections.from_list(d["items"]) for d in data["detections"]}
            return cls(
                source, Aspect.parse(data["aspect"]), windows, shots, dets,
                content=tuple(float(v) for v in content) if content is not None else None, panels=panels,
                overrides=Overrides.from_dict(data.get("overrides") or {}),
            )



def window_size(src_w: float, src_h: float, aspect: Aspect) -> tuple[float, float]:
    """The window of ``aspect`` at the source's full height.

    From a source wider than ``aspect`` it is the largest window that fits.
    A source as narrow or narrower (a portrait phone clip asked for 9:16 or
    4:5) is never cropped: the window is the whole frame, wider than the
    picture when needed, and the renderer fills the sides with black.
    """
    return float(src_h) * float(aspect.ratio), float(src_h)


def _keyframes(windows: np.ndarray, start: int, end: int) -> list[int]:
    """Indices in ``[start, end)`` whose windows, linearly interpolated, give every window back."""
    keep = {start, end - 1}
    tol = 0.4 * 10.0**-_DECIMALS
    stack = [(start, end - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        t = (np.arange(a, b + 1) - a) / (b - a)
        seg = windows[a : b + 1]
        interp = seg[0] + t[:, None] * (seg[-1] - seg[0])
        err = np.abs(interp - seg).max(axis=1)
        i = int(np.argmax(err))
        if err[i] > tol:
            keep.add(a + i)
            stack += [(a, a + i), (a + i, b)]
    return sorted(keep)


def _expand(keys: np.ndarray, n: int, first: int = 0) -> np.ndarray:
    """Per-frame windows of frames ``first`` to ``first + n - 1`` from ``[frame, x, y, w, h]`` keyframes."""
    if len(keys) == 0:
        raise CropPathError("crop path has no keyframes")
    frames = keys[:, 0]
    if np.any(frames != np.round(frames)) or np.any(np.diff(frames) <= 0):
        raise CropPathError("keyframe frame numbers must be whole and increasing")
    if frames[0] != first or frames[-1] != first + n - 1:
        raise CropPathError(f"keyframes must start at frame {first} and end at frame {first + n - 1}")
    t = np.arange(first, first + n)
    return np.stack([np.interp(t, frames, keys[:, c]) for c in range(1, 5)], axis=1)


def _moved_band(shot: dict) -> MovedBand | None:
    if shot.get("subtitles") is None:
        return None
    return MovedBand.from_dict(shot["subtitles"], f"shot [{shot.get('start')}, {shot.get('end')})")


def _expand_panel(keys, start: int, end: int) -> np.ndarray:
    return _expand(np.asarray(keys, dtype=np.float64).reshape(-1, 5), end - start, start)


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


def _num(v: float) -> float | int:
    v = round(float(v), _DECIMALS)
    return int(v) if v == int(v) else v
