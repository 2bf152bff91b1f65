"""What a batch reports: an event per step for a progress display, a result per input, the JSON report."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .. import atomic
from ..errors import OutputError

REPORT_NAME = "reframe-report.json"


@dataclass(frozen=True)
class BatchEvent:
    """One step of a batch, for a progress display.

    ``kind``: ``"queued"`` (will be converted), ``"skipped"`` (done before
    and still valid), ``"started"``, ``"progress"`` (``stage`` and
    ``fraction`` of the file), ``"done"``, ``"failed"`` (``message`` says
    why) or ``"finished"`` (the whole batch; ``name`` is empty).
    ``completed`` files of ``total`` are finished (done, skipped or failed).
    """

    kind: str
    name: str
    completed: int
    total: int
    stage: str | None = None
    fraction: float | None = None
    message: str | None = None


BatchProgress = Callable[[BatchEvent], None]


@dataclass(frozen=True)
class FileResult:
    """What happened to one input."""

    source: Path
    name: str  # path relative to its source folder: mirrored under the output folder
    status: str  # "converted", "skipped" (done before and still valid) or "failed"
    outputs: tuple[Path, ...] = ()
    error: str | None = None
    error_type: str | None = None  # the ReframeError subclass, e.g. "InputError"
    elapsed: float | None = None  # seconds the conversion took (this run or the one that made it)


@dataclass
class BatchReport:
    """The outcome of :func:`run_batch`; ``to_dict()`` is the JSON report."""

    out_dir: Path
    files: list[FileResult]
    options: dict
    jobs: int
    cluster: str | None
    started: float  # epoch seconds
    finished: float
    report_path: Path | None = None

    @property
    def converted(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "converted"]

    @property
    def skipped(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "skipped"]

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict:
        from .. import __version__

        def stamp(t: float) -> str:
            return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds")

        return {
            "format": "reframe.batch-report",
            "version": 1,
            "reframe": __version__,
            "out_dir": str(self.out_dir),
            "started": stamp(self.started),
            "finished": stamp(self.finished),
            "elapsed": round(self.finished - self.started, 3),
            "jobs": self.jobs,
            "cluster": self.cluster,
            "options": self.options,
            "ok": self.ok,
            "counts": {k: len(getattr(self, k)) for k in ("converted", "skipped", "failed")},
            "files": [
                {
                    "source": str(f.source), "name": f.name, "status": f.status,
                    "outputs": [str(p) for p in f.outputs], "error": f.error, "error_type": f.error_type,
                    "elapsed": None if f.elapsed is None else round(f.elapsed, 3),
                }
                for f in self.files
            ],
        }

    def save(self, path: str | os.PathLike) -> Path:
        """Write the JSON report (atomically: a reader never sees half of it)."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic.write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")
        except OSError as e:
            raise OutputError(f"cannot write the report {path}: {e.strerror or e}") from e
        return path
