"""On-screen text (titles, signs, lower thirds) with PaddleOCR's PP-OCRv4 text detector.

The model (a DB network: "Real-time scene text detection with
differentiable binarization", Liao et al., AAAI 2020) gives, for every pixel
of its input, the probability that it lies on text. Text lines are the
connected regions of that map above a threshold, each grown by the margin
the network was trained to leave out (DB's "unclip": a shrunk text region is
offset by ``area * ratio / perimeter``). It runs on OpenCV's dnn module, on a
small copy of the frame: titles and lower thirds are large, and a watermark
or a copyright line too small to be found there is too small to matter for
framing anyway.

A box from that coarse map overshoots its line by a good part of the line's
height, which decides whether a title fits a window. So each line found is
looked at again, in a crop around it at ``refine`` times the scale, where the
map's cells are finer and the box closer to the glyphs.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..detections import Detections, Kind
from ..errors import UsageError
from ..geometry import clip_to_frame, points_in
from .faces import check_rgb
from .models import TEXT, load_model

# The network's input sides are multiples of this.
_STRIDE = 32
# A line of text is at least this many times as long as it is tall (its core
# on the map; two letters or more); rounder blobs are textures the network
# took for text (a knitted pattern, ridges between two cups).
_MIN_ASPECT = 2.0


class TextDetector:
    """Finds lines of text (kind TEXT) in RGB frames.

    ``long_side``: the frame is shrunk to this many pixels on its long side
    before the network sees it (text from about 8 px tall at that size is
    found: a line of a twentieth of the frame height at 320).
    ``threshold``: probability from which a pixel is text; ``box_score``:
    least mean probability of a line; ``unclip``: DB's expansion ratio.
    ``refine``: the scale, against the first look, of the second look at
    each line (1 for none); ``max_refined``: at most this many lines, the
    tallest, are looked at again.

    Build once and reuse; not safe to share between threads.
    """

    def __init__(
        self, *, long_side: int = 320, threshold: float = 0.3, box_score: float = 0.6, unclip: float = 2.4,
        refine: float = 2.0, max_refined: int = 4,
    ) -> None:
        if not 64 <= long_side <= 2048:
            raise UsageError("text detector long_side must be between 64 and 2048")
        if not 1 <= refine <= 4:
            raise UsageError("text detector refine must be between 1 and 4")
        if not 0 < threshold < 1 or not 0 < box_score < 1:
            raise UsageError("text thresholds must be between 0 and 1")
        self.long_side = int(long_side)
        self.threshold = float(threshold)
        self.box_score = float(box_score)
        self.unclip = float(unclip)
        self.refine = float(refine)
        self.max_refined = int(max_refined)
        data = load_model(TEXT)
        self._net = cv2.dnn.readNetFromONNX(np.frombuffer(data, np.uint8))

    def close(self) -> None:
        self._net = None

    def __enter__(self) -> TextDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def probability(self, rgb: np.ndarray) -> np.ndarray:
        """The network's text probability map for ``rgb``, at its input size."""
        img = check_rgb(rgb)
        return self._map(img, self.long_side / max(img.shape[:2]))

    def _map(self, img: np.ndarray, scale: float) -> np.ndarray:
        h, w = img.shape[:2]
        nw = max(_STRIDE, int(round(w * scale / _STRIDE)) * _STRIDE)
        nh = max(_STRIDE, int(round(h * scale / _STRIDE)) * _STRIDE)
        small = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if nw < w else cv2.INTER_LINEAR)
        # Trained on BGR pictures scaled to [-1, 1].
        blob = cv2.dnn.blobFromImage(small, 1 / 127.5, (nw, nh), (127.5, 127.5, 127.5), swapRB=True)
        self._net.setInput(blob)
        return self._net.forward()[0, 0]

    def detect(self, rgb: np.ndarray) -> Detections:
        """Text lines in ``rgb`` (``(h, w, 3)`` uint8), boxes in its pixel coordinates."""
        img = check_rgb(rgb)
        h, w = img.shape[:2]
        lines = text_lines(self.probability(img), (w, h), self.threshold, self.box_score, self.unclip)
        if self.refine > 1 and len(lines):
            lines = self._refined(img, lines)
        return lines

    def _refined(self, img: np.ndarray, lines: Detections) -> Detections:
        """``lines`` with the tallest found again in a crop around each, at ``refine`` times the scale;
        a line not found again keeps its first box."""
        h, w = img.shape[:2]
        scale = self.refine * self.long_side / max(h, w)
        heights = lines.xyxy[:, 3] - lines.xyxy[:, 1]
        order = np.argsort(-heights)[: self.max_refined]
        kept = np.ones(len(lines), bool)
        found = []
        for i in order:
            x1, y1, x2, y2 = lines.xyxy[i]
            # The first box already overshoots; half its height more holds the line whatever the error.
            m = 0.5 * heights[i]
            cx1, cy1 = int(max(0, x1 - m)), int(max(0, y1 - m))
            cx2, cy2 = int(min(w, np.ceil(x2 + m))), int(min(h, np.ceil(y2 + m)))
            crop = img[cy1:cy2, cx1:cx2]
            if min(crop.shape[:2]) < 4:
                continue
            again = text_lines(self._map(crop, scale), (cx2 - cx1, cy2 - cy1), self.threshold, self.box_score,
                               self.unclip)
            c = again.center + [cx1, cy1]
            inside = points_in(c, lines.xyxy[i])
            if inside.any():
                again = again[inside]
                found.append(Detections(again.xyxy + np.float32([cx1, cy1, cx1, cy1]), again.confidence, again.kind))
                kept[i] = False
        return Detections.concat([lines[kept], *found])


def text_lines(
    prob: np.ndarray, size: tuple[int, int], threshold: float = 0.3, box_score: float = 0.6, unclip: float = 2.4
) -> Detections:
    """DB post-processing: text boxes from a probability map, in an image of ``size`` (w, h).

    >>> p = np.zeros((64, 128), np.float32); p[20:30, 10:90] = 0.9
    >>> d = text_lines(p, (256, 128)); [round(float(v)) for v in d.xyxy[0]], round(float(d.confidence[0]), 1)
    ([0, 17, 203, 83], 0.9)
    """
    mh, mw = prob.shape
    mask = cv2.dilate((prob > threshold).astype(np.uint8), np.ones((2, 2), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    boxes, scores = [], []
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        # The dilation only joins pieces; it grows the region by a cell to the right and below.
        ys, xs = np.nonzero((labels[y : y + bh, x : x + bw] == i) & (prob[y : y + bh, x : x + bw] > threshold))
        x, y, bw, bh = x + xs.min(), y + ys.min(), xs.max() + 1 - xs.min(), ys.max() + 1 - ys.min()
        if min(bw, bh) < 3 or bw < _MIN_ASPECT * bh:
            continue
        score = float(prob[y : y + bh, x : x + bw][labels[y : y + bh, x : x + bw] == i].mean())
        if score < box_score:
            continue
        # The network marks a shrunk core of each line: grow it back by DB's
        # offset, and by a cell of the map, to which its edges are known.
        d = bw * bh * unclip / (2.0 * (bw + bh)) + 1.0
        boxes.append([x - d, y - d, x + bw + d, y + bh + d])
        scores.append(score)
    if not boxes:
        return Detections.empty()
    sx, sy = size[0] / mw, size[1] / mh
    xyxy = clip_to_frame(np.array(boxes) * [sx, sy, sx, sy], *size)
    return Detections(xyxy.astype(np.float32), np.array(scores, np.float32), np.full(len(boxes), Kind.TEXT, np.int8))
