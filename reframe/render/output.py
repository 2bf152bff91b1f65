"""Output safety: what may be written, and how a failure leaves nothing behind.

Every output is written to a hidden partial file beside its target and
renamed into place only when all the outputs of one render are complete
(:mod:`reframe.atomic`); a failure or Ctrl-C removes the partial files. The
input is never written, even when the target is a link to it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import atomic
from ..croppath import CropPath
from ..errors import Interrupted, OutputError


@dataclass(frozen=True)
class _Target:
    """One file to write: its crop path, final name, partial name and output size."""

    crop_path: CropPath
    dst: Path
    tmp: Path
    size: tuple[int, int]


def check_output(src: str | os.PathLike, dst: str | os.PathLike, overwrite: bool = False) -> Path:
    """Refuse a destination that would destroy the input or an existing file.

    Raises :class:`OutputError` when ``dst`` is the input itself (also through
    a symbolic or hard link), a folder, or an existing file while
    ``overwrite`` is false. Nothing is written. Returns ``dst`` as a Path.
    """
    src, dst = Path(src), Path(dst)
    if dst.name in ("", ".", ".."):
        raise OutputError(f"output {dst} is not a file name")
    try:
        same = src.resolve() == dst.resolve()
    except (OSError, RuntimeError):  # symlink loops
        same = False
    if not same and dst.exists():
        try:
            s, d = os.stat(src), os.stat(dst)
            same = (s.st_dev, s.st_ino) == (d.st_dev, d.st_ino)
        except OSError:
            pass
    if same:
        raise OutputError(f"output {dst} is the input file; choose another output name")
    if dst.is_dir():
        raise OutputError(f"output {dst} is a folder; give a file name such as {dst / 'out.mp4'}")
    if (dst.exists() or dst.is_symlink()) and not overwrite:
        raise OutputError(f"output {dst} already exists; choose another name or allow overwriting")
    return dst


def make_folder(dst: Path) -> None:
    """Create the folder ``dst`` goes in; :class:`OutputError` if that is impossible."""
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create output folder {dst.parent}: {e.strerror or e}") from e


@contextlib.contextmanager
def partial_targets(outputs: Sequence[tuple[CropPath, Path, tuple[int, int]]]) -> Iterator[list[_Target]]:
    """The targets of ``outputs`` (crop path, destination, size), each with its partial name; all are
    renamed into place when the block ends normally, none when it fails. Ctrl-C becomes
    :class:`Interrupted` and a file system error :class:`OutputError`."""
    try:
        with contextlib.ExitStack() as partials:
            yield [_Target(c, d, partials.enter_context(atomic.atomic_path(d)), z) for c, d, z in outputs]
    except KeyboardInterrupt:
        raise Interrupted("render interrupted; no output was written") from None
    except OSError as e:
        raise OutputError(f"cannot write {e.filename or outputs[0][1]}: {e.strerror or e}") from e


def open_container(target: _Target):
    """The ``av`` output container of ``target``, written under its partial name."""
    import av

    fmt = "mov" if target.dst.suffix.lower() == ".mov" else "mp4"
    try:
        return av.open(str(target.tmp), "w", format=fmt, options={"movflags": "+faststart"})
    except (av.error.FFmpegError, OSError) as e:
        raise OutputError(f"cannot write {target.dst} (in {target.dst.parent}): {_reason(e)}") from e


@contextlib.contextmanager
def output_errors(dst: Path) -> Iterator[None]:
    """FFmpeg's errors as :class:`OutputError` naming the output ``dst``."""
    import av

    try:
        yield
    except av.error.FFmpegError as e:
        if isinstance(e, OSError):  # ENOSPC, EIO...: the disk, not the encoder
            raise OutputError(f"cannot write {dst}: {_reason(e)}") from e
        raise OutputError(f"encoding {dst} failed: {_reason(e)}") from e


def close_quietly(*closables) -> None:
    """Close what is open, in order, on the way out of a failure."""
    for closable in closables:
        try:
            if closable is not None:
                closable.close()
        except Exception:  # already failing: the original error is the one to report
            pass


def _reason(e: BaseException) -> str:
    text = getattr(e, "strerror", None) or str(e)
    return str(text).splitlines()[0] if text else type(e).__name__
