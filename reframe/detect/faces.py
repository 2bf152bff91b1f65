"""Head detection with MediaPipe's full-range face model over a small image pyramid.

The model sees its input squeezed into 192x192 and needs a face of about a
ninth of that, so on a whole 960x540 frame it only finds heads taller than
~100 px. Wide landscape shots have heads of 25-40 px at that size, so the
frame is also scanned in pieces, each piece giving the model a closer look:

* level 0, the whole frame (1 call): heads from ~1/4 of the frame height;
* level 1, squares of the frame height across its width (2 more calls for
  16:9): heads from ~1/7 of the height;
* level 2, overlapping tiles of 0.47 of the height (15 more calls): heads
  from ~1/20 of the height (28 px at 540, 56 px in 1080p).

Small faces found in a tile get a second, closer look (one call each) that
rejects look-alikes such as fur or a rocket's nose.
How much of this runs is the caller's choice, a :class:`Scan`: the fine
tiles (level 2) now and then, the whole-frame levels more often, and in
between only the regions around the faces and people the caller already
knows (``hints``), which follows them at one call each.
``benchmarks/face_sizes.py`` measures all this.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from enum import IntEnum

import cv2
import numpy as np

from ..detections import Detections, Kind
from ..errors import UsageError
from ..geometry import clip_to_frame, iou, nms, tile_grid
from .heads import HeadBox
from .hints import SWEET_SPOT, hint_regions
from .models import FACE_FULL_RANGE, TasksModel, import_mediapipe, load_model


# Model score from which a face is worth a second, closer look.
CANDIDATE_SCORE = 0.3


class Scan(IntEnum):
    """How much of a frame the face model looks at; each level adds to the one before.

    * ``HINTS``: only around the faces and people already known (a call each);
    * ``WHOLE``: also the whole frame, zoomed out and in squares (4 calls):
      heads from ~1/7 of the frame height, wherever they are;
    * ``FINE``: also the fine tiles (15 more calls): heads from ~1/20 of the height.
    """

    HINTS = 0
    WHOLE = 1
    FINE = 2


def check_rgb(rgb: np.ndarray) -> np.ndarray:
    """``rgb`` as a C-contiguous ``(h, w, 3)`` uint8 array, or :class:`UsageError`."""
    arr = np.asarray(rgb)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
        raise UsageError(f"expected an RGB uint8 image of shape (h, w, 3), got {arr.dtype} {arr.shape}")
    if arr.shape[0] < 8 or arr.shape[1] < 8:
        raise UsageError(f"image of {arr.shape[1]}x{arr.shape[0]} is too small to detect anything in")
    return np.ascontiguousarray(arr)


# The IoU under the name earlier callers import it by.
box_iou = iou


class FaceDetector(TasksModel):
    """Finds heads (hair to chin, ear to ear) in RGB frames.

    ``confidence``: minimum model score. ``tiles``: allow the fine tiled scan
    (level 2) at all. ``tile_fraction``: side of the fine tiles as a share of
    the frame's short side. ``tile_overlap``: share of a tile shared with its
    neighbour, so that a head cut by one tile is whole in the next.
    ``max_hints``: at most this many hint regions are searched per call.
    ``verify_confidence``: score a small face must reach on its second,
    closer look (real faces score 0.77-0.95 there, look-alikes below 0.65).
    ``head``: the face-to-head box expansion. ``workers``: model instances
    that share the regions of one frame between them, each in its own
    thread (MediaPipe runs a call on one core, and the whole-frame and fine
    scans make 4-20 calls a frame).

    Build once and reuse; not safe to share between threads. Use as a
    context manager or call :meth:`close`.
    """

    def __init__(
        self,
        confidence: float = 0.5,
        *,
        tiles: bool = True,
        tile_fraction: float = 256 / 540,
        tile_overlap: float = 0.25,
        max_hints: int = 6,
        verify_confidence: float = 0.7,
        head: HeadBox = HeadBox(),
        workers: int = 2,
    ) -> None:
        if not 0 < confidence < 1:
            raise UsageError("face confidence must be between 0 and 1")
        if workers < 1:
            raise UsageError("workers must be at least 1")
        if not 0.1 <= tile_fraction <= 1:
            raise UsageError("tile_fraction must be between 0.1 and 1")
        if not 0 <= tile_overlap < 0.5:
            raise UsageError("tile_overlap must be in [0, 0.5)")
        # Imported here so that importing reframe stays fast for commands
        # that never detect anything.
        mediapipe = import_mediapipe()
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mediapipe
        self.confidence = float(confidence)
        self.tiles = tiles
        self.tile_fraction = tile_fraction
        self.tile_overlap = tile_overlap
        self.max_hints = max_hints
        self.verify_confidence = float(verify_confidence)
        self.head = head
        options = vision.FaceDetectorOptions(
            base_options=BaseOptions(model_asset_buffer=load_model(FACE_FULL_RANGE)),
            running_mode=vision.RunningMode.IMAGE,
            # Weak first looks are kept as candidates for a closer second look.
            min_detection_confidence=min(CANDIDATE_SCORE, self.confidence),
        )
        self._detector = vision.FaceDetector.create_from_options(options)
        # The other instances, each called from its own thread of the pool.
        self._helpers = [vision.FaceDetector.create_from_options(options) for _ in range(workers - 1)]
        self._pool = ThreadPoolExecutor(workers - 1, thread_name_prefix="faces") if self._helpers else None

    def close(self) -> None:
        """Release the models and the threads that run them."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        for helper in self._helpers:
            helper.close()
        self._helpers = []
        super().close()

    # -- public -----------------------------------------------------------

    def detect(self, rgb: np.ndarray, scan: Scan = Scan.FINE, hints: Detections | None = None) -> Detections:
        """Heads in ``rgb`` (``(h, w, 3)`` uint8), as :class:`Detections` of
        kind FACE in the pixel coordinates of ``rgb``.

        ``scan``: how much of the frame to look at (:class:`Scan`; the fine
        scan costs about 5x the whole-frame one, which costs about 4x a
        hint). ``hints``: detections already known on or near this frame
        (FACE boxes from the previous sample, PERSON boxes from the object
        detector); the region around each is searched closely, so known
        heads are followed between scans at little cost. Hints are skipped
        when the fine scan runs, since it sees everything.
        """
        img = check_rgb(rgb)
        return self._heads(img, *self.detect_faces(img, scan, hints))

    def detect_faces(
        self, rgb: np.ndarray, scan: Scan = Scan.FINE, hints: Detections | None = None
    ) -> tuple[Detections, np.ndarray]:
        """Like :meth:`detect`, but the face boxes as the model gives them
        (brows to mouth) with each face's yaw (see :class:`HeadBox`): what the
        head box is computed from, for calibration."""
        img = check_rgb(rgb)
        h, w = img.shape[:2]
        if scan == Scan.HINTS and (hints is None or not len(hints)):
            scan = Scan.WHOLE  # nobody to follow: look for newcomers
        regions = self._plan(w, h, scan, hints)
        raw = self._run(img, regions)
        found = self._decide(img, raw)
        if scan == Scan.HINTS and len(found[0]) < _distinct_faces(hints):
            # A known face was not seen again where it was (it turned, or
            # moved further than its region): look at the rest of the whole frame.
            more = [r for r in self._plan(w, h, Scan.WHOLE, hints) if r not in regions]
            found = self._decide(img, tuple(np.concatenate(p) for p in zip(raw, self._run(img, more))))
        return found

    def _heads(self, img: np.ndarray, faces: Detections, yaw: np.ndarray) -> Detections:
        h, w = img.shape[:2]
        heads = clip_to_frame(self.head.apply(faces.xyxy, yaw), w, h)
        return Detections(heads, faces.confidence, faces.kind)

    def detect_in(self, rgb: np.ndarray, regions: list[tuple[int, int, int, int]]) -> Detections:
        """Heads found by running the model on each ``(x0, y0, x1, y1)`` region
        of ``rgb``, merged across regions, in ``rgb`` pixel coordinates.

        A head that was small in its region (under ~1/5 of it) is looked at
        again in a region 4 heads wide, where real faces score high and the
        textures that fool the model at its limit (fur, foliage, a rocket's
        nose) do not; that second score must reach ``verify_confidence`` and
        is the one reported.
        """
        img = check_rgb(rgb)
        return self._heads(img, *self._detect(img, [(r, False) for r in regions]))

    def _detect(
        self, img: np.ndarray, regions: list[tuple[tuple[int, int, int, int], bool]]
    ) -> tuple[Detections, np.ndarray]:
        """``regions`` pairs each region with ``strict``: its faces need
        ``verify_confidence`` even when seen at a good scale (the many fine
        tiles are where look-alikes turn up)."""
        return self._decide(img, self._run(img, regions))

    def _decide(self, img: np.ndarray, raw: tuple[np.ndarray, ...]) -> tuple[Detections, np.ndarray]:
        """The faces kept from the raw model outputs of :meth:`_run` (see :meth:`_detect`)."""
        h, w = img.shape[:2]
        faces, score, edge, side, strict, yaw = raw
        if not len(faces):
            return Detections.empty(), np.zeros(0, np.float32)
        # Whole faces win over cut ones of similar score.
        keep = nms(faces, score - 0.2 * edge)
        sure = max(self.confidence, self.verify_confidence)
        out_faces, out_score, out_yaw = [], [], []
        for i in keep:
            head = self.head.apply(faces[i : i + 1], yaw[i : i + 1])[0]
            hs = float(max(head[2] - head[0], head[3] - head[1]))
            look = min(float(min(w, h)), max(48.0, SWEET_SPOT * hs))
            if side[i] <= look * 1.15 or score[i] >= 0.9:
                # Already seen at (or closer than) the model's best scale, or beyond doubt.
                if score[i] >= (sure if strict[i] else self.confidence):
                    out_faces.append(faces[i])
                    out_score.append(score[i])
                    out_yaw.append(yaw[i])
                continue
            cx, cy = (head[0] + head[2]) / 2, (head[1] + head[3]) / 2
            x0 = int(round(min(max(cx - look / 2, 0), w - look)))
            y0 = int(round(min(max(cy - look / 2, 0), h - look)))
            again, again_score, _, _, _, again_yaw = self._run(img, [((x0, y0, x0 + int(look), y0 + int(look)), True)])
            if not len(again):
                continue
            overlap = iou(again, faces[i])
            j = int(np.argmax(np.where(overlap > 0.2, again_score, -1)))
            if overlap[j] > 0.2 and again_score[j] >= sure:
                out_faces.append(again[j])
                out_score.append(again_score[j])
                out_yaw.append(again_yaw[j])
        if not out_faces:
            return Detections.empty(), np.zeros(0, np.float32)
        xyxy = np.stack(out_faces)
        conf = np.array(out_score, np.float32)
        keep = nms(xyxy, conf)
        faces_out = Detections(xyxy[keep], conf[keep], np.full(len(keep), Kind.FACE, np.int8))
        return faces_out, np.array(out_yaw, np.float32)[keep]

    def _run(
        self, img: np.ndarray, regions: list[tuple[tuple[int, int, int, int], bool]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Raw face boxes, scores, whether each touches an inner region edge
        (probably a cut face), the side of the region each came from, whether
        that region is strict, and the yaw of each face."""
        h, w = img.shape[:2]
        boxes: list[list[float]] = []
        scores: list[float] = []
        edge: list[bool] = []
        sides: list[float] = []
        stricts: list[bool] = []
        yaws: list[float] = []
        looks = []  # (region, strict, its part inside the frame, the picture the model sees)
        for (rx0, ry0, rx1, ry1), strict in regions:
            # A region may reach past the frame (the zoomed-out level): the
            # part outside is black padding.
            x0, y0, x1, y1 = max(0, int(rx0)), max(0, int(ry0)), min(w, int(rx1)), min(h, int(ry1))
            if x1 - x0 < 8 or y1 - y0 < 8:
                continue
            crop = img if (x0, y0, x1, y1) == (0, 0, w, h) else np.ascontiguousarray(img[y0:y1, x0:x1])
            if (x0, y0, x1, y1) != (rx0, ry0, rx1, ry1):
                crop = cv2.copyMakeBorder(crop, y0 - ry0, ry1 - y1, x0 - rx0, rx1 - x1, cv2.BORDER_CONSTANT, value=0)
            image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=crop)
            looks.append(((rx0, ry0, rx1, ry1), strict, (x0, y0, x1, y1), image))
        results = self._infer([look[3] for look in looks])
        for ((rx0, ry0, rx1, ry1), strict, (x0, y0, x1, y1), _), result in zip(looks, results):
            for d in result.detections:
                bb = d.bounding_box
                bx0, by0 = max(bb.origin_x + rx0, x0), max(bb.origin_y + ry0, y0)
                bx1, by1 = min(bb.origin_x + bb.width + rx0, x1), min(bb.origin_y + bb.height + ry0, y1)
                if bx1 - bx0 < 2 or by1 - by0 < 2:
                    continue
                boxes.append([bx0, by0, bx1, by1])
                scores.append(float(d.categories[0].score) if d.categories else 0.0)
                m = 2
                edge.append(
                    (bx0 <= x0 + m and x0 > 0) or (by0 <= y0 + m and y0 > 0)
                    or (bx1 >= x1 - m and x1 < w) or (by1 >= y1 - m and y1 < h)
                )  # fmt: skip
                sides.append(float(max(rx1 - rx0, ry1 - ry0)))
                stricts.append(strict)
                kp = d.keypoints or []
                if len(kp) >= 6:
                    # Keypoints: right eye, left eye, nose tip, mouth, right ear, left ear.
                    ears = (kp[4].x + kp[5].x) / 2
                    yaws.append(float((kp[2].x - ears) * (rx1 - rx0) / max(bx1 - bx0, 1)))
                else:
                    yaws.append(0.0)
        return (
            np.array(boxes, np.float32).reshape(-1, 4),
            np.array(scores, np.float32),
            np.array(edge, np.float32),
            np.array(sides, np.float32),
            np.array(stricts, bool),
            np.array(yaws, np.float32),
        )

    def _infer(self, images: list) -> list:
        """The model's result for each of ``images``, in order: the first share
        runs here, the others at once on the helper instances."""
        if self._pool is None or len(images) < 3:
            return [self._detector.detect(image) for image in images]
        shares = np.array_split(np.arange(len(images)), len(self._helpers) + 1)
        pending = [
            self._pool.submit(lambda model, share: [model.detect(images[i]) for i in share], model, share)
            for model, share in zip(self._helpers, shares[1:])
        ]
        results = [self._detector.detect(images[i]) for i in shares[0]]
        for future in pending:
            results += future.result()
        return results

    def regions(
        self, width: int, height: int, scan: Scan = Scan.FINE, hints: Detections | None = None
    ) -> list[tuple[int, int, int, int]]:
        """The ``(x0, y0, x1, y1)`` regions :meth:`detect` runs the model on
        for a frame of this size: one model call each (plus one per small
        face found, for its second look)."""
        return [r for r, _ in self._plan(width, height, scan, hints)]

    def _plan(
        self, width: int, height: int, scan: Scan, hints: Detections | None
    ) -> list[tuple[tuple[int, int, int, int], bool]]:
        """Regions, each with whether it is strict (see :meth:`_detect`)."""
        short, long_ = min(width, height), max(width, height)
        if scan == Scan.HINTS:
            return [(r, False) for r in hint_regions(width, height, hints, self.max_hints, every_size=True)]
        pad = short // 2
        # Level -1, the frame zoomed out into black padding: close-ups whose
        # face is cut by the frame edge are only found with context around them.
        out = [((0, 0, width, height), False), ((-pad, -pad, width + pad, height + pad), False)]
        if long_ >= 1.25 * short:
            # Level 1: squares of the short side along the long one.
            for s in tile_grid(long_, short, short // 8):
                out.append(((s, 0, s + short, height) if width >= height else (0, s, width, s + short), False))
        if scan == Scan.FINE and self.tiles:
            t = max(32, int(round(self.tile_fraction * short)))
            if t < short:
                ov = int(round(self.tile_overlap * t))
                for y in tile_grid(height, t, ov):
                    for x in tile_grid(width, t, ov):
                        out.append(((x, y, x + t, y + t), True))
            # The fine scan saw everything the hints would show.
            return out
        if hints is not None and len(hints):
            # Hint regions are as small as fine tiles, but a face was there: trusted.
            out.extend((r, False) for r in hint_regions(width, height, hints, self.max_hints))
        return out


def _distinct_faces(hints: Detections | None) -> int:
    """How many different faces ``hints`` holds (a face may be hinted twice)."""
    if hints is None:
        return 0
    faces = hints.xyxy[hints.kind == Kind.FACE]
    return len(nms(faces, np.ones(len(faces), np.float32))) if len(faces) else 0
