"""reframe: landscape video in, vertical video out, people kept in frame.

The pipeline has four stages, each usable alone; every operation takes the
source first and its settings as a config object::

    info = reframe.probe("in.mp4")                                   # VideoInfo
    analysis = reframe.analyze(info, reframe.AnalyzeConfig())        # Analysis (cuts, detections)
    path = reframe.plan(analysis, reframe.PlanConfig(aspect="9:16"))  # CropPath
    path.save("in.path.json")                                        # edit it, then...
    reframe.render("in.mp4", path, "out.mp4", reframe.RenderConfig())  # RenderResult

or in one call: ``reframe.convert("in.mp4", "out.mp4", plan_config=reframe.PlanConfig(aspect="4:5"))``.
Errors derive from :class:`ReframeError`; progress goes to a callback
``progress(stage, fraction)``; the library never prints.

Import policy: ``import reframe`` loads the settings, the errors and the
operations only. Every other name is imported on first use (the module
``__getattr__`` below), and modules that need OpenCV, MediaPipe or PyAV
import them at their own top, so none of those load until a stage runs.
"""

import sys
import types
from importlib import import_module

from .config import (
    AnalyzeConfig,
    Aspect,
    AspectPreset,
    AudioMode,
    AudioTracks,
    Layout,
    MotionName,
    PlanConfig,
    Preset,
    ProgressCallback,
    RenderConfig,
    SubtitleMode,
)
from .errors import (
    CropPathError,
    InputError,
    Interrupted,
    OutputError,
    ReframeError,
    UnsupportedInputError,
    UsageError,
)
from .pipeline import (
    analyze,
    analyze_file,
    convert,
    output_paths,
    parse_aspects,
    plan,
    plan_file,
    probe,
    reframe,
    render,
)

__version__ = "0.1.0"

# Name -> the module that defines it, imported when the name is first used.
_LAZY = {
    "Analysis": "analysis",
    "Analyzer": "analyze",
    "AudioStreamInfo": "probe",
    "BatchEvent": "batch",
    "BatchProgress": "batch",
    "BatchReport": "batch",
    "BatchSettings": "batch",
    "CropPath": "croppath",
    "Detections": "detections",
    "Detector": "detect.protocols",
    "FaceFinder": "detect.protocols",
    "FileResult": "batch",
    "Kind": "detections",
    "MovedBand": "subtitle_place",
    "Overrides": "overrides",
    "PathWeights": "pathsolver",
    "Pin": "overrides",
    "Planner": "plan",
    "RenderResult": "render",
    "SaliencyFinder": "detect.protocols",
    "Scan": "detect.faces",
    "Shot": "croppath",
    "ShotChoice": "overrides",
    "SourceRef": "croppath",
    "SubtitleBand": "subtitles",
    "Transition": "transitions",
    "VideoInfo": "probe",
    "render_many": "render",
    "run_batch": "batch",
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'reframe' has no attribute {name!r}")
    value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(types.ModuleType):
    """Keeps ``reframe.analyze``, ``reframe.plan``, ``reframe.probe`` and
    ``reframe.render`` the operations: importing a submodule of the same name
    would otherwise rebind the name to the module."""

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, types.ModuleType) and callable(self.__dict__.get(name)):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = [
    "AnalyzeConfig", "Analysis", "Analyzer", "Aspect", "AspectPreset", "AudioMode", "AudioStreamInfo",
    "AudioTracks", "BatchEvent", "BatchProgress", "BatchReport", "BatchSettings", "CropPath", "CropPathError", "Detections", "Detector",
    "FaceFinder", "FileResult", "InputError", "Interrupted", "Kind", "Layout", "MotionName", "MovedBand", "OutputError",
    "Overrides", "PathWeights", "Pin", "PlanConfig", "Planner", "Preset", "ProgressCallback", "ReframeError",
    "RenderConfig", "RenderResult", "SaliencyFinder", "Scan", "Shot", "ShotChoice", "SourceRef", "SubtitleBand",
    "SubtitleMode", "Transition", "UnsupportedInputError", "UsageError", "VideoInfo", "__version__", "analyze",
    "convert", "output_paths", "parse_aspects", "plan", "probe", "render", "render_many", "run_batch",
    # Deprecated names, kept for one release:
    "analyze_file", "plan_file", "reframe",
]
