"""The batch command: many videos, resumably, with a bar per file and a summary."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import typer

from reframe.config import PlanConfig, RenderConfig

from .common import ASPECT, OVERWRITE, PLAN, RENDER, command, terminal_progress


def _batch_progress(quiet: bool):
    """An overall bar plus one line per file in flight on a terminal; nothing when piped or quiet."""
    columns = ("{task.description}", "BarColumn", "MofNCompleteColumn", "TimeElapsedColumn")
    return terminal_progress(quiet, columns, _file_bars)


def _file_bars(bar):
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

    return update


@command()
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
    render_config: RenderConfig = RENDER,
    plan_config: PlanConfig = PLAN.without("aspect"),
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
    from reframe.batch import BatchSettings, run_batch

    settings = BatchSettings(
        plan=plan_config, render=replace(render_config, overwrite=overwrite), aspects=aspect, save_paths=save_paths
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
