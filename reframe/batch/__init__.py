"""Convert a whole catalog: many files, resumable, parallel, failure-isolated.

:func:`run_batch` converts every video under the given files, folders and
globs into an output folder that mirrors the source tree, with the settings
of :class:`BatchSettings` (the library's stage configs, several aspects
included)::

    settings = BatchSettings(aspects="9:16,4:5", render=RenderConfig(crf=22))
    report = run_batch(["archive/"], "vertical/", settings)
    report.ok, [f.error for f in report.failed]

A job ledger (SQLite, in the output folder) records every input with a
fingerprint of its content and of the settings, its state, timings, outputs
and error. A second run of the same batch skips what is done and still valid,
redoes what failed or was cut short (a crash, ``kill -9``), and picks up
inputs or settings that changed. Only this (client) process writes the
ledger; workers just convert and return a result.

Work runs in a local process pool (each worker builds its detectors once and
keeps them for every file it gets) or, with ``cluster=``, on a Dask
distributed cluster whose workers see the same paths (shared storage).
A file that fails, even one that crashes its worker process, is reported and
the others go on. Progress goes to a callback as :class:`BatchEvent`; the
library never prints.

The modules: :mod:`.settings` (what shapes the output), :mod:`.inputs`
(finding the files, naming their outputs, fingerprints), :mod:`.ledger`
(the output folder's state between runs), :mod:`.backend` (the interface
to the workers and what passes through it), :mod:`.pool` and
:mod:`.cluster` (its local and Dask implementations), :mod:`.worker` (what
runs on a worker), :mod:`.runner` (the run itself) and :mod:`.report`.
"""

from .backend import Backend, OutputFile, Task, WorkerDied, WorkerProgress, WorkerResult, default_jobs
from .inputs import FINGERPRINT_EDGE, VIDEO_EXTENSIONS
from .ledger import LEDGER_NAME, Ledger
from .report import REPORT_NAME, BatchEvent, BatchProgress, BatchReport, FileResult
from .runner import run_batch
from .settings import BatchSettings
from .worker import convert_one

__all__ = [
    "run_batch", "BatchSettings", "BatchEvent", "BatchProgress", "BatchReport", "FileResult", "Ledger",
    "LEDGER_NAME", "REPORT_NAME", "VIDEO_EXTENSIONS", "FINGERPRINT_EDGE", "default_jobs", "convert_one",
    "Backend", "Task", "WorkerResult", "OutputFile", "WorkerProgress", "WorkerDied",
]
