"""Planning a saved crop path again, with corrections, without analysing the video again."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .analysis import Analysis
from .config import PlanConfig
from .croppath import CropPath
from .errors import CropPathError
from .overrides import Overrides
from .probe import VideoInfo


def analysis_from_path(path: CropPath, info: VideoInfo) -> Analysis:
    """What the planner needs, rebuilt from a crop path and a probe of its source.

    A path saved with its detections keeps those of every sample where
    something was found, its shots (the cuts) and the content box. It does
    not keep the speech track, so the planner cannot tell who speaks: the
    most prominent person leads. Samples where nothing was found are not
    saved; the planner holds what it saw before across them. A path saved
    without detections is refused (:class:`CropPathError`): plan from the
    saved analysis instead (``replan(..., analysis=...)``).
    """
    path.check_video(info)
    if path.detections is None:
        raise CropPathError(
            f"crop path of {path.source.name} carries no detections to plan again from: give the analysis "
            "saved with it (--analysis FILE, from --save-analysis), or save the path with --with-detections"
        )
    return Analysis(info, tuple(path.cuts), dict(path.detections), content=path.content)


def replan(
    path: CropPath, info: VideoInfo, overrides: Overrides, zoom_max: float = 1.25, analysis: Analysis | None = None
) -> CropPath:
    """``path`` with ``overrides`` (replacing its own): the shots either of them touches are planned
    again, from ``analysis`` when given (the video's saved analysis, speech included), else from the
    path's own detections (see :func:`analysis_from_path`); the others are kept as they were."""
    config = PlanConfig(aspect=path.aspect, motion=path.shots[0].motion, zoom_max=zoom_max)
    from .plan import Planner

    if analysis is None:
        analysis = analysis_from_path(path, info)
    else:
        path.check_video(info)
        analysis.check_video(info)
    fresh = Planner(config).run(analysis, overrides)
    if [s.start for s in fresh.shots] != [s.start for s in path.shots]:
        raise CropPathError("the analysis finds other shots than the crop path has: it is not the path's analysis")
    windows, shots, panels = path.windows.copy(), list(path.shots), dict(path.panels)
    for i in _touched(path, overrides, info) | _touched(path, path.overrides, info):
        shot = fresh.shots[i]
        windows[shot.start : shot.end] = fresh.windows[shot.start : shot.end]
        shots[i] = shot
        panels.pop(shot.start, None)
        if shot.start in fresh.panels:
            panels[shot.start] = fresh.panels[shot.start]
    return replace(
        path, windows=windows, shots=tuple(shots), panels=panels, overrides=overrides, detections=fresh.detections
    )


def _touched(path: CropPath, overrides: Overrides, info: VideoInfo) -> set[int]:
    """Indices of the shots with a correction."""
    times = info.timestamps - info.timestamps[0]
    frames = [f for f, _, _ in overrides.keyframes]
    frames += [max(0, int(np.searchsorted(times, p.time + 1e-4, side="right")) - 1) for p in overrides.pins]
    return set(overrides.shots) | {path.shots.index(path.shot_of(f)) for f in frames}
