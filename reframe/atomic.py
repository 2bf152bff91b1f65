"""Atomic output files: every file reframe writes goes through here.

A file is written under a hidden partial name beside its target,
``.<name>.<pid>.partial``, and renamed into place only when complete, so a
failed, interrupted or killed run never leaves half a file under the final
name. The process id keeps two writers of one name apart; the one pattern
lets a later run recognise what a killed one left behind
(:func:`is_partial`).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

_PARTIAL = re.compile(r"^\..+\.\d+\.partial$")


def partial_path(path: str | os.PathLike) -> Path:
    """The hidden name ``path`` is written under until it is complete.

    >>> partial_path("out/clip.mp4").name.startswith(".clip.mp4.")
    True
    >>> is_partial(partial_path("out/clip.mp4"))
    True
    """
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def is_partial(path: str | os.PathLike) -> bool:
    """Whether ``path`` is named like a partial file of :func:`partial_path`."""
    return bool(_PARTIAL.match(Path(path).name))


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield the partial name to write ``path`` under; rename it to ``path``
    when the block ends normally, remove it when the block or the rename fails
    (whatever the exception, Ctrl-C too). An existing ``path`` is untouched
    until the rename replaces it."""
    tmp = partial_path(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        remove_quietly(tmp)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically. Raises OSError as ``open`` does."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
