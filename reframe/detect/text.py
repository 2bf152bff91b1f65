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
"""

from __future__ import annotations

import cv2
import numpy as np

from ..detections import Detections, Kind
from ..errors import UsageError
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

    Build once and reuse; not safe to share between threads.
    """

    def __init__(
        self, *, long_side: int = 320, threshold: float = 0.3, box_score: float = 0.6, unclip: float = 1.6
    ) -> None:
        if not 64 <= long_side <= 2048:
            raise UsageError("text detector long_side must be between 64 and 2048")
        if not 0 < threshold < 1 or not 0 < box_score < 1:
            raise UsageError("text thresholds must be between 0 and 1")
        self.long_side = int(long_side)
        self.threshold = float(threshold)
        self.box_score = float(box_score)
        self.unclip = float(unclip)
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
        h, w = img.shape[:2]
        s = self.long_side / max(h, w)
        nw = max(_STRIDE, int(round(w * s / _STRIDE)) * _STRIDE)
        nh = max(_STRIDE, int(round(h * s / _STRIDE)) * _STRIDE)
        small = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA)
        # Trained on BGR pictures scaled to [-1, 1].
        blob = cv2.dnn.blobFromImage(small, 1 / 127.5, (nw, nh), (127.5, 127.5, 127.5), swapRB=True)
        self._net.setInput(blob)
        return self._net.forward()[0, 0]

    def detect(self, rgb: np.ndarray) -> Detections:
        """Text lines in ``rgb`` (``(h, w, 3)`` uint8), boxes in its pixel coordinates."""
        h, w = np.asarray(rgb).shape[:2]
        prob = self.probability(rgb)
        return text_lines(prob, (w, h), self.threshold, self.box_score, self.unclip)


def text_lines(
    prob: np.ndarray, size: tuple[int, int], threshold: float = 0.3, box_score: float = 0.6, unclip: float = 1.6
) -> Detections:
    """DB post-processing: text boxes from a probability map, in an image of ``size`` (w, h).

    >>> p = np.zeros((64, 128), np.float32); p[20:30, 10:90] = 0.9
    >>> d = text_lines(p, (256, 128)); [round(float(v)) for v in d.xyxy[0]], round(float(d.confidence[0]), 1)
    ([3, 23, 199, 79], 0.8)
    """
    mh, mw = prob.shape
    mask = cv2.dilate((prob > threshold).astype(np.uint8), np.ones((2, 2), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    boxes, scores = [], []
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
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
    xyxy = np.clip(np.array(boxes) * [sx, sy, sx, sy], 0, [size[0], size[1], size[0], size[1]])
    return Detections(xyxy.astype(np.float32), np.array(scores, np.float32), np.full(len(boxes), Kind.TEXT, np.int8))
