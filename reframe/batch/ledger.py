"""The state an output folder keeps between runs: the job ledger (SQLite), the one-batch lock, partial files."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from pathlib import Path

from .. import atomic
from ..errors import OutputError
from .inputs import Job

LEDGER_NAME = ".reframe-ledger.sqlite"


_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    source     TEXT PRIMARY KEY,      -- absolute input path
    name       TEXT NOT NULL,         -- relative name, mirrored in the output folder
    size       INTEGER,
    mtime_ns   INTEGER,
    content    TEXT,                  -- content fingerprint (size + first/last 4 MB)
    options    TEXT,                  -- fingerprint of the normalized options + reframe version
    state      TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
    run        INTEGER,               -- runs.id that last touched it
    attempts   INTEGER NOT NULL DEFAULT 0,
    started    REAL,                  -- epoch seconds
    finished   REAL,
    elapsed    REAL,                  -- conversion seconds
    outputs    TEXT,                  -- JSON [{"aspect", "path" (relative to the output folder), "size"}]
    error      TEXT,
    error_type TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    started   REAL NOT NULL,
    finished  REAL,
    host      TEXT,
    pid       INTEGER,
    jobs      INTEGER,
    cluster   TEXT,
    options   TEXT,                   -- the normalized options, JSON
    converted INTEGER,
    skipped   INTEGER,
    failed    INTEGER
);
"""


class Ledger:
    """The job ledger of one output folder (SQLite in WAL mode).

    WAL lets anyone read the ledger (``sqlite3 .reframe-ledger.sqlite``)
    while a batch writes it, and every state change is its own committed
    transaction, so a killed run loses at most the files in flight.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
        except sqlite3.Error as e:
            raise OutputError(f"cannot open the batch ledger {self.path}: {e}") from e

    def close(self) -> None:
        self.db.close()

    def get(self, source: Path) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM files WHERE source = ?", (str(source),)).fetchone()

    def rows(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM files ORDER BY name").fetchall()

    def reset_interrupted(self) -> int:
        """Files left 'running' by a run that died: failed, so they are redone."""
        cur = self.db.execute(
            "UPDATE files SET state = 'failed', error = 'interrupted: the run converting it ended early', "
            "error_type = 'Interrupted' WHERE state = 'running'"
        )
        return cur.rowcount

    def start_run(self, jobs: int, cluster: str | None, options: dict) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (started, host, pid, jobs, cluster, options) VALUES (?, ?, ?, ?, ?, ?)",
            (time.time(), socket.gethostname(), os.getpid(), jobs, cluster, json.dumps(options, default=str)),
        )
        return int(cur.lastrowid)

    def finish_run(self, run: int, converted: int, skipped: int, failed: int) -> None:
        self.db.execute(
            "UPDATE runs SET finished = ?, converted = ?, skipped = ?, failed = ? WHERE id = ?",
            (time.time(), converted, skipped, failed, run),
        )

    def put(self, job: Job, options_fp: str, state: str, run: int, outputs: list[dict], **extra) -> None:
        values = {
            "source": str(job.source), "name": job.name, "size": job.size, "mtime_ns": job.mtime_ns,
            "content": job.content, "options": options_fp, "state": state, "run": run,
            "outputs": json.dumps(outputs), "error": None, "error_type": None, **extra,
        }
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        updates = ", ".join(f"{c} = excluded.{c}" for c in values if c != "source")
        self.db.execute(
            f"INSERT INTO files ({cols}) VALUES ({marks}) ON CONFLICT (source) DO UPDATE SET {updates}",
            tuple(values.values()),
        )

    def mark_running(self, job: Job, run: int) -> None:
        self.db.execute(
            "UPDATE files SET state = 'running', run = ?, attempts = attempts + 1, started = ?, finished = NULL, "
            "error = NULL, error_type = NULL WHERE source = ?",
            (run, time.time(), str(job.source)),
        )

    def mark_done(self, job: Job, outputs: list[dict], elapsed: float) -> None:
        self.db.execute(
            "UPDATE files SET state = 'done', finished = ?, elapsed = ?, outputs = ?, error = NULL, "
            "error_type = NULL WHERE source = ?",
            (time.time(), elapsed, json.dumps(outputs), str(job.source)),
        )

    def mark_failed(self, job: Job, error: str, error_type: str | None, elapsed: float | None) -> None:
        self.db.execute(
            "UPDATE files SET state = 'failed', finished = ?, elapsed = ?, error = ?, error_type = ? "
            "WHERE source = ?",
            (time.time(), elapsed, error, error_type, str(job.source)),
        )


class FolderLock:
    """One batch at a time per output folder; the OS drops the lock when the process dies (even ``kill -9``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def __enter__(self) -> FolderLock:
        try:
            import fcntl
        except ImportError:  # no flock (Windows): run unguarded
            return self
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            self.fd = None
            raise OutputError(f"another reframe batch is writing to {self.path.parent}; wait for it to finish") from None
        except OSError as e:
            raise OutputError(f"cannot lock {self.path}: {e.strerror or e}") from e
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def clean_partials(out_dir: Path) -> int:
    """Remove the partial files of killed runs (videos, crop paths, reports: every file is
    renamed into place only when complete, :mod:`reframe.atomic`)."""
    removed = 0
    for p in out_dir.rglob("*.partial"):
        if atomic.is_partial(p) and p.is_file():
            try:
                p.unlink()
                removed += 1
            except OSError:
                pass
    return removed
