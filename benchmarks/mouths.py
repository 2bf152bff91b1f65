"""Measure the mouth-activity signal of reframe.speaker on real clips.

For each clip: the analysis finds the heads; then, on the analysis-size grey
frames, the mouth activity of every head is measured at several frame gaps
(how far apart the two compared frames are), at several head sizes (the
frames scaled down), and as the share of 1 s windows whose median activity
reaches reframe.speaker.MIN_EVIDENCE (how often a face would count as
speaking, were speech heard all along). A clip of someone talking should
score high, clips of people not talking (sport, play) low.

Usage::

    python benchmarks/mouths.py CLIP.mp4 [CLIP.mp4 ...] [--gaps 1,2,3,5] [--heads 24,32,48,96]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import av
import cv2
import numpy as np
from scipy.ndimage import median_filter

from reframe import speaker
from reframe.analyze import analyze
from reframe.config import AnalyzeConfig, even
from reframe.detections import Kind


def grey_frames(path: Path, width: int, height: int) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="gray", width=width, height=height) for f in c.decode(video=0)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("clips", nargs="+", type=Path)
    ap.add_argument("--gaps", default="1,2,3,5", help="frame gaps to compare (default 1,2,3,5)")
    ap.add_argument("--heads", default="16,24,32,48,96", help="head heights to scale to, analysis pixels")
    args = ap.parse_args()
    gaps = [int(g) for g in args.gaps.split(",")]
    sizes = [int(h) for h in args.heads.split(",")]
    cfg = AnalyzeConfig()
    for clip in args.clips:
        a = analyze(clip, cfg)
        info = a.info
        s = min(1.0, cfg.analysis_long_side / max(info.width, info.height))
        greys = grey_frames(clip, even(info.width * s), even(info.height * s))
        heads = {f: d[d.kind == Kind.FACE].xyxy * s for f, d in a.samples.items()}
        print(f"{clip.name}: {sum(len(h) for h in heads.values())} heads on {len(heads)} samples, "
              f"{float(info.fps):.2f} fps")

        def activity(gap: int, scale_to: int | None = None) -> np.ndarray:
            out = []
            for f, boxes in heads.items():
                if f - gap < 0 or f >= len(greys) or not len(boxes):
                    continue
                now, before = greys[f], greys[f - gap]
                if scale_to:
                    k = scale_to / float(np.median(boxes[:, 3] - boxes[:, 1]))
                    now, before = (cv2.resize(g, None, fx=k, fy=k, interpolation=cv2.INTER_AREA) for g in (now, before))
                    boxes = boxes * k
                out.extend(speaker.mouth_activity(now, before, boxes))
            v = np.array(out, float)
            return v[np.isfinite(v)]

        def line(label: str, v: np.ndarray) -> str:
            if not v.size:
                return f"  {label:18s} no readable mouth"
            return (f"  {label:18s} n {v.size:4d}  median {np.median(v):.3f}  mean {v.mean():.3f}  "
                    f"above 0.05 {np.mean(v > 0.05):.2f}")

        for g in gaps:
            print(line(f"gap {g} ({1000 * g / float(info.fps):.0f} ms)", activity(g)))
        gap = max(1, round(speaker.MOUTH_GAP_SECONDS * float(info.fps)))
        old = speaker.MIN_HEAD_PIXELS
        speaker.MIN_HEAD_PIXELS = 1  # measure below the limit too
        try:
            for h in sizes:
                print(line(f"head {h} px", activity(gap, h)))
        finally:
            speaker.MIN_HEAD_PIXELS = old
        # The busiest face per sample, in time order, as the speaker track sees it over 1 s windows.
        seq = []
        for f in sorted(heads):
            d = a.samples[f]
            act = d[d.kind == Kind.FACE].activity
            seq.append(float(np.nanmax(act)) if np.isfinite(act).any() else 0.0)
        win = max(1, round(speaker.WINDOW_SECONDS * cfg.sample_fps))
        med = median_filter(np.array(seq), win, mode="nearest") if seq else np.zeros(0)
        share = float(np.mean(med >= speaker.MIN_EVIDENCE)) if med.size else float("nan")
        print(f"  1 s windows whose median activity reaches {speaker.MIN_EVIDENCE}: {share:.2f}")


if __name__ == "__main__":
    main()
