"""The one-call helper: probe, analyze, plan and render a file."""

from __future__ import annotations

import os
from dataclasses import fields

from .analyze import Analyzer
from .config import AnalyzeConfig, Aspect, PlanConfig, ProgressCallback, RenderConfig
from .croppath import CropPath
from .probe import VideoInfo, probe
from .render import RenderResult, check_output, render


def plan_file(
    src: str | os.PathLike | VideoInfo,
    analyze_config: AnalyzeConfig = AnalyzeConfig(),
    plan_config: PlanConfig = PlanConfig(),
    progress: ProgressCallback | None = None,
) -> CropPath:
    """Probe (unless given a VideoInfo), analyze and plan ``src``: its crop path, without rendering."""
    from .plan import Planner

    info = src if isinstance(src, VideoInfo) else probe(src)
    with Analyzer(analyze_config) as analyzer:
        analysis = analyzer.run(info, progress)
    return Planner(plan_config).run(analysis)


def reframe(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    *,
    aspect: str | Aspect = "9:16",
    save_path: str | os.PathLike | None = None,
    progress: ProgressCallback | None = None,
    **options,
) -> RenderResult:
    """Convert ``src`` into a vertical ``dst`` in one call.

    ``options`` are fields of :class:`AnalyzeConfig`, :class:`PlanConfig` and
    :class:`RenderConfig` (for example ``size="1080x1920"``, ``crf=20``,
    ``preset="veryfast"``, ``overwrite=True``, ``max_speed=0.3``).
    ``save_path`` also writes the crop path JSON there.

    >>> # import reframe; reframe.reframe("talk.mp4", "talk_vertical.mp4", aspect="4:5")
    """
    configs = {}
    for cls in (AnalyzeConfig, PlanConfig, RenderConfig):
        names = {f.name for f in fields(cls)}
        configs[cls] = {k: options.pop(k) for k in list(options) if k in names}
    if options:
        from .errors import UsageError

        raise UsageError(f"unknown option(s): {', '.join(sorted(options))}")
    render_config = RenderConfig(**configs[RenderConfig])
    plan_config = PlanConfig(aspect=Aspect.parse(aspect), **configs[PlanConfig])
    # Refuse a bad destination before spending time on the analysis.
    check_output(src, dst, render_config.overwrite)
    # Probe once: the packet scan serves both the analysis and the render.
    info = probe(src)
    path = plan_file(info, AnalyzeConfig(**configs[AnalyzeConfig]), plan_config, progress)
    if save_path is not None:
        path.save(save_path)
    return render(path, src, dst, render_config, progress, info=info)
