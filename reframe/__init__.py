"""reframe: landscape video in, vertical video out, people kept in frame.

The pipeline has four stages, each usable alone::

    info = reframe.probe("in.mp4")                      # VideoInfo
    analysis = reframe.analyze(info)                    # Analysis (cuts, detections)
    path = reframe.plan(analysis, reframe.PlanConfig(aspect="9:16"))  # CropPath
    path.save("in.path.json")                           # edit it, then...
    reframe.render(path, "in.mp4", "out.mp4")           # RenderResult

or in one call: ``reframe.reframe("in.mp4", "out.mp4", aspect="9:16")``.
Errors derive from :class:`ReframeError`; progress goes to a callback
``progress(stage, fraction)``; the library never prints.
"""

from .analyze import Analysis, Analyzer, analyze
from .batch import BatchEvent, BatchReport, BatchSettings, FileResult, run_batch
from .config import AnalyzeConfig, Aspect, PlanConfig, RenderConfig
from .croppath import CropPath, Shot, SourceRef
from .detections import Detections, Kind
from .errors import (
    CropPathError,
    InputError,
    Interrupted,
    OutputError,
    ReframeError,
    UnsupportedInputError,
    UsageError,
)
from .overrides import Overrides, Pin
from .pipeline import analyze_file, convert, output_paths, parse_aspects, plan_file, reframe
from .plan import Planner, plan
from .probe import AudioStreamInfo, VideoInfo, probe
from .render import RenderResult, render, render_many

__version__ = "0.1.0"

__all__ = [
    "Analysis", "Analyzer", "AnalyzeConfig", "Aspect", "AudioStreamInfo", "BatchEvent", "BatchReport", "CropPath",
    "CropPathError", "FileResult", "run_batch", "BatchSettings",
    "Detections", "InputError", "Interrupted", "Kind", "OutputError", "Overrides", "Pin", "PlanConfig", "Planner",
    "ReframeError", "RenderConfig", "RenderResult", "Shot", "SourceRef", "UnsupportedInputError",
    "UsageError", "VideoInfo", "analyze", "analyze_file", "convert", "output_paths", "parse_aspects", "plan",
    "plan_file", "probe", "reframe", "render", "render_many",
]
