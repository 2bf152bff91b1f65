"""Score reframe's planner against the annotated development clips.

For every annotated clip this runs the analysis and the planner (or loads a
saved crop path with ``--path-dir``), scores the result, the static centre
crop and, with ``--baseline-rev``, the planner of an earlier revision, with
:mod:`reframe.evaluation`, and prints one table with the targets:

- coverage (must-keep boxes shown at a magnification of at least 0.75,
  except in shots with three or more people) >= 0.95 over all keyframes,
  never below the centre crop on a clip, and not below the earlier planner's;
- sliced faces on at most 1% of all keyframes;
- mean window acceleration on still-subject shots < 0.05 thousandths of the
  source width per frame squared;
- no window motion in the two frames after a cut.

A frame is scored on what it shows (:meth:`CropPath.views`): a ``follow``
shot on its window; a ``split`` shot on its two panels (a box is covered
when one panel shows enough of it, sliced when some panel cuts it); a
``fit`` shot on the whole picture (everything is covered, nothing sliced,
however small it is on screen: ``--layout follow`` scores the one-window
camera alone).

Usage::

    python benchmarks/evaluate.py [--clips DIR] [--aspect 9:16] [--json out.json]
                                  [--only NAME] [--path-dir DIR] [--layout L] [--baseline-only]
                                  [--baseline-rev REV] [--cache DIR | --no-cache] [-v]
                                  [--subtitles [--subtitle-step N] [--subtitle-frames DIR]]

The clips folder holds ``annotations/<clip stem>.json`` next to the videos; it
defaults to ``$REFRAME_CLIPS`` or ``../shared/clips`` beside the repository.

**The earlier planner** (``--baseline-rev REV``, any git revision, such as
``8220ae5^``, the planner before camera temperaments) is that revision's
``reframe`` package, exported with ``git archive`` and run in a subprocess
on the same analyses as the current planner: the comparison isolates the
planning, whatever the analysis does. Analyses are saved as analysis JSON
files (:mod:`reframe.analysis`) in the cache folder (default
``.cache/evaluate`` in the repository), keyed by the clip file and a
fingerprint of the analysis code, so a second run only plans. A revision
that cannot read them (one before ``reframe.analysis``) is handed the same
analyses pickled, in a temporary folder, under the module name it knows.

**Burned-in subtitles** (``--subtitles``, :mod:`subtitle_eval`): every
scored clip again with generated subtitles composited onto its frames,
analysed, planned and rendered; on every Nth frame showing a line
(``--subtitle-step``, default 5) each line's own source pixels are searched
in the output frame, and the frame counts when every line is found whole
above the bottom fifth; the static centre crop is searched the same way.
Also the coverage at a useful size with subtitles against without, and the
bands the analysis finds on the clips as they are (every video in the clips
folder, annotated or not, and the generated cases). Targets: every line
whole on at least 98 % of the subtitle frames, coverage with subtitles at
most 0.02 below, no band on any clip without subtitles.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import pickle
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from reframe.config import Aspect
from reframe.croppath import CropPath, SourceRef
from reframe.errors import ReframeError
from reframe.evaluation import Annotation, QualityScore, pool, score

REPO = Path(__file__).resolve().parent.parent
COVERAGE_TARGET = 0.95
SLICED_TARGET = 0.01  # sliced share must stay at or below this
STILL_ACCEL_TARGET = 0.05  # thousandths of the source width per frame squared
# Modules and subpackages that do not change what the analysis finds: editing them keeps the cache.
NOT_ANALYSIS = {"pathsolver.py", "pipeline.py", "replan.py", "__init__.py", "__main__.py"}
NOT_ANALYSIS_DIRS = {"batch", "cli", "croppath", "evaluation", "export", "plan", "render", "review", "testing"}
LABELS = {"reframe": "R", "previous": "P", "centre": "C"}


@dataclass
class ClipResult:
    annotation: Annotation
    centre: QualityScore
    reframe: QualityScore | None = None
    previous: QualityScore | None = None
    analysis_s: float | None = None  # None: not analysed here (cached, saved paths, centre only)
    plan_s: float | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    size: tuple[int, int] | None = None  # the crop path's source size (display pixels)

    def scores(self, who: list[str]) -> list[QualityScore | None]:
        return [getattr(self, w) for w in who]


def default_clips_dir() -> Path:
    env = os.environ.get("REFRAME_CLIPS")
    return Path(env) if env else REPO.parent / "shared" / "clips"


def generated_cases(cache: Path | None) -> Path:
    """The folder of the generated drama cases (benchmarks/cases.py), written once per version of their code."""
    import cases

    import reframe.testing

    helpers = sorted(Path(reframe.testing.__file__).parent.glob("*.py"))
    code = b"".join(p.read_bytes() for p in [Path(cases.__file__), *helpers])
    folder = (cache or Path(tempfile.gettempdir())) / f"cases-{hashlib.sha256(code).hexdigest()[:12]}"
    if not (folder / "annotations").is_dir():
        print(f"writing the generated cases into {folder}", file=sys.stderr, flush=True)
        tmp = folder.with_name(folder.name + ".partial")
        cases.make_cases(tmp)
        tmp.replace(folder)
    return folder


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


def to_annotation_pixels(windows: np.ndarray, size: tuple[int, int], ann: Annotation, notes: list[str]) -> np.ndarray:
    """Windows of a ``size`` (width, height) source in the annotation's pixel grid.

    Crop paths are in display pixels, annotations in decoded pixels; they
    differ only for anamorphic sources, where a per-axis scale maps one onto
    the other.
    """
    w = np.array(windows, dtype=np.float64)
    sw, sh = size
    if (sw, sh) != (ann.width, ann.height):
        notes.append(f"crop path is for {sw}x{sh}, annotation for {ann.width}x{ann.height}: windows rescaled")
        w[..., [0, 2]] *= ann.width / sw
        w[..., [1, 3]] *= ann.height / sh
    return w


def load_planner():
    """The planner's public API, or a SystemExit that says what is missing."""
    try:
        from reframe import AnalyzeConfig, PlanConfig, analyze, plan, probe  # noqa: F401  (probe: checks it imports)
    except ImportError as e:
        raise SystemExit(
            f"error: cannot import the reframe planner ({e}).\n"
            "The evaluation needs reframe.probe, reframe.analyze and reframe.plan; "
            "use --baseline-only to score the centre crop alone, or --path-dir DIR to score saved crop paths."
        ) from e
    return analyze, plan, AnalyzeConfig, PlanConfig


# -- analyses, cached ---------------------------------------------------------


def analysis_fingerprint() -> str:
    """A hash of the code that decides what the analysis finds (not of the planner)."""
    h = hashlib.sha256()
    for f in sorted((REPO / "reframe").rglob("*.py")):
        if f.name not in NOT_ANALYSIS and f.relative_to(REPO / "reframe").parts[0] not in NOT_ANALYSIS_DIRS:
            h.update(str(f.relative_to(REPO)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def cached_analysis(video: Path, cache: Path | None, fingerprint: str, analyze, config):
    """(analysis, its JSON file in the cache or None, seconds spent analysing; None when cached)."""
    from reframe.analysis import Analysis

    st = video.stat()
    saved = None
    if cache is not None:
        key = hashlib.sha256(f"{video.resolve()}|{st.st_size}|{st.st_mtime_ns}|{fingerprint}".encode()).hexdigest()[:16]
        saved = cache / f"{video.stem}-{key}.analysis.json"
        if saved.is_file():
            try:
                return Analysis.load(saved), saved, None
            except ReframeError as e:  # unreadable: analysed again and replaced
                print(f"{saved.name}: {e}", file=sys.stderr)
    t0 = time.perf_counter()
    analysis = analyze(video, config, progress=None)
    spent = time.perf_counter() - t0
    if saved is not None:
        analysis.save(saved)  # atomic
    return analysis, saved, spent


# -- the earlier planner --------------------------------------------------------

# Runs inside the exported revision: plans each analysis (a JSON file, or a pickle for a
# revision before reframe.analysis), saves the windows.
_RUNNER = r"""
import pickle, sys
from pathlib import Path
import numpy as np
import reframe
from reframe.config import PlanConfig
from reframe.plan import plan
aspect, out, layout = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
assert Path(reframe.__file__).resolve().is_relative_to(Path.cwd().resolve()), reframe.__file__
try:
    from reframe.analysis import Analysis
except ImportError:  # the analyses come pickled, their class under reframe.analysis: it lived in reframe.analyze
    import reframe.analyze
    sys.modules["reframe.analysis"] = sys.modules["reframe.analyze"]  # the package's name is the function
    Analysis = None
for src in sys.argv[4:]:
    try:
        if Analysis is not None:
            analysis = Analysis.load(src)
        else:
            with open(src, "rb") as f:
                analysis = pickle.load(f)
        # Revisions before layouts have one window per frame and no layout option.
        chosen = {"layout": layout} if "layout" in PlanConfig.__dataclass_fields__ else {}
        path = plan(analysis, PlanConfig(aspect=aspect, **chosen))
        np.save(out / (Path(src).stem + ".npy"), path.views() if hasattr(path, "views") else path.windows)
    except Exception as e:
        (out / (Path(src).stem + ".error")).write_text(f"{type(e).__name__}: {e}")
"""


def plan_with_revision(
    rev: str, analyses: list[Path], aspect: Aspect, layout: str
) -> dict[Path, np.ndarray | str]:
    """What each frame shows (or an error message) for each saved analysis, planned by revision ``rev``
    (with ``layout`` where that revision has layouts)."""
    out: dict[Path, np.ndarray | str] = {}
    with tempfile.TemporaryDirectory(prefix="reframe-rev-") as tmp:
        src, res = Path(tmp) / "src", Path(tmp) / "out"
        src.mkdir()
        res.mkdir()
        archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", rev, "reframe"],
                                 capture_output=True, check=False)
        if archive.returncode != 0:
            raise SystemExit(f"error: cannot export revision {rev!r}: {archive.stderr.decode().strip()}")
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive.stdout, check=True)
        given = analyses
        if not (src / "reframe" / "analysis.py").is_file():  # a revision that cannot read analysis JSON
            given = _pickled(analyses, Path(tmp) / "pickles")
        env = dict(os.environ, PYTHONPATH=str(src))
        run = subprocess.run([sys.executable, "-c", _RUNNER, str(aspect), str(res), layout, *map(str, given)],
                             cwd=src, env=env, capture_output=True, text=True, check=False)
        if run.returncode != 0:
            raise SystemExit(f"error: the planner of {rev} failed:\n{run.stderr[-2000:]}")
        for p in analyses:  # the pickles keep the JSON files' stems
            npy, err = res / (p.stem + ".npy"), res / (p.stem + ".error")
            out[p] = np.load(npy) if npy.is_file() else (err.read_text() if err.is_file() else "no output")
    return out


def _pickled(analyses: list[Path], folder: Path) -> list[Path]:
    """Each saved analysis pickled into ``folder`` under the same stem, for a revision without analysis JSON."""
    from reframe.analysis import Analysis

    folder.mkdir()
    out = []
    for p in analyses:
        out.append(folder / p.with_suffix(".pickle").name)
        with open(out[-1], "wb") as f:
            pickle.dump(Analysis.load(p), f)
    return out


def evaluate_clip(
    ann: Annotation, args: argparse.Namespace, aspect: Aspect, clips: Path, planner
) -> tuple[ClipResult, Path | None]:
    """The clip's scores, and the JSON file of its analysis (for the earlier planner)."""
    res = ClipResult(ann, score(centre_windows(ann, aspect), ann, aspect))
    saved = None
    if args.baseline_only:
        return res, None
    try:
        if args.path_dir:
            path = CropPath.load(Path(args.path_dir) / f"{ann.stem}.json")
        else:
            analyze, plan, AnalyzeConfig, PlanConfig = planner
            video = clips / ann.clip
            if not video.is_file():
                raise FileNotFoundError(f"video {video} not found")
            analysis, saved, res.analysis_s = cached_analysis(
                video, args.cache, args.fingerprint, analyze, AnalyzeConfig()
            )
            t1 = time.perf_counter()
            path = plan(analysis, PlanConfig(aspect=aspect, layout=args.layout))
            res.plan_s = time.perf_counter() - t1
            if args.save_paths:
                path.save(args.save_paths / f"{ann.stem}.json")
        if path.aspect != aspect:
            res.notes.append(f"crop path aspect is {path.aspect}, evaluated as {aspect}")
        res.size = (path.source.width, path.source.height)
        # What each frame shows: its window, its two split panels, or the fitted picture.
        views = to_annotation_pixels(path.views(), res.size, ann, res.notes)
        res.reframe = score(views, ann, aspect, path.magnification())
        res.notes += [f"shot {s.start}-{s.end - 1}: {s.subject}; {s.note}" for s in path.shots] if args.verbose else []
    except Exception as e:  # one broken clip must not hide the scores of the others
        res.error = f"{type(e).__name__}: {e}"
        if not isinstance(e, (ReframeError, OSError, ValueError)):
            # a planner bug: the traceback is what its author needs
            traceback.print_exc(file=sys.stderr)
    return res, saved


# -- output ---------------------------------------------------------------


def _f(v: float | None, fmt: str) -> str:
    return "-" if v is None or math.isnan(v) else format(v, fmt)


def _cell(scores: list[QualityScore | None], get, fmt: str) -> str:
    return " / ".join(_f(get(s), fmt) if s is not None else "ERR" for s in scores)


def _cuts(s: QualityScore) -> float | None:
    return None if not s.cuts else s.cuts_moving


def pooled_magnification(scores: list[QualityScore]) -> float:
    """Mean magnification over the keyframes of several clips (each clip weighed by its keyframes)."""
    pairs = [(s.magnification, s.keyframes) for s in scores if not math.isnan(s.magnification)]
    n = sum(k for _, k in pairs)
    return sum(m * k for m, k in pairs) / n if n else math.nan


def pooled_still_accel(scores: list[QualityScore]) -> float:
    n = sum(s.still_samples for s in scores)
    return sum(s.still_accel * s.still_samples for s in scores if s.still_samples) / n if n else math.nan


def build_table(results: list[ClipResult], who: list[str]) -> tuple[list[str], list[list[str]], list[str]]:
    tag = "" if len(who) == 1 else " " + " / ".join(LABELS[w] for w in who)
    headers = ["clip", "frames", "keyfr", f"coverage{tag}", f"mag{tag}", f"sliced %{tag}", f"speed{tag}", f"accel{tag}",
               f"p99 accel{tag}", f"still accel{tag}", f"cuts moving{tag}", "analysis s"]
    rows = []
    for res in results:
        sc = res.scores(who)
        c = res.centre
        rows.append([
            res.annotation.stem,
            str(res.annotation.frames),
            str(c.keyframes),
            _cell(sc, lambda s: s.coverage, ".2f"),
            _cell(sc, lambda s: s.magnification, ".2f"),
            _cell(sc, lambda s: 100 * s.sliced_share, ".1f"),
            _cell(sc, lambda s: s.speed, ".2f"),
            _cell(sc, lambda s: s.accel, ".2f"),
            _cell(sc, lambda s: s.p99_accel, ".2f"),
            _cell(sc, lambda s: s.still_accel, ".3f"),
            (_cell(sc, _cuts, ".0f") + f" of {c.cuts}") if c.cuts else "-",
            _f(res.analysis_s, ".1f") if res.analysis_s is not None else ("cached" if res.size else "-"),
        ])
    # Totals compare like with like: clips a planner failed on are left out of every column.
    ok = [res for res in results if all(s is not None for s in res.scores(who))]
    pools = [pool([getattr(res, w) for res in ok]) for w in who]
    every = [[getattr(res, w) for res in ok] for w in who]
    cuts = sum(res.centre.cuts for res in ok)
    total = [
        "all keyframes", str(sum(res.annotation.frames for res in ok)), str(pools[0].keyframes),
        " / ".join(f"{p.coverage:.3f}" for p in pools),
        " / ".join(_f(pooled_magnification(e), ".2f") for e in every),
        " / ".join(f"{100 * p.sliced_share:.1f}" for p in pools),
        "", "", "",
        " / ".join(_f(pooled_still_accel(e), ".3f") for e in every),
        " / ".join(str(sum(s.cuts_moving for s in e)) for e in every) + f" of {cuts}",
        _f(sum(res.analysis_s or 0 for res in results), ".1f"),
    ]
    return headers, rows, total


def targets(results: list[ClipResult], main: str) -> list[tuple[str, str, bool]]:
    """(target, measured, passed) for the planner, or the centre crop when it is scored alone."""
    scored = [getattr(res, main) for res in results]
    ok_scores = [s for s in scored if s is not None]
    p = pool(ok_scores)
    errors = sum(s is None for s in scored)
    still = pooled_still_accel(ok_scores)
    moving = sum(s.cuts_moving for s in ok_scores)
    cuts = sum(s.cuts for s in ok_scores)
    out = [
        (f"coverage at magnification >= 0.75 >= {COVERAGE_TARGET:.2f} over all keyframes",
         f"{p.coverage:.3f} ({p.covered}/{p.keyframes}; {sum(s.shown for s in ok_scores)} shown at any size)",
         p.coverage >= COVERAGE_TARGET),
        (f"sliced faces <= {100 * SLICED_TARGET:.0f}% of keyframes",
         f"{100 * p.sliced_share:.1f}% ({p.sliced}/{p.keyframes})", p.sliced_share <= SLICED_TARGET),
        (f"mean acceleration on still-subject shots < {STILL_ACCEL_TARGET} per mille of the width per frame^2",
         f"{_f(still, '.4f')} over {sum(s.still_shots for s in ok_scores)} shots", not still >= STILL_ACCEL_TARGET),
        ("no window motion in the 2 frames after a cut",
         f"moves after {moving} of {cuts} cuts (largest {max((s.cut_motion for s in ok_scores), default=0):.2f})",
         moving == 0),
    ]
    if main != "centre":
        worse = [res.annotation.stem for res in results
                 if res.reframe is None or res.reframe.coverage < res.centre.coverage]
        out.append(("coverage never below the centre crop on any clip",
                    "worse on: " + ", ".join(worse) if worse else "never below", not worse))
    if any(res.previous is not None for res in results):
        both = [res for res in results if res.reframe is not None and res.previous is not None]
        pr, pp = pool([r.reframe for r in both]), pool([r.previous for r in both])
        out.append(("coverage not below the earlier planner's", f"{pr.coverage:.3f} vs {pp.coverage:.3f}",
                    pr.covered >= pp.covered))
    if errors:
        out.append(("every clip evaluated", f"{errors} failed", False))
    return out


def print_report(results: list[ClipResult], args: argparse.Namespace, aspect: Aspect, who: list[str]):
    headers, rows, total = build_table(results, who)
    tg = targets(results, who[0])
    what = "centre crop only" if args.baseline_only else ("saved crop paths" if args.path_dir else "planner")
    title = f"reframe quality, {what}, aspect {aspect}"
    legend = []
    if len(who) > 1:
        names = {"reframe": "reframe", "previous": f"the planner of {args.baseline_rev}", "centre": "centre crop"}
        legend.append(", ".join(f"{LABELS[w]} = {names[w]}" for w in who))
    legend += [
        "speed, accel: mean |d|, |d2| of the window centre x per frame, in thousandths of the source width",
        "still accel: mean |d2| on shots whose subject stays put (reframe.evaluation.still_shots)",
        "cuts moving: cuts after which the window moves within 2 frames",
        "coverage: keyframes whose must boxes are shown, at a magnification of 0.75 or more outside crowd shots",
        "mag: mean magnification of the must boxes (1: the full-height window; a fitted 16:9 picture: 0.32)",
        "analysis s: seconds spent analysing in this run (cached: the analysis was loaded from the cache)",
    ]
    notes = []
    for res in results:
        for n in res.notes + ([f"ERROR {res.error}"] if res.error else []):
            notes.append(f"{res.annotation.stem}: {n}")
        for label in who:
            s = getattr(res, label)
            if s is None:
                continue
            if label == who[0]:
                notes += [f"{res.annotation.stem}: {n}" for n in s.notes]
            if args.verbose and (s.uncovered_frames or s.sliced_frames):
                notes.append(f"{res.annotation.stem} {label}: uncovered {s.uncovered_frames}, sliced {s.sliced_frames}")
            if args.verbose and s.still_by_shot:
                shots = ", ".join(f"{a}-{b}: {_f(v, '.3f')}" for a, b, v in s.still_by_shot)
                notes.append(f"{res.annotation.stem} {label}: still accel by shot {shots}")
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        _print_plain(title, headers, rows, total, tg, legend, notes)
        return tg
    table = Table(title=title)
    for i, h in enumerate(headers):
        table.add_column(h, justify="left" if i == 0 else "right", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    table.add_section()
    table.add_row(*total, style="bold")
    # Piped output goes to logs and files: do not squeeze it to 80 columns.
    con = Console(width=None if sys.stdout.isatty() else 250)
    con.print(table)
    for line in legend:
        con.print(line, highlight=False)
    for t, m, ok in tg:
        con.print(f"[{'green' if ok else 'red'}]{'PASS' if ok else 'FAIL'}[/] {t}: {m}", highlight=False)
    for n in notes:
        con.print(n, markup=False, highlight=False)
    return tg


def _print_plain(title, headers, rows, total, tg, legend, notes) -> None:
    cols = list(zip(headers, *rows, total))
    widths = [max(len(v) for v in col) for col in cols]

    def line(vals):
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(vals, widths)))

    print(title)
    print(line(headers))
    for row in rows:
        print(line(row))
    print(line(total))
    for n in legend:
        print(n)
    for t, m, ok in tg:
        print(f"{'PASS' if ok else 'FAIL'} {t}: {m}")
    for n in notes:
        print(n)


def _share(v: float) -> float | None:
    return None if math.isnan(v) else v


def write_json(
    out: Path, results: list[ClipResult], tg, args: argparse.Namespace, aspect: Aspect, who: list[str]
) -> None:
    totals = {}
    for w in who:
        scores = [getattr(res, w) for res in results if getattr(res, w) is not None]
        p = pool(scores)
        totals[w] = {"keyframes": p.keyframes, "coverage": _share(p.coverage), "sliced_share": _share(p.sliced_share),
                     "magnification": _share(pooled_magnification(scores)),
                     "still_accel": _share(pooled_still_accel(scores)),
                     "cuts_moving": sum(s.cuts_moving for s in scores), "cuts": sum(s.cuts for s in scores)}
    data = {
        "aspect": str(aspect),
        "mode": "baseline-only" if args.baseline_only else ("path-dir" if args.path_dir else "planner"),
        "baseline_rev": args.baseline_rev,
        "clips": [
            {
                "clip": res.annotation.clip,
                **{w: (getattr(res, w).to_dict() if getattr(res, w) else None) for w in who},
                "analysis_s": res.analysis_s,
                "plan_s": res.plan_s,
                "error": res.error,
                "notes": res.notes,
            }
            for res in results
        ],
        "totals": totals,
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
    ap.add_argument("--save-paths", type=Path, metavar="DIR",
                    help="also save each planned crop path as DIR/<clip stem>.json (to compare planners)")
    ap.add_argument("--layout", default="auto", choices=("auto", "follow", "split", "fit"),
                    help="planner layout (default auto); a split shot is scored on its panels, a fit shot on "
                    "the whole picture")
    ap.add_argument("--baseline-only", action="store_true", help="score the static centre crop alone")
    ap.add_argument("--baseline-rev", metavar="REV",
                    help="also score the planner of git revision REV on the same analyses (e.g. 8220ae5^)")
    ap.add_argument("--cache", type=Path, default=REPO / ".cache" / "evaluate",
                    help="folder for the analyses, as analysis JSON (default .cache/evaluate in the repository)")
    ap.add_argument("--no-cache", dest="cache", action="store_const", const=None, help="analyse every clip again")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="list the failing keyframes of every clip and each shot's planning note")
    ap.add_argument("--strict", action="store_true", help="exit with status 1 when a target fails")
    ap.add_argument("--no-cases", dest="cases", action="store_false",
                    help="leave out the generated drama cases (benchmarks/cases.py), scored by default")
    ap.add_argument("--subtitles", action="store_true",
                    help="also composite generated subtitles onto the clips, render them and search every line "
                    "in the output frames; and list the bands found on the clips as they are "
                    "(benchmarks/subtitle_eval.py)")
    ap.add_argument("--subtitle-step", type=int, default=5, metavar="N",
                    help="with --subtitles, search every Nth frame showing a line (default 5)")
    ap.add_argument("--subtitle-frames", type=Path, metavar="DIR",
                    help="with --subtitles, save output frames as PNG: each clip's first checked and every missed")
    args = ap.parse_args(argv)

    try:
        aspect = Aspect.parse(args.aspect)
    except ReframeError as e:
        ap.error(str(e))
    if args.baseline_rev and (args.baseline_only or args.path_dir):
        ap.error("--baseline-rev plans the analyses again: it does not go with --baseline-only or --path-dir")
    if args.subtitles and (args.baseline_only or args.path_dir):
        ap.error("--subtitles plans and renders the subtitled clips: it does not go with --baseline-only or --path-dir")
    if args.baseline_rev and args.cache is None:
        ap.error("--baseline-rev hands the analyses over in the cache folder: it does not go with --no-cache")
    clips = args.clips or default_clips_dir()
    files = [(f, clips) for f in find_annotations(clips, args.only)]
    if args.cases and not args.path_dir:
        generated = generated_cases(None if args.cache is None else args.cache.parent)
        files += [(f, generated) for f in find_annotations(generated, args.only)]
    if not files:
        print(f"error: no annotations found in {clips / 'annotations'}"
              + (f" matching {args.only}" if args.only else ""), file=sys.stderr)
        return 2
    planner = None if (args.baseline_only or args.path_dir) else load_planner()
    args.fingerprint = analysis_fingerprint()

    results, analyses = [], {}
    for i, (f, folder) in enumerate(files, 1):
        try:
            ann = Annotation.load(f)
        except (OSError, ValueError) as e:
            print(f"error: {f.name}: {e}", file=sys.stderr)
            return 2
        if planner:
            print(f"[{i}/{len(files)}] {ann.clip}", file=sys.stderr, flush=True)
        res, saved = evaluate_clip(ann, args, aspect, folder, planner)
        results.append(res)
        if saved is not None:
            analyses[saved] = res

    who = ["centre"] if args.baseline_only else ["reframe", "centre"]
    if args.baseline_rev:
        who = ["reframe", "previous", "centre"]
        print(f"planning with {args.baseline_rev}", file=sys.stderr, flush=True)
        for saved, out in plan_with_revision(args.baseline_rev, list(analyses), aspect, args.layout).items():
            res = analyses[saved]
            if isinstance(out, str):
                res.notes.append(f"the planner of {args.baseline_rev} failed: {out}")
                continue
            res.previous = score(to_annotation_pixels(out, res.size, res.annotation, []), res.annotation, aspect)

    tg = print_report(results, args, aspect, who)
    if args.subtitles:
        import subtitle_eval  # benchmarks/subtitle_eval.py

        analyze, _, AnalyzeConfig, _ = planner
        tg += subtitle_eval.run(results, args, aspect, files, lambda video: cached_analysis(
            video, args.cache, args.fingerprint, analyze, AnalyzeConfig())[0])
    if args.json:
        write_json(args.json, results, tg, args, aspect, who)
    return 1 if args.strict and not all(ok for _, _, ok in tg) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/cases.py
    sys.exit(main())
