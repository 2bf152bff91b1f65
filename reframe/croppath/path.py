"""CropPath: per-frame crop windows for one source, with its shots, panels and corrections."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import ClassVar

import numpy as np

from .. import jsonfile
from ..config import Aspect
from ..detections import Detections
from ..errors import CropPathError, UsageError
from ..overrides import Overrides
from . import jsonform
from .keyframes import _DECIMALS, _keyframes
from .parts import LAYOUTS, VERSION, Shot, SourceRef, panel_layout, window_size


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
        return jsonform.to_dict(self, with_detections)

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
        return jsonform.from_dict(cls, data)
