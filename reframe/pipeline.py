"""The public operations: probe, analyze, plan, render and convert a video.

Every operation takes the source first and its settings as the config
objects of :mod:`reframe.config`. This module imports only the settings; each
operation imports its stage when called, so ``import reframe`` stays light.
The names of earlier releases (``reframe.reframe``, ``analyze_file``,
``plan_file``, option keywords instead of configs, ``render`` with the crop
path first) still work and raise a :class:`DeprecationWarning`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .config import AnalyzeConfig, Aspect, PlanConfig, ProgressCallback, RenderConfig
from .errors import UsageError
from .probe import VideoInfo, probe

if TYPE_CHECKING:
    from .analysis import Analysis
    from .analyze import Analyzer
    from .croppath import CropPath
    from .overrides import Overrides
    from .render import RenderResult


def deprecated(old: str, new: str) -> None:
    """Warn, at the caller's caller, that ``old`` is to be replaced by ``new``."""
    warnings.warn(f"{old} is deprecated and will be removed in the next release; use {new}",
                  DeprecationWarning, stacklevel=3)


def analyze(
    src: str | os.PathLike | VideoInfo,
    config: AnalyzeConfig = AnalyzeConfig(),
    progress: ProgressCallback | None = None,
    *,
    analyzer: Analyzer | None = None,
) -> Analysis:
    """Probe ``src`` (unless given a VideoInfo), find its cuts and detect subjects on sampled frames.

    ``analyzer`` reuses detectors already built (for many files in a row);
    its config must equal ``config``.
    """
    from .analyze import Analyzer

    info = src if isinstance(src, VideoInfo) else probe(src)
    if analyzer is not None:
        if analyzer.config != config:
            raise UsageError("the analyzer given was built for other analysis options")
        return analyzer.run(info, progress)
    with Analyzer(config) as own:
        return own.run(info, progress)


def plan(
    src: Analysis | str | os.PathLike | VideoInfo,
    config: PlanConfig = PlanConfig(),
    overrides: Overrides | None = None,
    *,
    analyze_config: AnalyzeConfig = AnalyzeConfig(),
    progress: ProgressCallback | None = None,
) -> CropPath:
    """The crop path of ``src``: an :class:`Analysis`, or a video (a path or
    VideoInfo) analyzed first with ``analyze_config``. ``overrides`` are
    corrections by hand (:mod:`reframe.overrides`: pinned subjects, shot layouts).

    >>> # plan("in.mp4", PlanConfig(aspect="4:5")).save("in.path.json")
    """
    from .analysis import Analysis
    from .plan import Planner

    analysis = src if isinstance(src, Analysis) else analyze(src, analyze_config, progress)
    return Planner(config).run(analysis, overrides)


def render(
    src: str | os.PathLike,
    crop_path: CropPath,
    dst: str | os.PathLike,
    config: RenderConfig = RenderConfig(),
    progress: ProgressCallback | None = None,
    info: VideoInfo | None = None,
) -> RenderResult:
    """Encode ``src`` cropped along ``crop_path`` into the MP4 ``dst``.

    Raises :class:`CropPathError` if the path was planned for another
    video, :class:`OutputError` if ``dst`` is the input or exists (unless
    ``config.overwrite``) or cannot be written, :class:`InputError` if the
    source cannot be decoded. ``info`` saves probing ``src`` again.
    """
    from .croppath import CropPath
    from .render import render_many

    if isinstance(src, CropPath):
        deprecated("render(crop_path, src, dst)", "render(src, crop_path, dst)")
        src, crop_path = crop_path, src
    return render_many(src, [(crop_path, dst)], config, progress, info=info)[0]


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


def _configs(options: dict, aspect: str | Aspect) -> tuple[AnalyzeConfig, PlanConfig, RenderConfig]:
    """The three configs from the loose option keywords of earlier releases."""
    out = []
    for cls in (AnalyzeConfig, PlanConfig, RenderConfig):
        names = {f.name for f in fields(cls)} - {"aspect"}
        out.append(cls(**{k: options.pop(k) for k in list(options) if k in names}))
    if options:
        raise UsageError(f"unknown option(s): {', '.join(sorted(options))}")
    return out[0], replace(out[1], aspect=Aspect.parse(aspect)), out[2]


def _by_aspect(where, aspect: Aspect) -> dict[Aspect, Path]:
    if isinstance(where, Mapping):
        return {Aspect.parse(a): Path(p) for a, p in where.items()}
    return {aspect: Path(where)}


def convert(
    src: str | os.PathLike,
    dst: str | os.PathLike | Mapping[str | Aspect, str | os.PathLike],
    *,
    analyze_config: AnalyzeConfig = AnalyzeConfig(),
    plan_config: PlanConfig = PlanConfig(),
    render_config: RenderConfig = RenderConfig(),
    save_path: str | os.PathLike | Mapping[str | Aspect, str | os.PathLike] | None = None,
    overrides: Overrides | None = None,
    analyzer: Analyzer | None = None,
    progress: ProgressCallback | None = None,
    with_detections: bool = False,
    save_analysis: str | os.PathLike | None = None,
    **options,
) -> list[RenderResult]:
    """Analyze, plan and render ``src`` in one go; one result per output.

    ``dst`` is the output file (at ``plan_config.aspect``), or a mapping of
    aspects to files: every format from one analysis and one decoding.
    ``save_path`` (a file, or a mapping like ``dst``) also writes the crop
    path JSON. Every destination is checked before the analysis starts.
    ``analyzer`` reuses detectors already built (for many files in a row);
    its config must equal ``analyze_config``. ``overrides`` are corrections
    by hand (:mod:`reframe.overrides`: pinned subjects, shot layouts).
    ``with_detections`` writes the detections into the saved crop paths;
    ``save_analysis`` (optional) is where the analysis JSON goes
    (:mod:`reframe.analysis`).

    >>> # convert("talk.mp4", {"9:16": "talk_9x16.mp4", "4:5": "talk_4x5.mp4"})
    """
    from .plan import Planner
    from .render import check_encoder, check_output
    from .render import render_many

    if "save_paths" in options:
        deprecated("convert(save_paths=...)", "convert(save_path=...)")
        save_path = options.pop("save_paths")
    if options:
        deprecated("convert(**options)", "convert(analyze_config=..., plan_config=..., render_config=...)")
        analyze_config, plan_config, render_config = _configs(options, plan_config.aspect)
    targets = _by_aspect(dst, plan_config.aspect)
    saves = _by_aspect(save_path, plan_config.aspect) if save_path is not None else {}
    if not targets:
        raise UsageError("no output given")
    if len(set(targets.values())) != len(targets):
        raise UsageError("two formats would be written to the same file")
    # Refuse a bad destination before spending time on the analysis.
    for path in targets.values():
        check_output(src, path, render_config.overwrite)
    check_encoder(render_config.encoder)
    # Probe once: the packet scan serves the analysis and every render.
    info = probe(src)
    analysis = analyze(info, analyze_config, progress, analyzer=analyzer)
    if save_analysis is not None:
        analysis.save(save_analysis)
    planned = []
    for aspect, path in targets.items():
        crop_path = Planner(replace(plan_config, aspect=aspect)).run(analysis, overrides)
        if aspect in saves:
            crop_path.save(saves[aspect], with_detections=with_detections)
        planned.append((crop_path, path))
    # All formats from one decoding of the source.
    return render_many(src, planned, render_config, progress, info=info)


def reframe(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    *,
    aspect: str | Aspect = "9:16",
    save_path: str | os.PathLike | None = None,
    progress: ProgressCallback | None = None,
    **options,
) -> RenderResult:
    """Deprecated: :func:`convert` with config objects."""
    deprecated("reframe.reframe", "reframe.convert")
    configs = _configs(dict(options), aspect)
    return convert(src, dst, analyze_config=configs[0], plan_config=configs[1], render_config=configs[2],
                   save_path=save_path, progress=progress)[0]


def analyze_file(
    src: str | os.PathLike | VideoInfo, analyze_config: AnalyzeConfig = AnalyzeConfig(), progress: ProgressCallback | None = None
) -> Analysis:
    """Deprecated: :func:`analyze`."""
    deprecated("reframe.analyze_file", "reframe.analyze")
    return analyze(src, analyze_config, progress)


def plan_file(
    src: str | os.PathLike | VideoInfo,
    analyze_config: AnalyzeConfig = AnalyzeConfig(),
    plan_config: PlanConfig = PlanConfig(),
    progress: ProgressCallback | None = None,
) -> CropPath:
    """Deprecated: :func:`plan`."""
    deprecated("reframe.plan_file", "reframe.plan")
    return plan(src, plan_config, analyze_config=analyze_config, progress=progress)
