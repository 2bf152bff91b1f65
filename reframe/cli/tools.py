"""The commands around a crop path: export it to an editor, preview it, review and correct it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from reframe.config import PlanConfig, RenderConfig

from .common import (
    OVERWRITE, PLAN, SIZE, AnalysisOpt, InArg, OverwriteOpt, QuietOpt, SizeOpt, command, progress_bar, say,
)


@command()
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
    from reframe.export import export_path

    result = export_path(path, to, output, source=source, size=size, overwrite=overwrite)
    for warning in result.warnings:
        say(f"reframe: warning: {warning}")
    if not quiet:
        say(f"wrote {result.path} ({result.format}, {result.width}x{result.height}, "
             f"{result.clips} clip{'s' * (result.clips != 1)})")


@command()
def preview(
    src: InArg,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="OUT: writes OUT.mp4 and OUT.png.", show_default=False)
    ],
    path: Annotated[
        Optional[Path],
        typer.Option("--path", "-p", help="Crop path JSON. Default: plan SRC first (from --analysis, else analysing it)."),
    ] = None,
    plan_config: PlanConfig = PLAN.without("subtitles"),
    analysis: AnalysisOpt = None,
    overwrite: OverwriteOpt = OVERWRITE,
    quiet: QuietOpt = False,
) -> None:
    """Show SRC with the window, detections, lead, speakers and shots drawn (OUT.mp4) and a contact sheet (OUT.png)."""
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
    with progress_bar(quiet) as progress:
        if path is None:
            # From the saved analysis when there is one: no analysis now.
            crop_path = plan_video(saved if saved is not None else info, plan_config, progress=progress)
        else:
            crop_path = CropPath.load(path)
        if saved is not None:  # its boxes are drawn, whether or not the path carries them
            crop_path = replace(crop_path, detections=saved.samples)
        elif crop_path.detections is None:
            say("reframe: warning: the crop path carries no detections, so none are drawn "
                 "(give --analysis FILE, or save the path with --with-detections)")
        result = preview_file(crop_path, src, output, info=info, overwrite=overwrite, progress=progress)
    if not quiet:
        say(f"wrote {result.video} ({result.width}x{result.height}, {result.frame_count} frames) "
             f"and {result.sheet} ({result.shots} shots)")


@command()
def review(
    src: InArg,
    path: Annotated[
        Optional[Path],
        typer.Option("--path", "-p", help="Review this crop path instead of analysing SRC; Save writes it back."),
    ] = None,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Where Render writes. Default: SRC_vertical.mp4 beside SRC.")
    ] = None,
    plan_config: PlanConfig = PLAN.without("subtitles"),
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
        with progress_bar(quiet) as progress:
            fresh = analyze_video(info, progress=progress)
        crop_path = plan_video(fresh, plan_config)
    session = Review(
        info, crop_path, analysis=fresh, save_to=path or src.with_suffix(".path.json"),
        output=output or src.with_name(f"{src.stem}_vertical.mp4"), render_config=RenderConfig(overwrite=overwrite),
        zoom_max=plan_config.zoom_max, saved_analysis=saved,
    )
    try:
        serve(session, open_browser=not no_browser, announce=lambda url: say(f"review {src.name} at {url}"))
    except KeyboardInterrupt:
        pass
    say("review stopped")
