"""How well the subtitle finder does on real footage, and what it costs.

Two measures over a folder of clips (default: every .mp4 in CLIPS):

* as they are: clips without subtitles, where every band found is a false
  alarm (logos, watermarks, signs, credits...);
* with subtitles: generated subtitle cues (the styles of
  ``reframe/testing/subtitle_media.py``, cycled clip by clip: fonts, sizes, colours,
  outlines, shadows, boxes, one and two lines, Latin and Chinese, bottom and
  top) composited onto each clip's own frames and encoded into a temporary
  folder; the bands found are scored against the exact line boxes.

With ``--cost CLIP`` it also times the finder on one clip, such as the 24 s
1080p30 clip of benchmarks/speed.py.

Scores: frame recall (frames showing a line that a band covers), frame
precision (band frames that lie in a truth stretch: lines at most
SubtitleFinder.GAP seconds apart, gaps included), and the IoU of each band's
box with the union of the lines it covers. Cost: the finder's CPU time
(``time.process_time`` around its calls) per frame.

    python benchmarks/subtitles.py CLIPS [--keep DIR [--reuse]] [--only NAME] [--no-composite] [--cost CLIP]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from reframe.detect.subtitles import SubtitleFinder
from reframe.frames import FrameReader
from reframe.probe import probe
from reframe.shots import CutDetector
from reframe.testing import media
from reframe.testing import subtitle_media as sm


def find(path: Path):
    """Bands found in ``path`` (with the analysis' cut detector), the finder's CPU seconds and frame count."""
    info = probe(path)
    finder = SubtitleFinder(info)
    cuts = CutDetector(info.fps)
    scale = 160 / max(info.width, info.height)
    tw, th = max(2, round(info.width * scale) // 2 * 2), max(2, round(info.height * scale) // 2 * 2)
    cpu = 0.0
    with FrameReader(info, fast_decode=True, threads=1) as reader:
        for frame in reader:
            cuts.push(frame.index, frame.to_rgb(tw, th))
            t = time.process_time()
            finder.add(frame)
            cpu += time.process_time() - t
    found = cuts.finish()
    t = time.process_time()
    bands = finder.finish(found)
    cpu += time.process_time() - t
    return bands, cpu, finder.last_frame + 1, finder


def subtitle(src: Path, out: Path, k: int, reuse: bool = False) -> sm.SubtitleTruth:
    """``src`` with generated subtitles in the k-th style, written to ``out`` (kept if ``reuse`` and there)."""
    info = probe(src)
    w, h = info.width // 2 * 2, info.height // 2 * 2
    n = info.frame_count
    names = list(sm.POSITIVES)
    style, texts, extra = sm.POSITIVES[names[k % len(names)]]
    cues = sm.dialogue_cues(n, info.fps, texts=texts, shown=extra.get("shown", 1.8), gap=extra.get("gap", 0.35),
                            seed=k)
    drawn = [sm.render_cue(c.lines, style, w, h) for c in cues]
    boxes: list[tuple] = [()] * n
    texts_shown: list[tuple] = [()] * n
    for c, d in zip(cues, drawn):
        for i in range(c.start, min(c.end, n)):
            boxes[i], texts_shown[i] = d.boxes, c.lines

    def frames():
        with FrameReader(info) as reader:
            for frame in reader:
                rgb = frame.to_rgb()[:h, :w].astype(np.float32)
                for c, d in zip(cues, drawn):
                    if c.start <= frame.index < c.end:
                        sm.composite(rgb, d)
                yield np.clip(rgb + 0.5, 0, 255).astype(np.uint8)

    if not (reuse and out.exists()):
        media.encode(out, frames(), width=w, height=h, fps=info.fps, preset="veryfast", crf=20)
    return sm.SubtitleTruth(out, w, h, info.fps, n, cues, tuple(boxes), tuple(texts_shown), True, (),
                            f"{src.stem}+{names[k % len(names)]}")


def score(truth: sm.SubtitleTruth, bands, n: int, gap_frames: int) -> dict:
    shown = np.zeros(n, bool)
    shown[: len(truth.shown)] = truth.shown[:n]
    stretch = np.zeros(n, bool)
    for a, b, _ in truth.stretches(gap_frames):
        stretch[a:b] = True
    covered = np.zeros(n, bool)
    ious = []
    for band in bands:
        covered[band.start : band.end] = True
        lines = [bx for i in range(band.start, min(band.end, n)) for bx in truth.boxes[i]]
        ious.append(sm.iou(band.box, sm._union(lines)) if lines else 0.0)
    return {
        "recall": float((covered & shown).sum() / max(1, shown.sum())),
        "precision": float((covered & stretch).sum() / max(1, covered.sum())) if covered.any() else float("nan"),
        "iou": ious,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("clips", type=Path)
    ap.add_argument("--keep", type=Path, help="write the subtitled clips here (default: a temporary folder)")
    ap.add_argument("--only", help="clips whose name contains this")
    ap.add_argument("--cost", type=Path, help="also time the finder on this clip (say, 24 s of 1080p30)")
    ap.add_argument("--reuse", action="store_true", help="use the subtitled clips already in --keep")
    ap.add_argument("--no-composite", action="store_true", help="only the clips as they are")
    args = ap.parse_args()
    clips = sorted(p for p in args.clips.glob("*.mp4") if not args.only or args.only in p.name)
    cpu_total = frames_total = 0.0
    false_alarms = 0
    print("clip\tframes\tbands\tcpu_ms_per_frame")
    for p in clips:
        bands, cpu, n, finder = find(p)
        false_alarms += len(bands)
        cpu_total += cpu
        frames_total += n
        print(f"{p.stem}\t{n}\t{len(bands)} {[(b.start, b.end, b.box) for b in bands] if bands else ''}\t"
              f"{1000 * cpu / n:.3f}", flush=True)
    print(f"\nno-subtitle clips: {len(clips)}, bands found (false alarms): {false_alarms}")
    print(f"finder CPU: {1000 * cpu_total / frames_total:.3f} ms per frame over {int(frames_total)} frames")
    if args.cost:
        _, cpu, n, finder = find(args.cost)
        print(f"{args.cost.name}: {n} frames, {finder.looks} looks, {1000 * cpu / n:.3f} ms per frame, "
              f"{cpu * 24 * float(finder.fps) / n:.3f} CPU s per 24 s at its frame rate")
    if args.no_composite:
        return
    with tempfile.TemporaryDirectory(prefix="reframe-subtitles-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print("\nclip+style\tcues\tbands\trecall\tprecision\tIoU")
        rows = []
        for k, p in enumerate(clips):
            truth = subtitle(p, folder / f"{p.stem}_subtitled.mp4", k, reuse=args.reuse)
            bands, cpu, n, finder = find(truth.path)
            s = score(truth, bands, n, int(round(finder.GAP * finder.fps)))
            rows.append(s)
            print(f"{truth.name}\t{len(truth.cues)}\t{len(bands)}\t{s['recall']:.2f}\t{s['precision']:.2f}\t"
                  f"{' '.join(f'{v:.2f}' for v in s['iou'])}", flush=True)
        rec = np.mean([r["recall"] for r in rows])
        prec = np.nanmean([r["precision"] for r in rows])
        ious = [v for r in rows for v in r["iou"]]
        found = sum(1 for r in rows if r["recall"] > 0)
        print(f"\nsubtitled clips: {len(rows)}, found in {found}; mean frame recall {rec:.2f}, "
              f"mean frame precision {prec:.2f}, band IoU median {np.median(ious) if ious else float('nan'):.2f} "
              f"(min {min(ious) if ious else float('nan'):.2f}, {len(ious)} bands)")


if __name__ == "__main__":
    main()
