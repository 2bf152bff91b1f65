"""The ``reframe`` command line: options in, library calls, exit codes out.

This layer only maps options to configs, draws progress on a terminal and
turns :class:`reframe.ReframeError` into a one-line message and its exit code.
"""

from __future__ import annotations

import io
import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from reframe.config import Aspect, PlanConfig, RenderConfig

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


def _wrote(result) -> str:
    """The success line: what was written and which audio it carries."""
    tracks = ", ".join(
        f"#{a.index}" + (f" {a.language}" if a.language else "") + (" default" if a.default else "")
        for a in result.audio_tracks
    )
    audio = f"audio {tracks}" if tracks else "no audio"
    return f"wrote {result.path} ({result.width}x{result.height}, {result.duration:.2f} s, {audio})"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _fail(message: str, code: int) -> None:
    _say(f"reframe: error: {message}")
    raise typer.Exit(code)


@contextmanager
def _errors():
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
def _progress(quiet: bool):
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


@app.command()
def convert(
    src: InArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Output MP4.", show_default=False)],
    aspect: Annotated[
        str,
        typer.Option(
            "--aspect", "-a",
            help="Output aspect W:H, or several separated by commas (9:16,4:5,1:1): one file each, "
            "named OUT_9x16.mp4 and so on, from one analysis.",
        ),
    ] = ASPECT,
    size: SizeOpt = SIZE,
    crf: CrfOpt = CRF,
    preset: PresetOpt = PRESET,
    encoder: EncoderOpt = ENCODER,
    save_path: Annotated[
        Optional[Path], typer.Option("--save-path", help="Also write the crop path JSON here (one per aspect).")
    ] = None,
    motion: MotionOpt = MOTION,
    layout: LayoutOpt = LAYOUT,
    zoom_max: ZoomOpt = ZOOM_MAX,
    subtitles: SubtitlesOpt = SUBTITLES,
    audio_tracks: AudioTracksOpt = AUDIO_TRACKS,
    pin: PinOpt = None,
    shot: ShotOpt = None,
    with_detections: WithDetectionsOpt = False,
    save_analysis: SaveAnalysisOpt = None,
    overwrite: OverwriteOpt = OVERWRITE,
    quiet: QuietOpt = False,
) -> None:
    """Reframe SRC into a vertical video (analyze, plan and render in one go)."""
    with _errors():
        from reframe.overrides import Overrides
        from reframe.pipeline import convert as convert_file
        from reframe.pipeline import output_paths, parse_aspects

        overrides = Overrides.parse(pin, shot)
        aspects = parse_aspects(aspect)
        outputs = output_paths(output, aspects)
        saves = output_paths(save_path, aspects) if save_path is not None else None
        plan_config = PlanConfig(aspect=aspects[0], motion=motion, layout=layout, zoom_max=zoom_max, subtitles=subtitles)
        render_config = RenderConfig(
            size=size, crf=crf, preset=preset, encoder=encoder, audio_tracks=audio_tracks, overwrite=overwrite
        )
        with _progress(quiet) as progress:
            results = convert_file(
                src, outputs, plan_config=plan_config, render_config=render_config, save_path=saves,
                overrides=overrides, progress=progress, with_detections=with_detections, save_analysis=save_analysis,
            )
        if not quiet:
            for result in results:
                _say(_wrote(result))


def _plan_command(warning: str | None):
    """The `plan` command's function; ``warning`` (for a former name) is said before it runs."""

    def command(
        src: InArg,
        output: Annotated[Path, typer.Option("--output", "-o", help="Crop path JSON to write.", show_default=False)],
        aspect: AspectOpt = ASPECT,
        motion: MotionOpt = MOTION,
        layout: LayoutOpt = LAYOUT,
        zoom_max: ZoomOpt = ZOOM_MAX,
        subtitles: SubtitlesOpt = SUBTITLES,
        with_detections: WithDetectionsOpt = False,
        save_analysis: SaveAnalysisOpt = None,
        overwrite: OverwriteOpt = OVERWRITE,
        quiet: QuietOpt = False,
    ) -> None:
        with _errors():
            if warning:
                _say(warning)
            config = PlanConfig(
                aspect=Aspect.parse(aspect), motion=motion, layout=layout, zoom_max=zoom_max, subtitles=subtitles
            )
            _plan(src, output, config, with_detections, save_analysis, overwrite, quiet)

    return command


plan = app.command("plan", help="Analyze SRC and plan its crop path; save it as JSON, without rendering.")(
    _plan_command(None)
)
analyze = app.command(
    "analyze", help="Deprecated: the former name of 'plan' (same options and output); removed in the next release."
)(
    _plan_command(
        "reframe: warning: 'reframe analyze' writes a crop path, which is what 'reframe plan' does; "
        "use 'reframe plan' (the same options): 'analyze' will be removed in the next release"
    )
)


def _plan(src, output, config, with_detections, save_analysis, overwrite, quiet) -> None:
    from reframe.errors import OutputError
    from reframe.pipeline import analyze as analyze_video
    from reframe.pipeline import plan as plan_video

    if output.exists() and not overwrite:
        raise OutputError(f"{output} already exists (use --overwrite to replace it)")
    with _progress(quiet) as progress:
        analysis = analyze_video(src, progress=progress)
    if save_analysis is not None:
        analysis.save(save_analysis)
    path = plan_video(analysis, config)
    path.save(output, with_detections=with_detections)
    if not quiet:
        _say(f"wrote {output} ({len(path.shots)} shots, {path.source.frame_count} frames)")


@app.command()
def render(
    src: InArg,
    path: Annotated[Path, typer.Option("--path", "-p", help="Crop path JSON (from plan or --save-path).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output MP4.", show_default=False)],
    size: SizeOpt = SIZE,
    crf: CrfOpt = CRF,
    preset: PresetOpt = PRESET,
    encoder: EncoderOpt = ENCODER,
    layout: Annotated[
        Optional[str],
        typer.Option(
            "--layout", "-l",
            help="Show every shot as follow, split or fit instead of the layouts in the crop path "
            "(split needs panels, which the planner saves for shots with two people).",
        ),
    ] = None,
    audio_tracks: AudioTracksOpt = AUDIO_TRACKS,
    pin: PinOpt = None,
    shot: ShotOpt = None,
    analysis: AnalysisOpt = None,
    overwrite: OverwriteOpt = OVERWRITE,
    quiet: QuietOpt = False,
) -> None:
    """Render SRC with a saved (possibly hand-edited) crop path; no re-analysis."""
    with _errors():
        from reframe.analysis import Analysis
        from reframe.croppath import CropPath
        from reframe.overrides import Overrides
        from reframe.probe import probe
        from reframe.pipeline import render as render_path
        from reframe.replan import replan

        config = RenderConfig(
            size=size, crf=crf, preset=preset, encoder=encoder, overwrite=overwrite, audio_tracks=audio_tracks
        )
        overrides = Overrides.parse(pin, shot)
        crop_path = CropPath.load(path)
        info = probe(src)
        if overrides:
            saved = Analysis.load(analysis) if analysis is not None else None
            crop_path = replan(crop_path, info, crop_path.overrides.merged(overrides), analysis=saved)
        if layout is not None:
            crop_path = crop_path.with_layout(layout)
        with _progress(quiet) as progress:
            result = render_path(src, crop_path, output, config, progress, info=info)
        if not quiet:
            _say(_wrote(result))


@app.command()
def export(
    path: Annotated[Path, typer.Argument(help="Crop path JSON.", show_default=False)],
    to: Annotated[
        str, typer.Option("--to", "-t", help="premiere (FCP 7 XML: Premiere, Resolve) or fcpxml (Final Cut Pro).")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Sequence XML to write.", show_default=False)],
    source: Annotated[
        Optional[Path], typer.Option("--source", help="The video the clips use. Default: the path's source beside it.")
    ] = None,
    size: SizeOpt = SIZE,
    overwrite: OverwriteOpt = OVERWRITE,
    quiet: QuietOpt = False,
) -> None:
    """Write a crop path as an editor's sequence: keyframed position and scale per shot."""
    with _errors():
        from reframe.export import export_path

        result = export_path(path, to, output, source=source, size=size, overwrite=overwrite)
        for warning in result.warnings:
            _say(f"reframe: warning: {warning}")
        if not quiet:
            _say(f"wrote {result.path} ({result.format}, {result.width}x{result.height}, "
                 f"{result.clips} clip{'s' * (result.clips != 1)})")


@app.command()
def preview(
    src: InArg,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="OUT: writes OUT.mp4 and OUT.png.", show_default=False)
    ],
    path: Annotated[
        Optional[Path],
        typer.Option("--path", "-p", help="Crop path JSON. Default: plan SRC first (from --analysis, else analysing it)."),
    ] = None,
    aspect: AspectOpt = ASPECT,
    motion: MotionOpt = MOTION,
    layout: LayoutOpt = LAYOUT,
    zoom_max: ZoomOpt = ZOOM_MAX,
    analysis: AnalysisOpt = None,
    overwrite: OverwriteOpt = OVERWRITE,
    quiet: QuietOpt = False,
) -> None:
    """Show SRC with the window, detections, lead, speakers and shots drawn (OUT.mp4) and a contact sheet (OUT.png)."""
    with _errors():
        from dataclasses import replace

        from reframe.analysis import Analysis
        from reframe.croppath import CropPath
        from reframe.pipeline import plan as plan_video
        from reframe.preview import preview as preview_file
        from reframe.preview import preview_paths
        from reframe.probe import probe
        from reframe.render import check_output

        for dst in preview_paths(output):  # before any analysis
            check_output(src, dst, overwrite)
        info = probe(src)
        saved = Analysis.load(analysis) if analysis is not None else None
        if saved is not None:
            saved.check_video(info)
        with _progress(quiet) as progress:
            if path is None:
                plan_config = PlanConfig(aspect=Aspect.parse(aspect), motion=motion, layout=layout, zoom_max=zoom_max)
                # From the saved analysis when there is one: no analysis now.
                crop_path = plan_video(saved if saved is not None else info, plan_config, progress=progress)
            else:
                crop_path = CropPath.load(path)
            if saved is not None:  # its boxes are drawn, whether or not the path carries them
                crop_path = replace(crop_path, detections=saved.samples)
            elif crop_path.detections is None:
                _say("reframe: warning: the crop path carries no detections, so none are drawn "
                     "(give --analysis FILE, or save the path with --with-detections)")
            result = preview_file(crop_path, src, output, info=info, overwrite=overwrite, progress=progress)
        if not quiet:
            _say(f"wrote {result.video} ({result.width}x{result.height}, {result.frame_count} frames) "
                 f"and {result.sheet} ({result.shots} shots)")


@app.command()
def review(
    src: InArg,
    path: Annotated[
        Optional[Path],
        typer.Option("--path", "-p", help="Review this crop path instead of analysing SRC; Save writes it back."),
    ] = None,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Where Render writes. Default: SRC_vertical.mp4 beside SRC.")
    ] = None,
    aspect: AspectOpt = ASPECT,
    motion: MotionOpt = MOTION,
    layout: LayoutOpt = LAYOUT,
    zoom_max: ZoomOpt = ZOOM_MAX,
    analysis: Annotated[
        Optional[Path],
        typer.Option("--analysis", help="With --path: the video's analysis JSON (from --save-analysis), "
                     "to re-plan corrections from (speech included)."),
    ] = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Print the page's address only.")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", "-y", help="Let Render replace an existing output.")] = OVERWRITE,
    quiet: QuietOpt = False,
) -> None:
    """Check and correct SRC's crop path on a local web page, then save and render it (Ctrl-C stops)."""
    with _errors():
        from reframe.analysis import Analysis
        from reframe.croppath import CropPath
        from reframe.pipeline import analyze as analyze_video
        from reframe.pipeline import plan as plan_video
        from reframe.probe import probe
        from reframe.replan import analysis_from_path
        from reframe.review.server import serve
        from reframe.review.session import Review

        info = probe(src)
        fresh = saved = None
        if path is not None:
            crop_path = CropPath.load(path)
            if analysis is not None:
                saved = Analysis.load(analysis)
                crop_path.check_video(info)  # refuses a path planned for another video
                saved.check_video(info)
            else:
                analysis_from_path(crop_path, info)  # refuses another video's path, or one without detections
        else:
            with _progress(quiet) as progress:
                fresh = analyze_video(info, progress=progress)
            config = PlanConfig(aspect=Aspect.parse(aspect), motion=motion, layout=layout, zoom_max=zoom_max)
            crop_path = plan_video(fresh, config)
        session = Review(
            info, crop_path, analysis=fresh, save_to=path or src.with_suffix(".path.json"),
            output=output or src.with_name(f"{src.stem}_vertical.mp4"), render_config=RenderConfig(overwrite=overwrite),
            zoom_max=zoom_max, saved_analysis=saved,
        )
        try:
            serve(session, open_browser=not no_browser, announce=lambda url: _say(f"review {src.name} at {url}"))
        except KeyboardInterrupt:
            pass
        _say("review stopped")


@contextmanager
def _batch_progress(quiet: bool):
    """An overall bar plus one line per file in flight on a terminal; nothing when piped or quiet."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:
        overall = bar.add_task("files", total=None)
        files: dict[str, int] = {}

        def update(event) -> None:
            bar.update(overall, total=event.total, completed=event.completed)
            if event.kind == "started":
                files[event.name] = bar.add_task(f"  {event.name}", total=1.0)
            elif event.kind == "progress" and event.name in files:
                bar.update(files[event.name], description=f"  {event.name} [dim]{event.stage}", completed=event.fraction)
            elif event.kind in ("done", "failed"):
                if event.name in files:
                    bar.remove_task(files.pop(event.name))
                if event.kind == "done":
                    bar.console.print(f"[green]done[/]   {event.name}", highlight=False)
                else:
                    bar.console.print(f"[red]failed[/] {event.name}: {event.message}", highlight=False)

        yield update


@app.command()
def batch(
    sources: Annotated[
        list[str], typer.Argument(help="Video files, folders (searched recursively) and quoted globs.", show_default=False)
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Output folder; mirrors the source folders.", show_default=False)
    ],
    aspect: Annotated[
        str, typer.Option("--aspect", "-a", help="Output aspect W:H, or several separated by commas (9:16,4:5).")
    ] = ASPECT,
    size: SizeOpt = SIZE,
    crf: CrfOpt = CRF,
    preset: PresetOpt = PRESET,
    encoder: EncoderOpt = ENCODER,
    motion: MotionOpt = MOTION,
    layout: LayoutOpt = LAYOUT,
    zoom_max: ZoomOpt = ZOOM_MAX,
    subtitles: SubtitlesOpt = SUBTITLES,
    audio_tracks: AudioTracksOpt = AUDIO_TRACKS,
    save_paths: Annotated[bool, typer.Option("--save-paths", help="Keep each crop path JSON beside its output.")] = False,
    jobs: Annotated[
        Optional[int], typer.Option("--jobs", "-j", help="Parallel local workers. Default: one per core, at most 4.")
    ] = None,
    cluster: Annotated[
        Optional[str], typer.Option("--cluster", help="Dask scheduler address (tcp://host:8786); shared storage.")
    ] = None,
    report: Annotated[
        Optional[Path], typer.Option("--report", help="JSON report path. Default: OUT/reframe-report.json.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Convert again even files the ledger shows done.")] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", "-y", help="Also replace existing outputs this batch did not make.")
    ] = OVERWRITE,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no summary; failures only.")] = False,
) -> None:
    """Convert every video in SOURCES into OUT, resumably: re-running skips what is done."""
    with _errors():
        from reframe.batch import BatchSettings, run_batch
        from reframe.config import Aspect, PlanConfig, RenderConfig

        settings = BatchSettings(
            plan=PlanConfig(motion=motion, layout=layout, zoom_max=zoom_max, subtitles=subtitles),
            render=RenderConfig(size=size, crf=crf, preset=preset, encoder=encoder, audio_tracks=audio_tracks,
                                overwrite=overwrite),
            aspects=aspect, save_paths=save_paths,
        )
        with _batch_progress(quiet) as progress:
            result = run_batch(sources, output, settings, jobs=jobs, cluster=cluster, force=force, report=report,
                               progress=progress)
        _batch_summary(result, quiet)
    raise typer.Exit(0 if result.ok else 1)


def _batch_summary(result, quiet: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True, highlight=False)
    if not quiet:
        table = Table(title=f"reframe batch -> {result.out_dir}", title_justify="left")
        for column in ("converted", "skipped", "failed", "time"):
            table.add_column(column, justify="right")
        table.add_row(
            str(len(result.converted)), str(len(result.skipped)), str(len(result.failed)),
            f"{result.finished - result.started:.1f} s",
        )
        console.print(table)
    if result.failed and console.is_terminal:
        failures = Table("failed file", "why", title=f"{len(result.failed)} of {len(result.files)} files failed",
                         title_justify="left")
        for f in result.failed:
            failures.add_row(f.name, f.error or "")
        console.print(failures)
    elif result.failed:  # a log file: one unwrapped line per failure, for grep
        console.print(f"{len(result.failed)} of {len(result.files)} files failed", soft_wrap=True)
        for f in result.failed:
            console.print(f"failed {f.name}: {f.error or ''}", soft_wrap=True, markup=False)
    if not quiet or result.failed:
        console.print(f"report: {result.report_path}")


def _version(value: bool) -> None:
    if value:
        from reframe import __version__

        print(f"reframe {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Turn landscape video into vertical video that keeps people in frame."""


def main() -> None:
    """The ``reframe`` command (also ``python -m reframe`` and ``python cli.py``)."""
    app(prog_name="reframe")


if __name__ == "__main__":
    main()
