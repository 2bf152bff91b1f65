"""The inputs of a batch: files, folders and globs found, their output names, their content fingerprints."""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..pipeline import output_paths
from .settings import BatchSettings

# Extensions picked up when scanning folders and globs (files named
# explicitly are tried whatever their name).
VIDEO_EXTENSIONS = frozenset(
    ".mp4 .m4v .mov .mkv .webm .avi .wmv .flv .mpg .mpeg .m2v .ts .mts .m2ts .mxf .3gp .ogv .dv".split()
)
# The content fingerprint hashes the size and the first and last 4 MB: a
# full hash would read every byte of a multi-gigabyte master on every
# re-run, while a re-encode, replacement, truncation or append changes the
# size, the header (moov/ftyp) or the tail. Unchanged size and mtime reuse
# the recorded hash, so a re-run of an unchanged catalog reads nothing.
FINGERPRINT_EDGE = 4 << 20


@dataclass
class Job:
    """One input of a batch as the runner tracks it (only the client process sees it)."""

    source: Path  # absolute
    name: str  # relative, posix
    outputs: dict[str, Path] = field(default_factory=dict)  # aspect text -> absolute output path
    saves: dict[str, Path] = field(default_factory=dict)  # aspect text -> crop path JSON path
    error: str | None = None  # known bad before any conversion (not found, colliding output...)
    error_type: str | None = None
    size: int = 0
    mtime_ns: int = 0
    content: str | None = None
    overwrite: bool = False
    crashes: int = 0  # times a worker process died converting it
    id: int = 0

    def identify(self, known: Mapping | None) -> None:
        """Read the size, mtime and content fingerprint; ``known`` (the ledger's row) spares the read when
        the size and mtime are unchanged. Raises OSError when the file cannot be read."""
        st = self.source.stat()
        self.size, self.mtime_ns = st.st_size, st.st_mtime_ns
        if known is not None and known["content"] and (known["size"], known["mtime_ns"]) == (self.size, self.mtime_ns):
            self.content = known["content"]
        else:
            self.content = fingerprint(self.source, self.size)


def _is_video(p: Path) -> bool:
    return p.suffix.lower() in VIDEO_EXTENSIONS


def _visible(rel: Path) -> bool:
    return not any(part.startswith(".") for part in rel.parts)


def collect(sources: Iterable[str | os.PathLike], out_dir: Path) -> list[Job]:
    """Files, folders (recursive) and globs -> jobs named by their path below their root."""
    jobs: list[Job] = []
    seen: set[Path] = set()
    out_abs = out_dir.resolve()

    def add(path: Path, name: str) -> None:
        real = path.resolve()
        if real in seen:
            return
        seen.add(real)
        jobs.append(Job(path.absolute(), name))

    def inside_out_dir(p: Path) -> bool:
        return p.resolve().is_relative_to(out_abs)

    for item in sources:
        text = os.fspath(item)
        p = Path(text)
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*")
                if _is_video(f) and _visible(f.relative_to(p)) and f.is_file() and not inside_out_dir(f)
            )
            if not found:
                jobs.append(Job(p.absolute(), text, error="no video files in this folder", error_type="InputError"))
            for f in found:
                add(f, f.relative_to(p).as_posix())
        elif p.exists() or p.is_symlink():
            add(p, p.name)
        elif glob.has_magic(text):
            # Names are relative to the pattern's fixed leading folders, so
            # "shows/**/*.mov" mirrors what is below "shows".
            parts = Path(text).parts
            fixed = next(i for i, part in enumerate(parts) if glob.has_magic(part))
            root = Path(*parts[:fixed]) if fixed else Path(".")
            found = sorted(
                Path(f) for f in glob.glob(text, recursive=True)
                if Path(f).is_file() and _is_video(Path(f)) and not inside_out_dir(Path(f))
            )
            if not found:
                jobs.append(Job(Path(text), text, error="no video file matches this pattern", error_type="InputError"))
            for f in found:
                add(f, f.relative_to(root).as_posix() if f.is_relative_to(root) else f.name)
        else:
            jobs.append(Job(p.absolute(), text, error=f"{text}: no such file or folder", error_type="InputError"))
    return jobs


def assign_outputs(jobs: list[Job], out_dir: Path, settings: BatchSettings) -> None:
    """Mirror each input's relative path under ``out_dir`` as an MP4 (one per aspect)."""
    stems: dict[str, int] = {}
    for job in jobs:
        if job.error is None:
            key = str(Path(job.name).with_suffix("")).casefold()
            stems[key] = stems.get(key, 0) + 1
    taken: dict[str, str] = {}
    for job in jobs:
        if job.error is not None:
            continue
        rel = Path(job.name)
        # clip.mov and clip.mkv side by side keep their extension in the name.
        base = rel.with_suffix(".mp4") if stems[str(rel.with_suffix("")).casefold()] == 1 else Path(f"{rel}.mp4")
        key = base.as_posix().casefold()
        if key in taken:
            job.error = f"its output {base} would collide with the output of {taken[key]}"
            job.error_type = "OutputError"
            continue
        taken[key] = str(job.source)
        paths = output_paths(out_dir / base, settings.aspects)
        job.outputs = {str(a): p for a, p in paths.items()}
        if settings.save_paths:
            job.saves = {str(a): p.with_suffix(".path.json") for a, p in paths.items()}


def fingerprint(path: Path, size: int) -> str:
    """The content fingerprint of a file of ``size`` bytes (see FINGERPRINT_EDGE)."""
    h = hashlib.sha256(str(size).encode())
    with open(path, "rb") as f:
        h.update(f.read(FINGERPRINT_EDGE))
        if size > 2 * FINGERPRINT_EDGE:
            f.seek(size - FINGERPRINT_EDGE)
        h.update(f.read(FINGERPRINT_EDGE))
    return f"edges{FINGERPRINT_EDGE >> 20}m:{h.hexdigest()}"

