"""Measure the detectors: which head sizes each face strategy finds, and at what cost.

    python benchmarks/face_sizes.py                 # synthetic head sizes (needs scikit-image)
    python benchmarks/face_sizes.py --clips DIR     # also real clips with annotations/*.json

Synthetic: the public-domain astronaut portrait from scikit-image is pasted
into 1920x1080 frames over real photographs at several positions, with heads
of 280 to 40 px, then scaled to 960x540 as the analysis does. A head counts
as found when a returned box overlaps its true box with IoU >= 0.3.

Clips (annotation format: ``{"keyframes": [{"frame", "must", "optional"}]}``,
boxes ``[x, y, w, h]``): head-box calibration (fit of the face-to-head
expansion and the IoU it reaches), object detector cost, and how often the
salient box centre falls within the ``must`` box's x range on faceless clips.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np

from reframe.detect import FaceDetector, HeadBox, ObjectDetector, SaliencyDetector
from reframe.detect.faces import Scan
from reframe.detect.models import FACE_SHORT_RANGE, load_model
from reframe.detections import Detections
from reframe.geometry import iou, nms, tile_grid

ASTRONAUT_HEAD = (150, 15, 305, 190)  # x1, y1, x2, y2 in the 512x512 portrait
HEAD_SIZES = (280, 150, 100, 80, 56, 40)  # head heights in a 1920x1080 frame
POSITIONS = 8


def synthetic_frames(seed: int = 0):
    """(head size, 960x540 frame, true head box) for every size and position."""
    from skimage import data

    rng = np.random.default_rng(seed)
    portrait = data.astronaut()
    backgrounds = [cv2.resize(im, (1920, 1080), interpolation=cv2.INTER_CUBIC) for im in (data.coffee(), data.chelsea(), data.rocket())]
    hx1, hy1, hx2, hy2 = ASTRONAUT_HEAD
    for size in HEAD_SIZES:
        s = size / (hy2 - hy1)
        pic = cv2.resize(portrait, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        hw, hh = (hx2 - hx1) * s, (hy2 - hy1) * s
        for i in range(POSITIONS):
            frame = backgrounds[i % len(backgrounds)].copy()
            # Head anywhere fully inside the frame.
            cx = rng.uniform(hw, 1920 - hw)
            cy = rng.uniform(hh * 0.6, 1080 - hh * 0.6)
            ox = int(round(cx - (hx1 + hx2) / 2 * s))
            oy = int(round(cy - (hy1 + hy2) / 2 * s))
            x0, y0 = max(ox, 0), max(oy, 0)
            x1, y1 = min(ox + pic.shape[1], 1920), min(oy + pic.shape[0], 1080)
            frame[y0:y1, x0:x1] = pic[y0 - oy : y1 - oy, x0 - ox : x1 - ox]
            truth = np.array([ox + hx1 * s, oy + hy1 * s, ox + hx2 * s, oy + hy2 * s], np.float32)
            truth = np.clip(truth, 0, [1920, 1080, 1920, 1080]) / 2
            yield size, cv2.resize(frame, (960, 540), interpolation=cv2.INTER_AREA), truth


class ShortRangeTiles:
    """The short-range model (128x128 input) over 128 px tiles: the comparison
    that shows why reframe uses the full-range model for its tiles."""

    def __init__(self, whole: FaceDetector, tile: int = 128) -> None:
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self.mp, self.whole, self.tile = mp, whole, tile
        opts = vision.FaceDetectorOptions(
            base_options=BaseOptions(model_asset_buffer=load_model(FACE_SHORT_RANGE)),
            running_mode=vision.RunningMode.IMAGE,
        )
        self.det = vision.FaceDetector.create_from_options(opts)

    def detect(self, rgb: np.ndarray) -> Detections:
        h, w = rgb.shape[:2]
        boxes, scores = [self.whole.detect(rgb, scan=Scan.WHOLE)], []
        raw = []
        t = self.tile
        for y in tile_grid(h, t, t // 4):
            for x in tile_grid(w, t, t // 4):
                crop = np.ascontiguousarray(rgb[y : y + t, x : x + t])
                for d in self.det.detect(self.mp.Image(image_format=self.mp.ImageFormat.SRGB, data=crop)).detections:
                    b = d.bounding_box
                    raw.append([x + b.origin_x, y + b.origin_y, x + b.origin_x + b.width, y + b.origin_y + b.height])
                    scores.append(d.categories[0].score)
        if raw:
            xyxy = HeadBox().apply(np.array(raw, np.float32))
            keep = nms(xyxy, np.array(scores, np.float32))
            boxes.append(Detections(xyxy[keep], np.array(scores, np.float32)[keep], np.zeros(len(keep), np.int8)))
        both = Detections.concat(boxes)
        return both[nms(both.xyxy, both.confidence)] if len(both) else both

    def close(self) -> None:
        self.det.close()


def bench_sizes() -> None:
    frames = list(synthetic_frames())
    rng = np.random.default_rng(1)
    fd = FaceDetector()
    fd320 = FaceDetector(tile_fraction=320 / 540)
    short = ShortRangeTiles(fd)

    def hinted(scan: Scan):
        def run(rgb: np.ndarray, truth: np.ndarray) -> Detections:
            # As if tracked from the previous sample: the head moved by up to 1/4 of its size.
            jitter = (truth[2:] - truth[:2]).max() * rng.uniform(-0.25, 0.25, 2)
            hint = Detections((truth + np.tile(jitter, 2))[None], [0.9], [0])
            return fd.detect(rgb, scan=scan, hints=hint)

        return run

    strategies = {
        "whole frame (1 call)": lambda im, t: fd.detect_in(im, [(0, 0, 960, 540)]),
        "whole, zoomed out, 2 squares (4 calls)": lambda im, t: fd.detect(im, scan=Scan.WHOLE),
        "+ tiles 256 px (19 calls)": lambda im, t: fd.detect(im, scan=Scan.FINE),
        "+ tiles 320 px (12 calls)": lambda im, t: fd320.detect(im, scan=Scan.FINE),
        "+ short-range tiles 128 (~60)": lambda im, t: short.detect(im),
        "4 calls + hint of last head (5)": hinted(Scan.WHOLE),
        "hint of last head alone (1)": hinted(Scan.HINTS),
    }
    print(f"Face detection at 960x540 (heads given in 1920x1080 px; {POSITIONS} positions each):")
    print(f"{'strategy':38s}" + "".join(f"{s:>9d}" for s in HEAD_SIZES) + f"{'ms/frame':>10s}{'false+':>8s}")
    for name, run in strategies.items():
        run(frames[0][1], frames[0][2])  # warm up
        hits = {s: 0 for s in HEAD_SIZES}
        false_pos = 0
        t0 = time.perf_counter()
        for size, im, truth in frames:
            d = run(im, truth)
            ious = iou(d.xyxy, truth) if len(d) else np.zeros(0)
            hits[size] += bool(np.any(ious >= 0.3))
            false_pos += int(np.sum(ious < 0.1))
        ms = (time.perf_counter() - t0) / len(frames) * 1000
        found = "".join(f"{hits[s]:>6d}/{POSITIONS:<2d}" for s in HEAD_SIZES)
        print(f"{name:38s}{found}{ms:>10.1f}{false_pos:>8d}")
    for d in (fd, fd320, short):
        d.close()


def read_frames(path: Path, wanted: set[int]) -> dict[int, np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    out, i = {}, 0
    while wanted - out.keys():
        ok, bgr = cap.read()
        if not ok:
            break
        if i in wanted:
            out[i] = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        i += 1
    cap.release()
    return out


def xywh(b) -> np.ndarray:
    return np.array([b[0], b[1], b[0] + b[2], b[1] + b[3]], np.float32)


def calibrate_heads(clips: Path) -> None:
    """Fit the face-to-head expansion on annotated heads and report the IoU."""
    det = FaceDetector()
    pairs = []  # (face box, yaw, head box, frame w, frame h)
    for name in ("talkinghead_vlogger_mediapipe", "cuts_tears_of_steel"):
        ann = json.loads((clips / "annotations" / f"{name}.json").read_text())
        kfs = {k["frame"]: k for k in ann["keyframes"]}
        frames = read_frames(clips / f"{name}.mp4", set(kfs))
        for i, rgb in frames.items():
            faces, yaw = det.detect_faces(rgb, scan=Scan.WHOLE)
            for box in kfs[i].get("must", []) + kfs[i].get("optional", []):
                head = xywh(box)
                c = faces.center
                inside = (c[:, 0] > head[0]) & (c[:, 0] < head[2]) & (c[:, 1] > head[1]) & (c[:, 1] < head[3])
                if inside.any():
                    k = int(np.argmax(inside))
                    pairs.append((faces.xyxy[k], yaw[k], head, rgb.shape[1], rgb.shape[0]))
    det.close()
    f = np.array([p[0] for p in pairs])
    yaw = np.array([p[1] for p in pairs])
    h = np.array([p[2] for p in pairs])
    size = np.array([[p[3], p[4], p[3], p[4]] for p in pairs], np.float32)
    # Heads cut by the frame edge do not show their true extent: fit on the others.
    ok = np.all((h[:, :2] > 1) & (h[:, 2:] < size[:, 2:] - 1), axis=1)
    fw, fh = f[:, 2] - f[:, 0], f[:, 3] - f[:, 1]
    dx = ((h[:, 0] + h[:, 2]) - (f[:, 0] + f[:, 2])) / 2 / fw
    dy = ((h[:, 1] + h[:, 3]) - (f[:, 1] + f[:, 3])) / 2 / fh
    sw = (h[:, 2] - h[:, 0]) / fw
    sh = (h[:, 3] - h[:, 1]) / fh
    ones = np.ones(ok.sum())
    (dx0, kdx), *_ = np.linalg.lstsq(np.stack([ones, yaw[ok]], 1), dx[ok], rcond=None)
    (sw0, ksw), *_ = np.linalg.lstsq(np.stack([ones, np.abs(yaw[ok])], 1), sw[ok], rcond=None)
    fit = HeadBox(float(dx0), float(np.median(dy[ok])), float(sw0), float(np.median(sh[ok])), float(kdx), float(ksw))
    print(f"\nHead-box calibration: {len(pairs)} annotated heads matched ({ok.sum()} not cut by the frame edge)")
    print("  fitted:  " + ", ".join(f"{k}={v:+.3f}" for k, v in vars(fit).items()))
    print("  shipped: " + ", ".join(f"{k}={v:+.3f}" for k, v in vars(HeadBox()).items()))
    no_yaw = HeadBox(float(np.median(dx[ok])), fit.dy, float(np.median(sw[ok])), fit.sh, 0.0, 0.0)
    for label, hb in (("raw face box", HeadBox(0, 0, 1, 1, 0, 0)), ("fixed scale", no_yaw), ("fitted", fit), ("shipped", HeadBox())):
        pred = np.clip(hb.apply(f, yaw), 0, size)
        ious = np.array([iou(pred[i : i + 1], h[i])[0] for i in range(len(h))])
        print(f"  IoU with annotated heads, {label:13s}: mean {ious.mean():.3f}  median {np.median(ious):.3f}  min {ious.min():.3f}")


def bench_clips(clips: Path) -> None:
    calibrate_heads(clips)
    sal = SaliencyDetector()
    with ObjectDetector() as obj:
        print("\nSaliency (no face/person scenes), frames at long side 960, previous frame 0.2 s earlier:")
        print(f"  {'clip':38s}{'keyframes':>10s}{'centre in must x':>18s}{'no box':>8s}{'sal ms':>8s}{'obj ms':>8s}  objects seen")
        for name in ("squirrel_offcenter_pexels", "hands_coffee_pour_sam2", "noperson_cars_topdown_intel", "dog_handheld_shaky_moviepy"):
            path = clips / f"{name}.mp4"
            ann_path = clips / "annotations" / f"{name}.json"
            ann = json.loads(ann_path.read_text()) if ann_path.exists() else None
            cap = cv2.VideoCapture(str(path))
            fps = cap.get(cv2.CAP_PROP_FPS) or 25
            n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
            cap.release()
            if ann:
                kfs = {k["frame"]: k for k in ann["keyframes"] if k.get("must")}
            else:
                kfs = {i: {} for i in range(int(fps), n, int(fps))}
            gap = max(1, int(round(fps / 5)))
            wanted = set(kfs) | {max(0, k - gap) for k in kfs}
            frames = read_frames(path, wanted)
            hit = empty = total = 0
            t_sal = t_obj = 0.0
            kinds: dict[str, int] = {}
            for k in sorted(kfs):
                if k not in frames:
                    continue
                rgb, prev = frames[k], frames[max(0, k - gap)]
                s = 960 / max(rgb.shape[:2])
                size = (int(round(rgb.shape[1] * s)), int(round(rgb.shape[0] * s)))
                small, psmall = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), cv2.resize(prev, size, interpolation=cv2.INTER_AREA)
                t0 = time.perf_counter()
                d = sal.detect(small, psmall if k >= gap else None)
                t1 = time.perf_counter()
                o = obj.detect(small)
                t_obj += time.perf_counter() - t1
                t_sal += t1 - t0
                for kk in o.kind:
                    kinds[str(kk)] = kinds.get(str(kk), 0) + 1
                total += 1
                if not len(d):
                    empty += 1
                    continue
                if kfs[k].get("must"):
                    cx = d.center[0, 0] / s
                    hit += any(m[0] <= cx <= m[0] + m[2] for m in kfs[k]["must"])
            from reframe.detections import Kind

            seen = ", ".join(f"{Kind(int(k)).name.lower()} {v}" for k, v in sorted(kinds.items()))
            rate = f"{hit}/{total}" if ann else "n/a"
            print(f"  {name:38s}{total:>10d}{rate:>18s}{empty:>8d}{t_sal / max(total, 1) * 1000:>8.1f}{t_obj / max(total, 1) * 1000:>8.1f}  {seen}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=Path, help="folder of development clips with annotations/*.json")
    ap.add_argument("--no-sizes", action="store_true", help="skip the synthetic head-size table")
    args = ap.parse_args()
    if not args.no_sizes:
        bench_sizes()
    if args.clips:
        bench_clips(args.clips)


if __name__ == "__main__":
    main()
