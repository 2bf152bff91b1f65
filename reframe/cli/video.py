"""The commands that make one video's crop path or output: convert, plan (and its former name
analyze) and render."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import typer

from reframe.config import PlanConfig, RenderConfig
from reframe.overrides import Overrides

from .common import (
    ASPECT, CORRECTIONS, KEPT, OVERWRITE, PLAN, RENDER, AnalysisKept, AnalysisOpt, InArg, OverwriteOpt, QuietOpt,
    command, progress_bar, say, wrote,
)


@command()
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
    render_config: RenderConfig = RENDER,
    save_path: Annotated[
        Optional[Path], typer.Option("--save-path", help="Also write the crop path JSON here (one per aspect).")
    ] = None,
    plan_config: PlanConfig = PLAN.without("aspect"),
    overrides: Overrides = CORRECTIONS,
    kept: AnalysisKept = KEPT,
    overwrite: OverwriteOpt = OVERWRITE,
    quiet: QuietOpt = False,
) -> None:
    """Reframe SRC into a vertical video (analyze, plan and render in one go)."""
    from reframe.pipeline import convert as convert_file
    from reframe.pipeline import output_paths, parse_aspects

    aspects = parse_aspects(aspect)
    outputs = output_paths(output, aspects)
    saves = output_paths(save_path, aspects) if save_path is not None else None
    with progress_bar(quiet) as progress:
        results = convert_file(
            src, outputs, plan_config=replace(plan_config, aspect=aspects[0]),
            render_config=replace(render_config, overwrite=overwrite), save_path=saves, overrides=overrides,
            progress=progress, with_detections=kept.with_detections, save_analysis=kept.save_analysis,
        )
    if not quiet:
        for result in results:
            say(wrote(result))


def _plan_command(warning: str | None):
    """The `plan` command's function; ``warning`` (for a former name) is said before it runs."""

    def plan_command(
        src: InArg,
        output: Annotated[Path, typer.Option("--output", "-o", help="Crop path JSON to write.", show_default=False)],
        plan_config: PlanConfig = PLAN,
        kept: AnalysisKept = KEPT,
        overwrite: OverwriteOpt = OVERWRITE,
        quiet: QuietOpt = False,
    ) -> None:
        if warning:
            say(warning)
        _plan(src, output, plan_config, kept, overwrite, quiet)

    return plan_command


plan = command("plan", help="Analyze SRC and plan its crop path; save it as JSON, without rendering.")(
    _plan_command(None)
)
analyze = command(
    "analyze", help="Deprecated: the former name of 'plan' (same options and output); removed in the next release."
)(
    _plan_command(
        "reframe: warning: 'reframe analyze' writes a crop path, which is what 'reframe plan' does; "
        "use 'reframe plan' (the same options): 'analyze' will be removed in the next release"
    )
)


def _plan(src, output, config, kept: AnalysisKept, overwrite, quiet) -> None:
    from reframe.errors import OutputError
    from reframe.pipeline import analyze as analyze_video
    from reframe.pipeline import plan as plan_video

    if output.exists() and not overwrite:
        raise OutputError(f"{output} already exists (use --overwrite to replace it)")
    with progress_bar(quiet) as progress:
        analysis = analyze_video(src, progress=progress)
    if kept.save_analysis is not None:
        analysis.save(kept.save_analysis)
    path = plan_video(analysis, config)
    path.save(output, with_detections=kept.with_detections)
    if not quiet:
        say(f"wrote {output} ({len(path.shots)} shots, {path.source.frame_count} frames)")


@command()
def render(
    src: InArg,
    path: Annotated[Path, typer.Option("--path", "-p", help="Crop path JSON (from plan or --save-path).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output MP4.", show_default=False)],
    render_config: RenderConfig = RENDER,
    layout: Annotated[
        Optional[str],
        typer.Option(
            "--layout", "-l",
            help="Show every shot as follow, split or fit instead of the layouts in the crop path "
            "(split needs panels, which the planner saves for shots with two people).",
        ),
    ] = None,
    overrides: Overrides = CORRECTIONS,
    analysis: AnalysisOpt = None,
    overwrite: OverwriteOpt = OVERWRITE,
    quiet: QuietOpt = False,
) -> None:
    """Render SRC with a saved (possibly hand-edited) crop path; no re-analysis."""
    from reframe.analysis import Analysis
    from reframe.croppath import CropPath
    from reframe.probe import probe
    from reframe.pipeline import render as render_path
    from reframe.replan import replan

    crop_path = CropPath.load(path)
    info = probe(src)
    if overrides:
        saved = Analysis.load(analysis) if analysis is not None else None
        crop_path = replan(crop_path, info, crop_path.overrides.merged(overrides), analysis=saved)
    if layout is not None:
        crop_path = crop_path.with_layout(layout)
    with progress_bar(quiet) as progress:
        result = render_path(src, crop_path, output, replace(render_config, overwrite=overwrite), progress, info=info)
    if not quiet:
        say(wrote(result))
