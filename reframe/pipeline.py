"""One-call helpers: probe, analyze, plan and render a file, in one or several formats."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import fields
from pathlib import Path

from .analyze import Analysis, Analyzer
from .config import AnalyzeConfig, Aspect, PlanConfig, ProgressCallback, RenderConfig
from .croppath import CropPath
from .errors import UsageError
from .overrides import Overrides
from .probe import VideoInfo, probe
from .render import RenderResult, check_encoder, check_output, render_many


def analyze_file(
    src: str | os.PathLike | VideoInfo,
    analyze_config: AnalyzeConfig = AnalyzeConfig(),
    progress: ProgressCallback | None = None,
) -> Analysis:
    """Probe (unless given a VideoInfo) and analyze ``src``."""
    info = src if isinstance(src, VideoInfo) else probe(src)
    with Analyzer(analyze_config) as analyzer:
        return analyzer.run(info, progress)


def plan_file(
    src: str | os.PathLike | VideoInfo,
    analyze_config: AnalyzeConfig = AnalyzeConfig(),
    plan_config: PlanConfig = PlanConfig(),
    progress: ProgressCallback | None = None,
) -> CropPath:
    """Probe (unless given a VideoInfo), analyze and plan ``src``: its crop path, without rendering."""
    from .plan import Planner

    return Planner(plan_config).run(analyze_file(src, analyze_config, progress))


def parse_aspects(text: str | Aspect | Iterable[str | Aspect]) -> list[Aspect]:
    """``"9:16,4:5"`` or a list of aspects -> distinct aspects, in order.

    >>> [str(a) for a in parse_aspects("9:16, 4:5,9:16")]
    ['9:16', '4:5']
    """
    items = text.split(",") if isinstance(text, str) else [text] if isinstance(text, Aspect) else list(text)
    out: list[Aspect] = []
    for item in items:
        a = Aspect.parse(item)
        if a not in out:
            out.append(a)
    if not out:
        raise UsageError("no aspect given")
    return out


def output_paths(dst: str | os.PathLike, aspects: Iterable[Aspect]) -> dict[Aspect, Path]:
    """Where each format goes: ``dst`` itself for one aspect, else ``<stem>_<W>x<H><suffix>``.

    >>> {str(a): p.name for a, p in output_paths("clip.mp4", parse_aspects("9:16,1:1")).items()}
    {'9:16': 'clip_9x16.mp4', '1:1': 'clip_1x1.mp4'}
    """
    dst, aspects = Path(dst), list(aspects)
    if len(aspects) == 1:
        return {aspects[0]: dst}
    return {a: dst.with_name(f"{dst.stem}_{a.w}x{a.h}{dst.suffix or '.mp4'}") for a in aspects}


def _split_options(options: dict) -> dict[type, dict]:
    configs = {}
    for cls in (AnalyzeConfig, PlanConfig, RenderConfig):
        names = {f.name for f in fields(cls)} - {"aspect"}
        configs[cls] = {k: options.pop(k) for k in list(options) if k in names}
    if options:
        raise UsageError(f"unknown option(s): {', '.join(sorted(options))}")
    return configs


def convert(
    src: str | os.PathLike,
    outputs: Mapping[str | Aspect, str | os.PathLike],
    *,
    save_paths: Mapping[str | Aspect, str | os.PathLike] | None = None,
    progress: ProgressCallback | None = None,
    analyzer: Analyzer | None = None,
    overrides: Overrides | None = None,
    with_detections: bool = False,
    save_analysis: str | os.PathLike | None = None,
    **options,
) -> list[RenderResult]:
    """Convert ``src`` into one file per aspect, from a single analysis.

    ``outputs`` maps an aspect to its destination, ``save_paths`` (optional)
    an aspect to where its crop path JSON goes. ``options`` are fields of
    :class:`AnalyzeConfig`, :class:`PlanConfig` and :class:`RenderConfig`.
    Every destination is checked before the analysis starts. ``analyzer``
    reuses detectors already built (for many files in a row); its config
    must equal the one the options describe. ``overrides`` are corrections
    by hand (:mod:`reframe.overrides`: pinned subjects, shot layouts).
    ``with_detections`` writes the detections into the saved crop paths;
    ``save_analysis`` (optional) is where the analysis JSON goes
    (:mod:`reframe.analysis`).

    >>> # convert("talk.mp4", {"9:16": "talk_9x16.mp4", "4:5": "talk_4x5.mp4"})
    """
    from .plan import Planner

    configs = _split_options(dict(options))
    render_config = RenderConfig(**configs[RenderConfig])
    targets = {Aspect.parse(a): Path(p) for a, p in outputs.items()}
    saves = {Aspect.parse(a): Path(p) for a, p in (save_paths or {}).items()}
    if not targets:
        raise UsageError("no output given")
    if len(set(targets.values())) != len(targets):
        raise UsageError("two formats would be written to the same file")
    # Refuse a bad destination before spending time on the analysis.
    for dst in targets.values():
        check_output(src, dst, render_config.overwrite)
    check_encoder(render_config.encoder)
    PlanConfig(**configs[PlanConfig])  # bad plan options fail now, not after the analysis
    # Probe once: the packet scan serves the analysis and every render.
    info = probe(src)
    analyze_config = AnalyzeConfig(**configs[AnalyzeConfig])
    if analyzer is None:
        analysis = analyze_file(info, analyze_config, progress)
    elif analyzer.config != analyze_config:
        raise UsageError("the analyzer given was built for other analysis options")
    else:
        analysis = analyzer.run(info, progress)
    if save_analysis is not None:
        analysis.save(save_analysis)
    planned = []
    for aspect, dst in targets.items():
        path = Planner(PlanConfig(aspect=aspect, **configs[PlanConfig])).run(analysis, overrides)
        if aspect in saves:
            path.save(saves[aspect], with_detections=with_detections)
        planned.append((path, dst))
    # All formats from one decoding of the source.
    return render_many(planned, src, render_config, progress, info=info)


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
    a = Aspect.parse(aspect)
    saves = {a: save_path} if save_path is not None else None
    return convert(src, {a: dst}, save_paths=saves, progress=progress, **options)[0]
