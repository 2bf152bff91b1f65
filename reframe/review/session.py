"""One review of a crop path: the corrections made so far, undo, save and a render in the background.

Everything here is plain Python (the web app in :mod:`reframe.review.app`
only maps requests onto it). Each correction is an override
(:mod:`reframe.overrides`) and re-plans the path with the same planner, so
what the page shows is what ``convert --pin/--shot`` would make.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..analysis import Analysis
from ..config import PlanConfig, RenderConfig
from ..croppath import LAYOUTS, CropPath
from ..errors import Interrupted, ReframeError, UsageError
from ..overrides import Overrides, Pin
from ..probe import VideoInfo
from ..replan import replan


class Refused(Exception):
    """A request the review turns down: an HTTP status and a one-line reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class RenderJob:
    """The background render: ``idle``, ``running``, ``done`` or ``failed``."""

    state: str = "idle"
    fraction: float = 0.0
    output: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class _Version:
    path: CropPath
    base: CropPath  # what a re-plan without the analysis starts from
    analysis: Analysis | None


class Review:
    """The crop path under review for one source.

    With ``analysis`` every correction re-plans from it; without (a path
    loaded from a file) the corrected shots are re-planned from
    ``saved_analysis`` (the video's analysis saved with the path) when given,
    else from the path's own detections (:func:`reframe.replan.replan`).
    """

    def __init__(
        self, info: VideoInfo, path: CropPath, *, analysis: Analysis | None = None, save_to: Path, output: Path,
        render_config: RenderConfig = RenderConfig(), zoom_max: float = 1.25, saved_analysis: Analysis | None = None,
    ) -> None:
        self.info = info
        self.saved_analysis = saved_analysis
        self.save_to = Path(save_to)
        self.output = Path(output)
        self.render_config = render_config
        self.zoom_max = zoom_max
        self._now = _Version(path, path, analysis)
        self._history: list[_Version] = []
        self._lock = threading.Lock()
        self.job = RenderJob()
        self._rendered = False  # the output is this review's own once it rendered it
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def path(self) -> CropPath:
        return self._now.path

    # -- what the page reads ----------------------------------------------------

    def shots(self) -> list[dict]:
        fps_times = self.times()
        path = self.path
        full = path.content_box[3] * float(path.aspect.ratio)  # the full-height window's width
        out = []
        for i, s in enumerate(path.shots):
            zoom = float(np.median(path.windows[s.start : s.end, 2])) / full
            out.append({
                "index": i, "start": s.start, "end": s.end, "time": fps_times[s.start],
                "end_time": fps_times[s.end - 1] + 1.0 / float(self.info.fps), "subject": s.subject,
                "layout": s.layout, "reason": s.reason, "note": s.note, "split_possible": s.start in path.panels,
                "window_width": float(np.median(path.windows[s.start : s.end, 2])), "zoom": round(zoom, 3),
            })
        return out

    def times(self) -> list[float]:
        """Each frame's time in seconds from the first frame (what the page's video reports)."""
        t = self.info.timestamps - self.info.timestamps[0]
        return [round(float(v), 6) for v in t]

    def view(self) -> dict:
        """Everything the page draws: the crop path, every frame's window and the panels of split shots."""
        path = self.path
        return {
            "path": path.to_dict(),
            "windows": np.round(path.windows, 2).tolist(),
            "panels": {str(k): np.round(v, 2).tolist() for k, v in path.panels.items()},
            "fit": list(path.fit_window()),
            "times": self.times(),
            "shots": self.shots(),
            "can_undo": bool(self._history),
            "save_to": str(self.save_to),
            "output": str(self.output),
        }

    def detections(self) -> list[dict]:
        dets = self.path.detections or {}
        return [{"frame": int(f), "items": d.to_list()} for f, d in sorted(dets.items()) if len(d)]

    # -- corrections -------------------------------------------------------------

    def set_shot(self, index, layout=None, zoom=None) -> dict:
        index = self._shot_index(index)
        if layout is not None and layout not in LAYOUTS:
            raise Refused(422, f"layout {layout!r} is not one of: {', '.join(LAYOUTS)}")
        if layout == "split" and self.path.shots[index].start not in self.path.panels:
            raise Refused(409, f"shot {index} has no two people to give a panel each; use follow or fit")
        if zoom is not None:
            zoom = _number(zoom, "zoom")
            if not 1.0 <= zoom <= 2.0:
                raise Refused(422, f"zoom {zoom:g} must be between 1 (the full-height window) and 2")
        if layout is None and zoom is None:
            raise Refused(400, "give a layout, a zoom or both")
        return self._correct(self.path.overrides.with_shot(index, layout, zoom))

    def pin(self, x, y, time=None, frame=None) -> dict:
        """Follow the subject nearest ``(x, y)`` from ``time`` seconds (or ``frame``) to the end of its shot."""
        if frame is not None:
            time = self.times()[self._frame(frame)]
        elif time is None:
            raise Refused(400, "give the time (seconds) or the frame to pin at")
        time = _number(time, "time")
        if not 0 <= time <= self.info.duration:
            raise Refused(422, f"time {time:g} s is outside the video (0 to {self.info.duration:.2f} s)")
        x, y = self._point(x, y)
        return self._correct(self.path.overrides.with_pin(Pin(time, x, y)))

    def keyframe(self, frame, x, y) -> dict:
        """The window's top-left corner at ``(x, y)`` on ``frame``; the shot moves with it."""
        frame = self._frame(frame)
        x, y = _number(x, "x"), _number(y, "y")
        return self._correct(self.path.overrides.with_keyframe(frame, x, y))

    def undo(self) -> dict:
        with self._lock:
            if not self._history:
                raise Refused(409, "nothing to undo")
            self._now = self._history.pop()
        return self.view()

    def load(self, data) -> dict:
        """Replace the path under review with a crop path (its JSON as a dict)."""
        if not isinstance(data, dict):
            raise Refused(400, "send a crop path: a JSON object")
        try:
            path = CropPath.from_dict(data)
        except ReframeError as e:
            raise Refused(422, str(e)) from None
        s, i = path.source, self.info
        if (s.width, s.height, s.frame_count) != (i.width, i.height, i.frame_count):
            raise Refused(
                409, f"crop path was planned for a {s.width}x{s.height} video of {s.frame_count} frames ({s.name}), "
                f"not for {i.path.name} ({i.width}x{i.height}, {i.frame_count} frames)",
            )
        with self._lock:
            self._history.append(self._now)
            self._now = _Version(path, path, None)
        return self.view()

    def _correct(self, overrides: Overrides) -> dict:
        with self._lock:
            now = self._now
            try:
                if now.analysis is not None:
                    from ..plan import Planner

                    config = PlanConfig(aspect=now.path.aspect, motion=now.path.shots[0].motion, zoom_max=self.zoom_max)
                    path = Planner(config).run(now.analysis, overrides)
                else:
                    path = replan(now.base, self.info, overrides, self.zoom_max, self.saved_analysis)
            except UsageError as e:
                raise Refused(422, str(e)) from None
            except ReframeError as e:  # nothing to re-plan from
                raise Refused(409, str(e)) from None
            self._history.append(now)
            self._now = _Version(path, now.base, now.analysis)
        return self.view()

    def _shot_index(self, index) -> int:
        if isinstance(index, bool) or not isinstance(index, int):
            raise Refused(400, f"shot must be a whole number, not {index!r}")
        if not 0 <= index < len(self.path.shots):
            raise Refused(404, f"shot {index} does not exist: the video has shots 0 to {len(self.path.shots) - 1}")
        return index

    def _frame(self, frame) -> int:
        if isinstance(frame, bool) or not isinstance(frame, int):
            raise Refused(400, f"frame must be a whole number, not {frame!r}")
        n = self.info.frame_count
        if not 0 <= frame < n:
            raise Refused(422, f"frame {frame} is outside the video (frames 0 to {n - 1})")
        return frame

    def _point(self, x, y) -> tuple[float, float]:
        x, y = _number(x, "x"), _number(y, "y")
        if not (0 <= x <= self.info.width and 0 <= y <= self.info.height):
            raise Refused(422, f"point ({x:g}, {y:g}) is outside the {self.info.width}x{self.info.height} picture")
        return x, y

    # -- save and render ---------------------------------------------------------

    def save(self) -> dict:
        try:
            # Atomic (a temporary file renamed into place), with the detections: a review of the
            # saved path re-plans its corrections from them.
            self.path.save(self.save_to, with_detections=True)
        except ReframeError as e:
            raise Refused(500, str(e)) from None
        return {"saved": str(self.save_to)}

    def start_render(self) -> dict:
        from ..pipeline import render

        with self._lock:
            if self.job.state == "running":
                raise Refused(409, "a render is already running")
            if self.output.exists() and not (self._rendered or self.render_config.overwrite):
                raise Refused(409, f"{self.output} already exists; start the review with --overwrite to replace it")
            path, self.job = self.path, RenderJob("running", 0.0, str(self.output))
        config = RenderConfig(**{**self.render_config.__dict__, "overwrite": True})

        def progress(stage: str, fraction: float) -> None:
            if self._stop.is_set():
                raise Interrupted("review stopped")
            self.job.fraction = float(fraction)

        def work() -> None:
            try:
                render(self.info.path, path, self.output, config, progress, info=self.info)
                self._rendered = True
                self.job.fraction, self.job.state = 1.0, "done"
            except ReframeError as e:
                self.job.error, self.job.state = str(e), "failed"

        self._thread = threading.Thread(target=work, name="reframe-review-render", daemon=True)
        self._thread.start()
        return self.render_status()

    def render_status(self) -> dict:
        j = self.job
        return {"state": j.state, "fraction": round(j.fraction, 4), "output": j.output, "error": j.error}

    def close(self) -> None:
        """Stop a render in progress (its partial file is removed) and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def _number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise Refused(400, f"{name} must be a number, not {value!r}")
    return float(value)
