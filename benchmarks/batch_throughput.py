"""Batch throughput: files per minute with one and with several local workers, in one run.

    python benchmarks/batch_throughput.py [--clips 20] [--seconds 3] [--size 640x360] [--jobs 1,2]

Generates a catalog of short landscape clips (a person standing or crossing
the frame, with audio, spread over two sub-folders), then converts the whole
catalog once per ``--jobs`` value with :func:`reframe.batch.run_batch` into a
fresh output folder, with the default output settings (9:16, 1080x1920,
veryfast). The time includes starting the workers and building their
detectors, as a real batch pays it. It prints files per minute for each
value and the ratio to the first. The machine may be noisy: compare numbers
measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def make_catalog(folder: Path, clips: int, seconds: float, width: int, height: int) -> list[Path]:
    from reframe.testing import media

    paths = []
    for i in range(clips):
        path = folder / ("talks" if i % 2 else "walks") / f"clip{i:02d}.mp4"
        path.parent.mkdir(parents=True, exist_ok=True)
        if i % 2:
            media.still_subject(path, width=width, height=height, seconds=seconds, seed=i, x_frac=0.3 + 0.02 * i)
        else:
            media.moving_subject(path, width=width, height=height, seconds=seconds, seed=i)
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--size", default="640x360", help="generated clip size (default 640x360)")
    ap.add_argument("--jobs", default="1,2", help="comma-separated worker counts to compare (default 1,2)")
    ap.add_argument("--preset", default="veryfast")
    args = ap.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    job_counts = [int(j) for j in args.jobs.split(",")]

    from reframe.batch import BatchSettings, default_jobs, run_batch
    from reframe.config import RenderConfig

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="reframe-batch-bench-") as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        make_catalog(tmp / "catalog", args.clips, args.seconds, width, height)
        print(f"catalog: {args.clips} clips of {args.seconds:g} s at {width}x{height} "
              f"(generated in {time.perf_counter() - t0:.0f} s); {cores} usable cores; "
              f"default --jobs here: {default_jobs()}", flush=True)
        rates = []
        settings = BatchSettings(render=RenderConfig(preset=args.preset))
        for jobs in job_counts:
            t0 = time.perf_counter()
            report = run_batch([tmp / "catalog"], tmp / f"out-{jobs}", settings, jobs=jobs)
            elapsed = time.perf_counter() - t0
            if not report.ok:
                sys.exit(f"--jobs {jobs}: {len(report.failed)} files failed: {report.failed[0].error}")
            rate = len(report.converted) / elapsed * 60
            rates.append(rate)
            print(f"--jobs {jobs}: {len(report.converted)} files in {elapsed:.1f} s = {rate:.1f} files/min, "
                  f"{rate * args.seconds / 60:.2f} s of video per s", flush=True)
        for jobs, rate in zip(job_counts[1:], rates[1:]):
            print(f"ratio --jobs {jobs} / --jobs {job_counts[0]}: {rate / rates[0]:.2f}x")


if __name__ == "__main__":
    main()
