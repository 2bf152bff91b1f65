"""What the commands share: the app and its :func:`command` decorator, the options (defaults
read from the configs) and the groups of them that build a config, messages, one-line errors
with their exit codes, and the progress bars."""

from __future__ import annotations

import functools
import inspect
import io
import os
import signal
import sys
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from reframe.config import PlanConfig, RenderConfig
from reframe.overrides import Overrides

# Every option's default is read from the config it fills, never written twice (the groups'
# options take theirs from the config itself).
ASPECT, SIZE, OVERWRITE = str(PlanConfig().aspect), RenderConfig().size, RenderConfig().overwrite

app = typer.Typer(
    name="reframe",
    help="Turn landscape video into vertical video that keeps people in frame.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

AspectOpt = Annotated[str, typer.Option("--aspect", "-a", help="Output aspect W:H, e.g. 9:16, 4:5, 1:1.")]
SizeOpt = Annotated[
    Optional[str],
    typer.Option("--size", "-s", help="Output WIDTHxHEIGHT, or 'native' for the crop's own pixels. Default: 1080 wide."),
]
CrfOpt = Annotated[int, typer.Option("--crf", help="x264 quality, 0-51 (lower is better).")]
PresetOpt = Annotated[str, typer.Option("--preset", help="x264 preset, ultrafast ... veryslow.")]
EncoderOpt = Annotated[
    str, typer.Option("--encoder", help="FFmpeg video encoder: libx264, or hardware (h264_nvenc, h264_qsv, ...).")
]
OverwriteOpt = Annotated[bool, typer.Option("--overwrite", "-y", help="Replace an existing output file.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
AudioTracksOpt = Annotated[
    str, typer.Option("--audio-tracks", help="Audio streams to keep: 'default' (the one a player picks) or 'all'.")
]
MotionOpt = Annotated[
    str,
    typer.Option(
        "--motion", "-m",
        help="Camera temperament: calm (still whenever possible, slow eased pans), "
        "lively (follows sooner and faster), locked (moves only to keep the subject in).",
    ),
]
LayoutOpt = Annotated[
    str,
    typer.Option(
        "--layout", "-l",
        help="How shots are shown: auto (chosen per shot), follow (one moving window), "
        "split (a panel per person, for shots with two people), fit (the whole picture over a blurred copy).",
    ),
]
ZoomOpt = Annotated[
    float,
    typer.Option(
        "--zoom-max",
        help="How much wider than the full-height window a follow window may get to keep close people "
        "together (1: never); the picture then has blurred bands above and below.",
    ),
]
SubtitlesOpt = Annotated[
    str,
    typer.Option(
        "--subtitles",
        help="Burned-in subtitles: move (their band shown whole, scaled to the width, above the phone's own "
        "interface), keep (kept whole in the picture: a wider window or the whole picture), "
        "crop (cropped like the rest), auto (move when a band is found).",
    ),
]
InArg = Annotated[Path, typer.Argument(help="Input video.", show_default=False)]
PinOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--pin", metavar="TIME=X,Y",
        help="Follow the subject nearest to point X,Y (source pixels) from TIME (seconds) to the end of its shot.",
    ),
]
WithDetectionsOpt = Annotated[
    bool,
    typer.Option(
        "--with-detections",
        help="Also write the analysis' detections into the crop path, to explain it and to re-plan corrections "
        "from the path alone.",
    ),
]
SaveAnalysisOpt = Annotated[
    Optional[Path],
    typer.Option("--save-analysis", help="Also write the analysis JSON here: plan again, preview and correct from it."),
]
AnalysisOpt = Annotated[
    Optional[Path],
    typer.Option("--analysis", help="The video's analysis JSON (from --save-analysis), for what the crop path lacks."),
]
ShotOpt = Annotated[
    Optional[list[str]],
    typer.Option("--shot", metavar="N=LAYOUT", help="Show shot N (0 is the first) as follow, split or fit."),
]


class OptionGroup:
    """Options that several commands share, declared once with what they build.

    ``options`` name keyword parameters of ``build`` and give each the typed
    option it is offered as; the option's default is ``build``'s own, so a
    config's defaults are written once, in the config. A command takes a
    group as the default of one of its parameters, ``plan_config: PlanConfig
    = PLAN``, and :func:`command` offers the group's options in that place.
    """

    def __init__(self, build: Callable[..., Any], **options: Any) -> None:
        self.build, self.options = build, options
        defaults = inspect.signature(build).parameters
        self.parameters = [
            inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=defaults[name].default,
                              annotation=option)
            for name, option in options.items()
        ]

    def without(self, *names: str) -> OptionGroup:
        """The group less the options ``names``: a command that does not offer them gets ``build``'s defaults."""
        if unknown := set(names) - set(self.options):
            raise TypeError(f"the group has no option {', '.join(sorted(unknown))}")
        return OptionGroup(self.build, **{k: v for k, v in self.options.items() if k not in names})

    def __call__(self, options: dict[str, Any]) -> Any:
        """What the group builds, from its options taken out of a command's ``options``."""
        return self.build(**{name: options.pop(name) for name in self.options})


# How the crop path is planned.
PLAN = OptionGroup(
    PlanConfig, aspect=AspectOpt, motion=MotionOpt, layout=LayoutOpt, zoom_max=ZoomOpt, subtitles=SubtitlesOpt
)
# How the output is encoded; --overwrite, whose help differs between commands, is each command's own.
RENDER = OptionGroup(
    RenderConfig, size=SizeOpt, crf=CrfOpt, preset=PresetOpt, encoder=EncoderOpt, audio_tracks=AudioTracksOpt
)
# Corrections by hand.
CORRECTIONS = OptionGroup(Overrides.parse, pins=PinOpt, shots=ShotOpt)


@dataclass(frozen=True)
class AnalysisKept:
    """What a planning command also keeps of the analysis: its detections in the crop path, its JSON."""

    with_detections: bool = False
    save_analysis: Optional[Path] = None


KEPT = OptionGroup(AnalysisKept, with_detections=WithDetectionsOpt, save_analysis=SaveAnalysisOpt)


def _quiet_native_logs() -> None:
    """Send what native libraries write to file descriptor 2 to /dev/null.

    MediaPipe's C++ layer logs every model load (and a warning on each call
    of a sparse model) straight to the process's stderr. Python's own stderr
    is moved to a duplicate of the real one first, so reframe's messages and
    progress bar still show. ``REFRAME_DEBUG=1`` keeps the native logs.
    """
    if os.environ.get("REFRAME_DEBUG"):
        return
    try:
        sys.stderr.flush()
        real = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        sys.stderr = io.TextIOWrapper(
            os.fdopen(real, "wb", buffering=0), encoding=sys.stderr.encoding or "utf-8",
            errors="replace", line_buffering=True, write_through=True,
        )
    except (OSError, AttributeError, ValueError):
        pass  # no usable stderr: nothing to protect


def wrote(result) -> str:
    """The success line: what was written and which audio it carries."""
    tracks = ", ".join(
        f"#{a.index}" + (f" {a.language}" if a.language else "") + (" default" if a.default else "")
        for a in result.audio_tracks
    )
    audio = f"audio {tracks}" if tracks else "no audio"
    return f"wrote {result.path} ({result.width}x{result.height}, {result.duration:.2f} s, {audio})"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _fail(message: str, code: int) -> None:
    say(f"reframe: error: {message}")
    raise typer.Exit(code)


@contextmanager
def one_line_errors():
    """Expected failures become one line and an exit code, never a traceback."""
    from reframe.errors import Interrupted, ReframeError

    def on_term(signum, frame):
        raise KeyboardInterrupt

    _quiet_native_logs()
    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    except ReframeError as e:
        _fail(str(e), e.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted; no output was written", Interrupted.exit_code)
    finally:
        signal.signal(signal.SIGTERM, previous)


def command(name: str | None = None, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``app.command`` for a reframe command.

    Each parameter of the command whose default is an :class:`OptionGroup`
    stands for the group's options: ``--help`` lists them in its place (typer
    reads the ``__signature__`` made here) and the command receives what the
    group builds from them. Building and running go through
    :func:`one_line_errors`, so a bad option value is one line too.
    """

    def register(run: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(run, eval_str=True)
        groups = {p.name: p.default for p in signature.parameters.values() if isinstance(p.default, OptionGroup)}
        params = []
        for p in signature.parameters.values():
            params += groups[p.name].parameters if p.name in groups else [p]
        if len({p.name for p in params}) < len(params):
            raise TypeError(f"{run.__name__} offers an option of one of its groups again")

        @functools.wraps(run)
        def with_groups(**options: Any) -> Any:
            with one_line_errors():
                for param, group in groups.items():
                    options[param] = group(options)
                return run(**options)

        with_groups.__signature__ = signature.replace(parameters=params)
        with_groups.__annotations__ = {p.name: p.annotation for p in params} | {"return": signature.return_annotation}
        return app.command(name, **kwargs)(with_groups)

    return register


@contextmanager
def terminal_progress(quiet: bool, columns: tuple[str, ...], updater: Callable[[Any], Callable[..., None]]):
    """``updater(bar)`` for a transient rich ``Progress`` on stderr when it is a terminal; None when piped or quiet.

    ``columns`` are text templates (``"{task.description}"``) or the names of
    rich's column classes (``"BarColumn"``): rich is imported only to draw.
    """
    if quiet or not sys.stderr.isatty():
        yield None
        return
    import rich.progress
    from rich.console import Console

    made = [getattr(rich.progress, c)() if c.isidentifier() else rich.progress.TextColumn(c) for c in columns]
    with rich.progress.Progress(*made, transient=True, console=Console(stderr=True)) as bar:
        yield updater(bar)


def progress_bar(quiet: bool):
    """A bar per stage on a terminal; nothing when piped or quiet."""
    columns = ("{task.description:>8}", "BarColumn", "{task.percentage:>3.0f}%", "TimeRemainingColumn")
    return terminal_progress(quiet, columns, _stage_bars)


def _stage_bars(bar) -> Callable[[str, float], None]:
    tasks: dict[str, int] = {}

    def update(stage: str, fraction: float) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=1.0)
        bar.update(tasks[stage], completed=fraction)

    return update
