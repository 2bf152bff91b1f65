"""The ``reframe`` command line: options in, library calls, exit codes out.

This layer only maps options to configs, draws progress on a terminal and
turns :class:`reframe.ReframeError` into a one-line message and its exit code.
The commands are written by theme (:mod:`.video`, :mod:`.tools`, :mod:`.batching`)
on the one app of :mod:`.common`; importing them here registers them, in the
order ``--help`` lists them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .common import app
from .video import analyze, convert, plan, render
from .tools import export, preview, review
from .batching import batch


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


__all__ = ["analyze", "app", "batch", "convert", "export", "main", "plan", "preview", "render", "review"]
