"""Score reframe's planner against the annotated development clips.

For every annotated clip this runs the analysis and the planner (or loads a
saved crop path with ``--path-dir``), scores the result and the static centre
crop with :mod:`reframe.quality`, and prints one table with the targets:

- coverage >= 0.90 over all keyframes, and never below the centre crop on a clip;
- sliced faces on < 3% of all keyframes.

A frame is scored on what it shows (:meth:`CropPath.views`): a ``follow``
shot on its window; a ``split`` shot on its two panels (a box is covered
when one panel shows enough of it, sliced when some panel cuts it); a
``fit`` shot on the whole picture (everything is covered, nothing sliced,
however small it is on screen: ``--layout follow`` scores the one-window
camera alone).

Usage::

    python benchmarks/evaluate.py [--clips DIR] [--aspect 9:16] [--json out.json]
                                  [--only NAME] [--path-dir DIR] [--layout L] [--baseline-only] [-v]

The clips folder holds ``annotations/<clip stem>.json`` next to the videos; it
defaults to ``$REFRAME_CLIPS`` or ``../shared/clips`` beside the repository.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from reframe.config import Aspect
from reframe.croppath import CropPath, SourceRef
from reframe.errors import ReframeError
from reframe.quality import Annotation, QualityScore, pool, score

REPO = Path(__file__).resolve().parent.parent
COVERAGE_TARGET = 0.90
SLICED_TARGET = 0.03  # sliced share must stay below this


@dataclass
class ClipResult:
    annotation: Annotation
    centre: QualityScore
    reframe: QualityScore | None = None
    analysis_s: float | None = None
    plan_s: float | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)


def default_clips_dir() -> Path:
    env = os.environ.get("REFRAME_CLIPS")
    return Path(env) if env else REPO.parent / "shared" / "clips"


def find_annotations(clips: Path, only: list[str]) -> list[Path]:
    folder = clips / "annotations"
    files = sorted((folder if folder.is_dir() else clips).glob("*.json"))
    if only:
        files = [f for f in files if any(o.lower() in f.stem.lower() for o in only)]
    return files


def centre_windows(ann: Annotation, aspect: Aspect) -> np.ndarray:
    fps = Fraction(str(ann.fps)).limit_denominator(1001)
    src = SourceRef(ann.clip, ann.width, ann.height, fps, ann.frames, ann.frames / float(fps))
    return CropPath.centered(src, aspect).windows


def to_annotation_pixels(path: CropPath, ann: Annotation, notes: list[str]) -> np.ndarray:
    """The path's windows in the annotation's pixel grid.

    Crop paths are in display pixels, annotations in decoded pixels; they
    differ only for anamorphic sources, where a per-axis scale maps one onto
    the other.
    """
    w = path.views()  # what each frame shows: its window, its two split panels, or the fitted picture
    sw, sh = path.source.width, path.source.height
    if (sw, sh) != (ann.width, ann.height):
        notes.append(f"crop path is for {sw}x{sh}, annotation for {ann.width}x{ann.height}: windows rescaled")
        w[..., [0, 2]] *= ann.width / sw
        w[..., [1, 3]] *= ann.height / sh
    return w


def load_planner():
    """The planner's public API, or a SystemExit that says what is missing."""
    try:
        from reframe.analyze import analyze
        from reframe.config import AnalyzeConfig, PlanConfig
        from reframe.plan import plan
        from reframe.probe import probe  # noqa: F401  (part of the public pipeline; checks it imports)
    except ImportError as e:
        raise SystemExit(
            f"error: cannot import the reframe planner ({e}).\n"
            "The evaluation needs reframe.probe.probe, reframe.analyze.analyze and reframe.plan.plan; "
            "use --baseline-only to score the centre crop alone, or --path-dir DIR to score saved crop paths."
        ) from e
    return analyze, plan, AnalyzeConfig, PlanConfig


def evaluate_clip(ann: Annotation, args: argparse.Namespace, aspect: Aspect, clips: Path, planner) -> ClipResult:
    res = ClipResult(ann, score(centre_windows(ann, aspect), ann, aspect))
    if args.baseline_only:
        return res
    try:
        if args.path_dir:
            path = CropPath.load(Path(args.path_dir) / f"{ann.stem}.json")
        else:
            analyze, plan, AnalyzeConfig, PlanConfig = planner
            video = clips / ann.clip
            if not video.is_file():
                raise FileNotFoundError(f"video {video} not found")
            t0 = time.perf_counter()
            analysis = analyze(video, AnalyzeConfig(), progress=None)
            t1 = time.perf_counter()
            path = plan(analysis, PlanConfig(aspect=aspect, layout=args.layout))
            res.analysis_s, res.plan_s = t1 - t0, time.perf_counter() - t1
        if path.aspect != aspect:
            res.notes.append(f"crop path aspect is {path.aspect}, evaluated as {aspect}")
        res.reframe = score(to_annotation_pixels(path, ann, res.notes), ann, aspect)
    except Exception as e:  # one broken clip must not hide the scores of the others
        res.error = f"{type(e).__name__}: {e}"
        if not isinstance(e, (ReframeError, OSError, ValueError)):
            # a planner bug: the traceback is what its author needs
            traceback.print_exc(file=sys.stderr)
    return res


# -- output ---------------------------------------------------------------


def _f(v: float | None, fmt: str) -> str:
    return "-" if v is None or math.isnan(v) else format(v, fmt)


def _pair(r: QualityScore | None, c: QualityScore, get, fmt: str, baseline_only: bool) -> str:
    if baseline_only:
        return _f(get(c), fmt)
    return f"{_f(get(r), fmt) if r else 'ERR'} / {_f(get(c), fmt)}"


def build_table(results: list[ClipResult], baseline_only: bool) -> tuple[list[str], list[list[str]]]:
    who = "" if baseline_only else " R / C"
    headers = ["clip", "frames", "keyfr", f"coverage{who}", f"sliced %{who}",
               f"speed{who}", f"accel{who}", f"p99 accel{who}"]
    if not baseline_only:
        headers.append("analysis s")
    rows = []
    for res in results:
        r, c = res.reframe, res.centre
        row = [
            res.annotation.stem,
            str(res.annotation.frames),
            str(c.keyframes),
            _pair(r, c, lambda s: s.coverage, ".2f", baseline_only),
            _pair(r, c, lambda s: 100 * s.sliced_share, ".1f", baseline_only),
            _pair(r, c, lambda s: s.speed, ".2f", baseline_only),
            _pair(r, c, lambda s: s.accel, ".2f", baseline_only),
            _pair(r, c, lambda s: s.p99_accel, ".2f", baseline_only),
        ]
        if not baseline_only:
            row.append(_f(res.analysis_s, ".1f"))
        rows.append(row)
    return headers, rows


def targets(results: list[ClipResult], baseline_only: bool) -> list[tuple[str, str, bool]]:
    """(target, measured, passed) for the planner, or the centre crop when it is scored alone."""
    scored = [res.centre if baseline_only else res.reframe for res in results]
    ok_scores = [s for s in scored if s is not None]
    p = pool(ok_scores)
    errors = sum(s is None for s in scored)
    out = [
        (f"coverage >= {COVERAGE_TARGET:.2f} over all keyframes", f"{p.coverage:.3f} ({p.covered}/{p.keyframes})",
         p.coverage >= COVERAGE_TARGET),
        (f"sliced faces < {100 * SLICED_TARGET:.0f}% of keyframes", f"{100 * p.sliced_share:.1f}% ({p.sliced}/{p.keyframes})",
         p.sliced_share < SLICED_TARGET),
    ]
    if not baseline_only:
        worse = [res.annotation.stem for res in results
                 if res.reframe is None or res.reframe.coverage < res.centre.coverage]
        out.append(("coverage never below the centre crop on any clip",
                    "worse on: " + ", ".join(worse) if worse else "never below", not worse))
    if errors:
        out.append(("every clip evaluated", f"{errors} failed", False))
    return out


def print_report(results: list[ClipResult], args: argparse.Namespace, aspect: Aspect) -> list[tuple[str, str, bool]]:
    headers, rows = build_table(results, args.baseline_only)
    # Totals compare like with like: clips the planner failed on are left out of both.
    pc = pool([res.centre for res in results if args.baseline_only or res.reframe is not None])
    total = ["all keyframes", str(sum(res.annotation.frames for res in results)), str(pc.keyframes)]
    if args.baseline_only:
        total += [f"{pc.coverage:.3f}", f"{100 * pc.sliced_share:.1f}", "", "", ""]
    else:
        pr = pool([res.reframe for res in results if res.reframe is not None])
        total += [f"{pr.coverage:.3f} / {pc.coverage:.3f}", f"{100 * pr.sliced_share:.1f} / {100 * pc.sliced_share:.1f}",
                  "", "", "", _f(sum(res.analysis_s for res in results if res.analysis_s is not None), ".1f")
                  if any(res.analysis_s is not None for res in results) else "-"]
    tg = targets(results, args.baseline_only)
    what = "centre crop only" if args.baseline_only else ("saved crop paths" if args.path_dir else "planner")
    title = f"reframe quality, {what}, aspect {aspect}"
    notes = []
    for res in results:
        for n in res.notes + ([f"ERROR {res.error}"] if res.error else []):
            notes.append(f"{res.annotation.stem}: {n}")
        for label, s in (("reframe", res.reframe), ("centre", res.centre)):
            if s is None:
                continue
            if label == "reframe" or args.baseline_only:
                notes += [f"{res.annotation.stem}: {n}" for n in s.notes]
            if args.verbose and (s.uncovered_frames or s.sliced_frames):
                notes.append(f"{res.annotation.stem} {label}: uncovered {s.uncovered_frames}, sliced {s.sliced_frames}")
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        _print_plain(title, headers, rows, total, tg, notes)
        return tg
    table = Table(title=title)
    for i, h in enumerate(headers):
        table.add_column(h, justify="left" if i == 0 else "right", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    table.add_section()
    table.add_row(*total, style="bold")
    # Piped output goes to logs and files: do not squeeze it to 80 columns.
    con = Console(width=None if sys.stdout.isatty() else 200)
    con.print(table)
    if not args.baseline_only:
        con.print("R = reframe, C = centre crop")
    con.print("speed, accel: mean |d|, |d2| of the window centre x per frame, in thousandths of the source width")
    for t, m, ok in tg:
        con.print(f"[{'green' if ok else 'red'}]{'PASS' if ok else 'FAIL'}[/] {t}: {m}")
    for n in notes:
        con.print(n, markup=False, highlight=False)
    return tg


def _print_plain(title, headers, rows, total, tg, notes) -> None:
    cols = list(zip(headers, *rows, total))
    widths = [max(len(v) for v in col) for col in cols]

    def line(vals):
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(vals, widths)))

    print(title)
    print(line(headers))
    for row in rows:
        print(line(row))
    print(line(total))
    if " R / C" in headers[3]:
        print("R = reframe, C = centre crop")
    print("speed, accel: mean |d|, |d2| of the window centre x per frame, in thousandths of the source width")
    for t, m, ok in tg:
        print(f"{'PASS' if ok else 'FAIL'} {t}: {m}")
    for n in notes:
        print(n)


def _share(v: float) -> float | None:
    return None if math.isnan(v) else v


def write_json(out: Path, results: list[ClipResult], tg, args: argparse.Namespace, aspect: Aspect) -> None:
    pc = pool([res.centre for res in results if args.baseline_only or res.reframe is not None])
    pr = pool([res.reframe for res in results if res.reframe is not None])
    data = {
        "aspect": str(aspect),
        "mode": "baseline-only" if args.baseline_only else ("path-dir" if args.path_dir else "planner"),
        "clips": [
            {
                "clip": res.annotation.clip,
                "centre": res.centre.to_dict(),
                "reframe": res.reframe.to_dict() if res.reframe else None,
                "analysis_s": res.analysis_s,
                "plan_s": res.plan_s,
                "error": res.error,
                "notes": res.notes,
            }
            for res in results
        ],
        "totals": {
            "centre": {"keyframes": pc.keyframes, "coverage": _share(pc.coverage),
                       "sliced_share": _share(pc.sliced_share)},
            "reframe": None if args.baseline_only else
            {"keyframes": pr.keyframes, "coverage": _share(pr.coverage), "sliced_share": _share(pr.sliced_share)},
        },
        "targets": [{"target": t, "measured": m, "pass": ok} for t, m, ok in tg],
    }
    out.write_text(json.dumps(data, indent=1, allow_nan=False, default=str) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clips", type=Path, default=None,
                    help="folder with annotations/ and the videos (default: $REFRAME_CLIPS or ../shared/clips)")
    ap.add_argument("--aspect", default="9:16", help="output aspect W:H (default 9:16)")
    ap.add_argument("--json", type=Path, help="also write the results to this JSON file")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="evaluate clips whose name contains NAME (repeatable)")
    ap.add_argument("--path-dir", type=Path, help="score saved crop paths <clip stem>.json from DIR instead of planning")
    ap.add_argument("--layout", default="auto", choices=("auto", "follow", "split", "fit"),
                    help="planner layout (default auto); a split shot is scored on its panels, a fit shot on "
                    "the whole picture")
    ap.add_argument("--baseline-only", action="store_true", help="score the static centre crop alone")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the failing keyframes of every clip")
    ap.add_argument("--strict", action="store_true", help="exit with status 1 when a target fails")
    args = ap.parse_args(argv)

    try:
        aspect = Aspect.parse(args.aspect)
    except ReframeError as e:
        ap.error(str(e))
    clips = args.clips or default_clips_dir()
    files = find_annotations(clips, args.only)
    if not files:
        print(f"error: no annotations found in {clips / 'annotations'}"
              + (f" matching {args.only}" if args.only else ""), file=sys.stderr)
        return 2
    planner = None if (args.baseline_only or args.path_dir) else load_planner()

    results = []
    for i, f in enumerate(files, 1):
        try:
            ann = Annotation.load(f)
        except (OSError, ValueError) as e:
            print(f"error: {f.name}: {e}", file=sys.stderr)
            return 2
        if planner:
            print(f"[{i}/{len(files)}] analysing {ann.clip}", file=sys.stderr, flush=True)
        results.append(evaluate_clip(ann, args, aspect, clips, planner))

    tg = print_report(results, args, aspect)
    if args.json:
        write_json(args.json, results, tg, args, aspect)
    return 1 if args.strict and not all(ok for _, _, ok in tg) else 0


if __name__ == "__main__":
    sys.exit(main())
