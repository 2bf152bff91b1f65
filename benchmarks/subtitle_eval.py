"""Burned-in subtitles in the quality evaluation (``evaluate.py --subtitles``).

Three measures, on the clips the evaluation scores (development clips with
annotations, and the generated drama cases):

* **Lines shown whole.** Each clip gets generated subtitles composited onto
  its own frames (:func:`subtitles.subtitle` of ``benchmarks/subtitles.py``:
  the styles of ``tests/subtitle_media.py`` cycled clip by clip: fonts,
  sizes, colours, outlines, shadows, a background box, one and two lines,
  Latin and Chinese, bottom and top), written once into the cache folder
  with the source's audio. It is analysed (cached like the others), planned
  with ``subtitles="auto"`` and rendered at the evaluation's aspect (1080
  wide). On every ``step``-th frame showing a line, each line's own pixels
  in the subtitled source are searched for in the output frame
  (:func:`subtitle_media.find_line`, over the scales the output can show
  source pixels at: the moved band's, each view's and the centre crop's); the
  frame counts when every line is found whole (the whole line and each of
  its pieces match) above the bottom fifth of the output, which phone apps
  cover. The static centre crop (the source's centre window scaled to the
  output size) is searched the same way: it shows a line whole only when
  the line is narrower than its window, so it shows the measure can fail.
* **Subjects kept.** Coverage at a useful size (the evaluation's
  ``quality`` scoring: must boxes shown at a magnification of at least
  0.75) on the subtitled clip, against the same clip without subtitles; and
  the keyframes where the moved band, drawn over the picture, hides more
  than a quarter of a must box (reported, not a target).
* **No false bands.** The bands the analysis finds on the clips as they are
  (every development clip in the folder, annotated or not, and the
  generated cases): each is a false alarm.

Targets: every line whole on at least 98 % of the subtitle frames checked
(over all subtitled clips); coverage at a useful size on the subtitled
clips at most :data:`COVERAGE_MARGIN` below the same clips without
subtitles; no band on any clip without subtitles.
"""

from __future__ import annotations

import hashlib
import inspect
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

import subtitles  # benchmarks/subtitles.py: the compositing onto real footage

from reframe.config import PlanConfig, RenderConfig
from reframe.croppath import CropPath, panel_layout
from reframe.evaluation import Annotation, QualityScore, pool, ratio, score
from reframe.testing import media
from reframe.testing import subtitle_media as sm

REPO = Path(__file__).resolve().parent.parent

WHOLE_TARGET = 0.98
# Coverage at a useful size may drop by this much (pooled over the subtitled clips) when
# subtitles are added: the moved band takes no room from the picture, but the analysis of a
# subtitled clip differs a little (the lines are strokes next to the people).
COVERAGE_MARGIN = 0.02
STEP = 5
# A must box more than this share under the moved band counts as hidden by it.
HIDDEN_SHARE = 0.25


@dataclass
class SubtitledResult:
    """One subtitled clip: how many of the subtitle frames checked show every line whole."""

    name: str  # clip stem + style
    checked: int = 0
    whole: int = 0  # in reframe's output
    centre_whole: int = 0  # in the static centre crop
    centre_whole_anywhere: int = 0  # there, the bottom fifth included
    subtitled: QualityScore | None = None  # coverage on the subtitled clip
    plain: QualityScore | None = None  # the same clip without subtitles (the main evaluation)
    moved_shots: int = 0
    hidden: int = 0  # keyframes with a must box hidden by the moved band
    band_keyframes: int = 0  # keyframes in shots with a moved band
    shots: int = 0
    missed: list[int] = field(default_factory=list)  # frames where some line is not whole
    lowest: float = math.nan  # the lowest whole-line score among frames counted whole
    error: str | None = None
    seconds: float = 0.0

    @property
    def share(self) -> float:
        return ratio(self.whole, self.checked)


def subtitled_folder(cache: Path | None) -> Path:
    """Where the subtitled clips are written, once per version of the code that makes them."""
    makers = (subtitles.subtitle, sm.render_cue, sm.composite, sm.dialogue_cues, sm.Style, media.encode)
    code = "".join(inspect.getsource(f) for f in makers) + repr(sm.POSITIVES)
    return (cache or Path(tempfile.gettempdir())) / f"subtitled-{hashlib.sha256(code.encode()).hexdigest()[:12]}"


def subtitled_clip(src: Path, folder: Path, k: int) -> sm.SubtitleTruth:
    """``src`` with the subtitles of style ``k``, and its audio, in ``folder`` (made once)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{src.stem}+{k % len(sm.POSITIVES)}-{k}.mp4"
    if out.is_file():
        return replace(subtitles.subtitle(src, out, k, reuse=True), path=out)
    tmp = folder / f".{out.stem}.video.mp4"
    truth = subtitles.subtitle(src, tmp, k)
    muxed = folder / f".{out.stem}.partial.mp4"
    # The source's audio too: the analysis listens for who speaks.
    subprocess.run([media.ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(tmp), "-i", str(src),
                    "-map", "0:v", "-map", "1:a:0?", "-c", "copy", "-shortest", str(muxed)], check=True)
    tmp.unlink()
    muxed.replace(out)
    return replace(truth, path=out)


def grey_frames(path: Path, wanted: set[int]) -> dict[int, np.ndarray]:
    """The luma of the frames ``wanted`` (decoding order, from 0)."""
    import av

    out: dict[int, np.ndarray] = {}
    last = max(wanted, default=-1)
    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i in wanted:
                out[i] = f.to_ndarray(format="gray")
            if i >= last:
                break
    return out


def scales_for(path: CropPath, frame: int, out_w: int, out_h: int) -> list[float]:
    """The scales (output pixels per source pixel) a line can be shown at on ``frame``: the moved
    band's, each view's (window, split panel or fitted picture) and the centre crop's."""
    shot = next(s for s in path.shots if s.start <= frame < s.end)
    found = []
    if shot.subtitles is not None:
        found.append(shot.subtitles.place[2] * out_w / shot.subtitles.band[2])
    for view in path.views()[frame]:
        if not np.isnan(view[2]):
            found.append(out_w / float(view[2]))  # split panels are stacked, each the output's width
    found.append(out_h / path.source.height)
    out: list[float] = []
    for s in sorted(found):
        if not out or abs(s / out[-1] - 1) > 0.02:
            out.append(s)
    return out


def hidden_by_band(path: CropPath, ann: Annotation, views: np.ndarray) -> tuple[int, int]:
    """Keyframes of shots with a moved band where some must box, in the view that shows it, is more than
    :data:`HIDDEN_SHARE` under the band's place; and the keyframes of those shots. ``views`` are
    :meth:`CropPath.views` in the annotation's pixels."""
    stacked, _ = panel_layout(path.aspect)
    halves = [(0, 0, 1, 0.5), (0, 0.5, 1, 0.5)] if stacked else [(0, 0, 0.5, 1), (0.5, 0, 0.5, 1)]
    hidden = total = 0
    for key in ann.keyframes:
        shot = next((s for s in path.shots if s.start <= key.frame < s.end), None)
        if shot is None or shot.subtitles is None or not key.must:
            continue
        total += 1
        px, py, pw, ph = shot.subtitles.place
        rects = halves if shot.layout == "split" else [(0, 0, 1, 1)]
        for bx, by, bw, bh in key.must:
            shares = []
            for (wx, wy, ww, wh), (rx, ry, rw, rh) in zip(views[key.frame], rects):
                if np.isnan(ww) or not (wx <= bx + bw / 2 <= wx + ww and wy <= by + bh / 2 <= wy + wh):
                    continue
                # The box in output fractions, cut to the view's rectangle, and its share under the place.
                x0, x1 = (max(rx, min(rx + rw, rx + (v - wx) / ww * rw)) for v in (bx, bx + bw))
                y0, y1 = (max(ry, min(ry + rh, ry + (v - wy) / wh * rh)) for v in (by, by + bh))
                area = (x1 - x0) * (y1 - y0)
                under = max(0.0, min(x1, px + pw) - max(x0, px)) * max(0.0, min(y1, py + ph) - max(y0, py))
                shares.append(under / area if area > 0 else 0.0)
            if shares and min(shares) > HIDDEN_SHARE:
                hidden += 1
                break
    return hidden, total


def centre_frame(grey: np.ndarray, window, out_w: int, out_h: int) -> np.ndarray:
    """The static centre crop's output frame: the window scaled to the output size."""
    x, y, w, h = (round(v) for v in window)
    crop = grey[y : y + h, x : x + w]
    return cv2.resize(crop, (out_w, out_h), interpolation=cv2.INTER_AREA if w > out_w else cv2.INTER_LINEAR)


def line_matches(out: np.ndarray, source: np.ndarray, boxes, scales) -> list[sm.LineMatch | None]:
    """Where each line of ``boxes`` (its pixels in the grey ``source``) matches best in ``out``."""
    return [sm.find_line(out, sm.line_pixels(source, box), scales) for box in boxes]


def all_whole(matches, height: int, bottom: float = sm.BOTTOM_FIFTH) -> bool:
    return all(m is not None and m.whole(height, bottom) for m in matches)


def marked(out: np.ndarray, matches) -> np.ndarray:
    """The output frame at half size with each line's best match framed: green whole, red not."""
    img = cv2.cvtColor(out, cv2.COLOR_GRAY2BGR)
    cv2.line(img, (0, int(sm.BOTTOM_FIFTH * out.shape[0])), (out.shape[1], int(sm.BOTTOM_FIFTH * out.shape[0])),
             (0, 200, 255), 2)
    for m in matches:
        if m is not None:
            x, y, w, h = m.box
            colour = (0, 220, 0) if m.whole(out.shape[0]) else (0, 0, 255)
            cv2.rectangle(img, (x - 3, y - 3), (x + w + 3, y + h + 3), colour, 3)
            cv2.putText(img, f"{m.score:.2f}/{m.weakest:.2f}", (x, max(20, y - 8)), cv2.FONT_HERSHEY_SIMPLEX, 0.9,
                        colour, 2)
    return cv2.resize(img, (out.shape[1] // 2, out.shape[0] // 2), interpolation=cv2.INTER_AREA)


def evaluate_subtitled(ann: Annotation, video: Path, k: int, folder: Path, analysis_of: Callable, aspect,
                       layout: str, step: int, frames_dir: Path | None) -> SubtitledResult:
    from reframe import plan, render

    t0 = time.perf_counter()
    truth = subtitled_clip(video, folder, k)
    res = SubtitledResult(f"{ann.stem}+{truth.name.split('+', 1)[1]}")
    import evaluate  # the evaluation's own helpers (display to annotation pixels)

    analysis = analysis_of(truth.path)
    path = plan(analysis, PlanConfig(aspect=aspect, layout=layout, subtitles="auto"))
    res.shots, res.moved_shots = len(path.shots), sum(s.subtitles is not None for s in path.shots)
    views = evaluate.to_annotation_pixels(path.views(), (path.source.width, path.source.height), ann, [])
    res.subtitled = score(views, ann, aspect, path.magnification())
    res.hidden, res.band_keyframes = hidden_by_band(path, ann, views)
    shown = [i for i, b in enumerate(truth.boxes) if b]
    sample = set(shown[::step])
    centre = CropPath.centered(path.source, aspect)
    with tempfile.TemporaryDirectory(prefix="reframe-subeval-") as tmp:
        out_path = Path(tmp) / "out.mp4"
        done = render(truth.path, path, out_path, RenderConfig(audio="none"))
        out_w, out_h = done.width, done.height
        outs = grey_frames(out_path, sample)
    sources = grey_frames(truth.path, sample)
    lowest = 1.0
    for i in sorted(sample):
        if i not in outs or i not in sources:
            continue
        scales = scales_for(path, i, out_w, out_h)
        res.checked += 1
        matches = line_matches(outs[i], sources[i], truth.boxes[i], scales)
        ok = all_whole(matches, out_h)
        if ok:
            res.whole += 1
            lowest = min([lowest] + [m.score for m in matches])
        else:
            res.missed.append(i)
        base = centre_frame(sources[i], centre.window(i), out_w, out_h)
        centred = line_matches(base, sources[i], truth.boxes[i], scales)
        res.centre_whole += all_whole(centred, out_h)
        res.centre_whole_anywhere += all_whole(centred, out_h, bottom=1.0)
        if frames_dir is not None and (i == min(sample) or not ok):
            frames_dir.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(frames_dir / f"{res.name}-{i}{'' if ok else '-missed'}.png"), marked(outs[i], matches))
            if i == min(sample):
                cv2.imwrite(str(frames_dir / f"{res.name}-{i}-centre.png"), marked(base, centred))
    res.lowest = lowest if res.whole else math.nan
    res.seconds = time.perf_counter() - t0
    return res


def run(results, args, aspect, files, analysis_of: Callable) -> list[tuple[str, str, bool]]:
    """Print the subtitle measures for the clips ``files`` ((annotation file, folder) pairs, scored in
    ``results`` without subtitles); ``analysis_of(video)`` is the evaluation's cached analysis.
    Returns the targets (target, measured, passed)."""
    import evaluate

    folder = subtitled_folder(None if args.cache is None else args.cache.parent)
    development = args.clips or evaluate.default_clips_dir()
    # Styles cycle over every annotated clip in order (development clips, then the cases), so a
    # clip keeps its style whatever clips are chosen (--only).
    everyone = evaluate.find_annotations(development, []) + [
        f for folder_ in dict.fromkeys(c for _, c in files if c != development)
        for f in evaluate.find_annotations(folder_, [])]
    order = {f.stem: k for k, f in enumerate(everyone)}
    rows: list[SubtitledResult] = []
    plain = {res.annotation.stem: res for res in results}
    for n, (f, clips) in enumerate(files, 1):
        ann = Annotation.load(f)
        print(f"[subtitles {n}/{len(files)}] {ann.clip}", file=sys.stderr, flush=True)
        try:
            res = evaluate_subtitled(ann, clips / ann.clip, order[f.stem], folder, analysis_of, aspect,
                                     args.layout, args.subtitle_step, args.subtitle_frames)
        except Exception as e:  # one broken clip must not hide the others
            res = SubtitledResult(ann.stem, error=f"{type(e).__name__}: {e}")
        res.plain = plain[ann.stem].reframe if ann.stem in plain else None
        rows.append(res)

    # Clips without subtitles: every development clip in the folder, and the generated cases.
    bare = sorted({v for v in development.glob("*.mp4") if not args.only
                   or any(o.lower() in v.stem.lower() for o in args.only)}
                  | {clips / Annotation.load(f).clip for f, clips in files if clips != development})
    found: dict[str, tuple] = {}
    for n, video in enumerate(bare, 1):
        print(f"[no subtitles {n}/{len(bare)}] {video.name}", file=sys.stderr, flush=True)
        found[video.stem] = tuple(analysis_of(video).subtitles)
    return report(rows, found, args)


def _f(v: float, fmt: str) -> str:
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, fmt)


def report(rows: list[SubtitledResult], found: dict[str, tuple], args) -> list[tuple[str, str, bool]]:
    print(f"\nburned-in subtitles: every {args.subtitle_step}th subtitle frame searched in the output frame")
    head = ["clip+style", "frames", "whole R", "whole C", "C anywhere", "coverage sub / plain", "mag sub / plain",
            "moved shots", "hidden", "lowest score", "s"]
    table = []
    for r in rows:
        if r.error:
            table.append([r.name, "ERROR " + r.error] + [""] * (len(head) - 2))
            continue
        cov = f"{_f(r.subtitled.coverage, '.2f')} / {_f(r.plain.coverage if r.plain else math.nan, '.2f')}"
        mag = f"{_f(r.subtitled.magnification, '.2f')} / {_f(r.plain.magnification if r.plain else math.nan, '.2f')}"
        table.append([r.name, str(r.checked), _f(r.share, ".3f"), _f(ratio(r.centre_whole, r.checked), ".3f"),
                      _f(ratio(r.centre_whole_anywhere, r.checked), ".3f"), cov, mag,
                      f"{r.moved_shots} of {r.shots}",
                      f"{r.hidden} of {r.band_keyframes}", _f(r.lowest, ".2f"), f"{r.seconds:.0f}"])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *table)]
    for line in [head, *table]:
        print("  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w) for i, (v, w) in enumerate(zip(line, widths))))
    ok_rows = [r for r in rows if not r.error]
    checked = sum(r.checked for r in ok_rows)
    whole = sum(r.whole for r in ok_rows)
    centre = sum(r.centre_whole for r in ok_rows)
    share, centre_share = ratio(whole, checked), ratio(centre, checked)
    print(f"all: {whole} of {checked} subtitle frames with every line whole in reframe's output ({_f(share, '.3f')}), "
          f"{centre} ({_f(centre_share, '.3f')}) in the centre crop")
    print(f"hidden: keyframes (of those in shots with a moved band) where a must box is more than "
          f"{HIDDEN_SHARE:.0%} under the band")
    print("whole R / C: share of the frames checked whose every line is found whole above the bottom fifth, "
          "in reframe's output (R) and in the static centre crop (C); C anywhere: the bottom fifth included")
    if args.verbose:
        for r in ok_rows:
            if r.missed:
                print(f"{r.name}: not whole on frames {r.missed}")
    print("bands found on the clips without subtitles:")
    for stem, bands in found.items():
        print(f"  {stem}: {len(bands)}" + (f" {[(b.start, b.end, b.box) for b in bands]}" if bands else ""))

    both = [r for r in ok_rows if r.plain is not None]
    ps, pp = pool([r.subtitled for r in both]), pool([r.plain for r in both])
    worst = min(ok_rows, key=lambda r: r.share if r.checked else 1.0, default=None)
    false = {s: b for s, b in found.items() if b}
    tg = [
        (f"every line whole on >= {100 * WHOLE_TARGET:.0f}% of subtitle frames, in the output",
         f"{_f(share, '.3f')} ({whole}/{checked}; lowest clip {worst.name} {_f(worst.share, '.3f')}; "
         f"centre crop {_f(centre_share, '.3f')})" if worst else "no frames",
         checked > 0 and share >= WHOLE_TARGET),
        (f"coverage at magnification >= 0.75 with subtitles within {COVERAGE_MARGIN} of without",
         f"{ps.coverage:.3f} ({ps.covered}/{ps.keyframes}) vs {pp.coverage:.3f} ({pp.covered}/{pp.keyframes})",
         bool(both) and ps.coverage >= pp.coverage - COVERAGE_MARGIN),
        ("no subtitle band found on any clip without subtitles",
         "found on: " + ", ".join(false) if false else f"none on {len(found)} clips", not false),
    ]
    hidden, under = sum(r.hidden for r in ok_rows), sum(r.band_keyframes for r in ok_rows)
    print(f"must boxes hidden by the moved band on {hidden} of {under} keyframes in shots with a band")
    errors = [r.name for r in rows if r.error]
    if errors:
        tg.append(("every subtitled clip evaluated", "failed: " + ", ".join(errors), False))
    for t, m, ok in tg:
        print(f"{'PASS' if ok else 'FAIL'} {t}: {m}")
    return tg
