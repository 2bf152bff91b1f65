"""Reading and writing reframe's JSON files (crop paths, analyses) with one-line errors."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from .errors import OutputError, ReframeError


def parse(text: str, what: str, error: type[ReframeError]) -> dict:
    """The JSON object in ``text``; ``error`` (naming ``what``) when it is not one."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise error(f"{what} is not valid JSON: {e}") from e
    if not isinstance(data, dict):
        raise error(f"{what} JSON must be an object")
    return data


def read(path: str | os.PathLike, what: str, error: type[ReframeError]) -> dict:
    """The JSON object in the file ``path``; ``error`` when it cannot be read or is not one."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise error(f"cannot read {what} {path}: {e.strerror or e}") from e
    except UnicodeDecodeError as e:
        raise error(f"{what} {path} is not text: {e}") from e
    return parse(text, what, error)


def write(path: str | os.PathLike, text: str, what: str) -> None:
    """Write ``text`` atomically (a partial file renamed into place, :mod:`reframe.atomic`);
    :class:`OutputError` when it cannot be written."""
    from . import atomic

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(path, text)
    except OSError as e:
        raise OutputError(f"cannot write {what} {path}: {e.strerror or e}") from e


def check_format(data: dict, name: str, reads: tuple[int, ...], what: str, error: type[ReframeError]) -> None:
    """``error`` unless ``data`` says it is format ``name`` in one of the versions ``reads``."""
    if data.get("format") != name:
        raise error(f"not a reframe {what} (format is {data.get('format')!r})")
    if data.get("version") not in reads:
        raise error(
            f"{what} version {data.get('version')!r} is not supported "
            f"(this reframe reads {', '.join(map(str, reads))})"
        )


@contextlib.contextmanager
def malformed(what: str, error: type[ReframeError]) -> Iterator[None]:
    """Turn what reading a wrong field raises into one ``error`` line naming ``what``."""
    try:
        yield
    except ReframeError:
        raise
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as e:
        raise error(f"{what} is malformed: {type(e).__name__}: {e}") from e


class JsonFile:
    """``from_json`` and ``load`` for a class with ``from_dict``; ``WHAT`` names it in errors, raised as ``ERROR``."""

    WHAT: ClassVar[str]
    ERROR: ClassVar[type[ReframeError]]

    @classmethod
    def from_json(cls, text: str):
        return cls.from_dict(parse(text, cls.WHAT, cls.ERROR))

    @classmethod
    def load(cls, path: str | os.PathLike):
        return cls.from_dict(read(path, cls.WHAT, cls.ERROR))
