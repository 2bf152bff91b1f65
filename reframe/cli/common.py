"""What the commands share: the app, the options (defaults read from the configs), messages,
one-line errors with their exit codes, and the progress bar."""

from __future__ import annotations

import io
import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from reframe.config import PlanConfig, RenderConfig

# Every option's default is read from the config it fills, never written twice.
_PLAN, _RENDER = PlanConfig(), RenderConfig()
ASPECT, MOTION, LAYOUT, ZOOM_MAX, SUBTITLES = (
    str(_PLAN.aspect), _PLAN.motion, _PLAN.layout, _PLAN.zoom_max, _PLAN.subtitles
)
SIZE, CRF, PRESET, ENCODER, AUDIO_TRACKS = (
    _RENDER.size, _RENDER.crf, _RENDER.preset, _RENDER.encoder, _RENDER.audio_tracks
)
OVERWRITE = _RENDER.overwrite

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


@contextmanager
def progress_bar(quiet: bool):
    """A progress bar on a terminal; nothing when piped or quiet."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description:>8}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(), transient=True, console=Console(stderr=True),
    ) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, fraction: float) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=1.0)
            bar.update(tasks[stage], completed=fraction)

        yield update

