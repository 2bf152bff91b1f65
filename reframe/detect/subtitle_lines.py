"""Subtitle lines in one strip of the frame: their onsets, shapes and lives.

A :class:`Zone` is the bottom or top strip that :class:`~reframe.detect.subtitles.SubtitleFinder`
looks at a few times a second. It marks strokes, ages them look by look, and
turns blocks of new strokes that held still and are shaped like one or two
centred lines of text into :class:`Line` objects, followed until their
strokes go. The finder's constants (contrast, hold, shape limits) are read
from the finder the zone belongs to.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..geometry import bounding_box, from_xywh, smaller_share, to_xywh

if TYPE_CHECKING:
    from .subtitles import SubtitleFinder

_KERNEL3 = np.ones((3, 3), np.uint8)


@dataclass
class Line:
    """One shown subtitle line (or two lines shown together) in strip pixels."""

    onset: int  # first frame it may be on
    box: tuple[int, int, int, int]  # x, y, w, h in strip pixels
    mask: np.ndarray  # its strokes inside box
    patch: np.ndarray  # grey levels inside box
    end: int = -1  # first frame it is gone (exclusive), -1 while shown
    matches: list[float] = field(default_factory=list)
    ended_by_change: bool = False  # went away at once (not at the clip's end)

    def seconds(self, fps: float) -> float:
        return (self.end - self.onset) / fps


class Zone:
    """The strip of one side of the frame (rows ``y0``-``y1`` of the source) and its lines."""

    def __init__(self, finder: SubtitleFinder, y0: int, y1: int, width: int) -> None:
        self.finder = finder
        self.y0, self.y1 = y0, y1
        self.size = (width, max(8, round((y1 - y0) * width / finder.width)))
        self.previous: tuple[np.ndarray, np.ndarray] | None = None  # grey and strokes of the last look
        self.age: np.ndarray | None = None
        self.onset_of: deque = deque(maxlen=finder.HOLD_LOOKS + 2)  # frame indices of the last looks
        self.active: list[Line] = []
        self.lines: list[Line] = []
        self.area = self.size[0] * self.size[1]

    def look(self, index: int, grey: np.ndarray) -> None:
        f = self.finder
        grad = cv2.morphologyEx(grey, cv2.MORPH_GRADIENT, _KERNEL3)
        strokes = cv2.compare(grad, f.CONTRAST, cv2.CMP_GE)
        self._follow(index, grey, strokes)
        if self.previous is None:
            self.age = np.zeros_like(grey)
        else:
            # Looks in a row each stroke pixel has held its grey level for.
            same = self._same(grey, strokes, *self.previous)
            self.age = cv2.bitwise_and(cv2.add(self.age, 1), same)
        self.previous = (grey, strokes)
        self.onset_of.append(index)
        new = cv2.compare(self.age, f.HOLD_LOOKS, cv2.CMP_EQ)
        if cv2.countNonZero(new) >= f.MIN_NEW * self.area:
            # Strokes that appeared HOLD_LOOKS looks ago, between that look and the one before.
            onset = self.onset_of[0] + 1 if len(self.onset_of) == self.onset_of.maxlen else 0
            self._onsets(new, onset, grey)

    def _same(self, grey: np.ndarray, strokes: np.ndarray, other_grey: np.ndarray, other_strokes: np.ndarray):
        """Stroke pixels of both pictures whose grey level did not change."""
        still = cv2.compare(cv2.absdiff(grey, other_grey), self.finder.STILL, cv2.CMP_LE)
        return cv2.bitwise_and(cv2.bitwise_and(strokes, other_strokes), still)

    def _follow(self, index: int, grey: np.ndarray, strokes: np.ndarray) -> None:
        keep = []
        for line in self.active:
            x, y, w, h = line.box
            here = self._same(grey[y : y + h, x : x + w], strokes[y : y + h, x : x + w], line.patch, line.mask)
            match = cv2.countNonZero(here) / max(1, cv2.countNonZero(line.mask))
            line.matches.append(match)
            if match < self.finder.GONE:
                line.end = index
                line.ended_by_change = True
                # Only a line shown as long as a subtitle is can be one: keeping the others
                # (a counter, flicker) would hold their pixels for the whole clip.
                if line.seconds(self.finder.fps) >= self.finder.MIN_SHOWN:
                    self.lines.append(line)
            else:
                keep.append(line)
        self.active = keep

    def _onsets(self, new: np.ndarray, onset: int, grey: np.ndarray) -> None:
        f = self.finder
        held = cv2.compare(self.age, f.HOLD_LOOKS, cv2.CMP_GE)
        for box in self._blocks(new):
            x, y, w, h = box
            covered = [a for a in self.active if _overlap(box, a.box) > 0.3]
            if any(a.box[2] * a.box[3] >= w * h for a in covered):
                continue
            # A larger block appearing over a small one: the small one was part of it
            # (the rest, such as a background box's edges, came to rest later), shown since its onset.
            self.active = [a for a in self.active if a not in covered]
            mask = held[y : y + h, x : x + w].copy()
            if cv2.countNonZero(mask) < 12:
                continue
            first = min([onset, *(a.onset for a in covered)])
            self.active.append(Line(first, box, mask, grey[y : y + h, x : x + w].copy()))

    def _blocks(self, new: np.ndarray) -> list[tuple[int, int, int, int]]:
        """Boxes of the blocks of new strokes shaped like one or two centred text lines."""
        f = self.finder
        sw, sh = self.size
        frame_h = sh * f.height / (self.y1 - self.y0)  # the source height in strip pixels
        kw = max(3, int(round(sw * 0.012)) | 1)
        joined = cv2.dilate(new, np.ones((3, kw), np.uint8))
        _, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
        # The strokes' own boxes: dilation grew each by a row and kw // 2 columns a side.
        r = kw // 2
        x0 = np.where(stats[1:, 0] > 0, stats[1:, 0] + r, 0)
        x1 = np.where(stats[1:, 0] + stats[1:, 2] < sw, stats[1:, 0] + stats[1:, 2] - r, sw)
        y0 = np.where(stats[1:, 1] > 0, stats[1:, 1] + 1, 0)
        y1 = np.where(stats[1:, 1] + stats[1:, 3] < sh, stats[1:, 1] + stats[1:, 3] - 1, sh)
        h = y1 - y0
        keep = (h >= f.MIN_LINE_HEIGHT * frame_h) & (h <= f.MAX_BLOCK_HEIGHT * frame_h) & (x1 > x0)
        pieces = [(int(a), int(b), int(c - a), int(d - b)) for a, b, c, d in zip(x0[keep], y0[keep], x1[keep], y1[keep])]
        if len(pieces) > f.MAX_PIECES:
            return []  # new strokes all over: the picture changed, no line appeared on its own
        frame_rows = (f.MIN_LINE_HEIGHT * frame_h, f.MAX_LINE_HEIGHT * frame_h)
        candidates = []
        for words in _words_to_lines(pieces):
            for rx, ry, rw, rh in _rows_of_text(new, _union(words), frame_rows[0]):
                on_rows = [b for b in words if min(b[1] + b[3], ry + rh) - max(b[1], ry) >= 0.5 * min(b[3], rh)]
                if not on_rows:
                    continue
                x0, _, w0, _ = _union(_centred(on_rows, sw, rh))
                tight = _tight(new[ry : ry + rh, x0 : x0 + w0])
                if tight is None:
                    continue
                x, y, w, h = tight
                x, y = x + x0, y + ry
                if not (f.MIN_READABLE * frame_h <= h <= frame_rows[1] and w >= max(f.MIN_ASPECT * h, f.MIN_WIDTH * sw)):
                    continue
                if abs(x + w / 2 - sw / 2) > f.OFF_CENTRE * sw:
                    continue
                inside = cv2.countNonZero(new[y : y + h, x : x + w])
                if inside >= f.FILL * w * h:
                    candidates.append(((x, y, w, h), inside))
        # The other candidate lines are not "around" a line: the second line of a
        # two-line cue comes to rest with the first.
        scenery = new.copy()
        for (x, y, w, h), _ in candidates:
            scenery[y : y + h, x : x + w] = 0
        boxes = []
        for (x, y, w, h), inside in candidates:
            # A line appears on its own: around it nothing new came to rest (a scene
            # fading in or a still shot after a cut has new strokes everywhere).
            ax, ay = max(0, x - h), max(0, y - h // 2)
            bx, by = min(sw, x + w + h), min(sh, y + h + h // 2)
            around = cv2.countNonZero(scenery[ay:by, ax:bx])
            if around > f.ISOLATION * inside / (w * h) * ((bx - ax) * (by - ay) - w * h):
                continue
            boxes.append((x, y, w, h))
        return _two_lines(boxes)

    def finish(self, last_frame: int) -> None:
        for line in self.active:
            line.end = last_frame + 1
            self.lines.append(line)
        self.active = []


def _words_to_lines(boxes: list[tuple[int, int, int, int]]) -> list[list[tuple[int, int, int, int]]]:
    """``boxes`` side by side on the same rows (words, a word gap or so apart) grouped into lines."""
    lines = [[b] for b in sorted(boxes)]
    joined = True
    while joined:
        joined = False
        for i in range(len(lines)):
            for j in range(i + 1, len(lines)):
                a, b = _union(lines[i]), _union(lines[j])
                overlap_y = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
                gap = max(a[0], b[0]) - min(a[0] + a[2], b[0] + b[2])
                if overlap_y >= 0.5 * min(a[3], b[3]) and gap <= 1.5 * max(a[3], b[3]):
                    lines[i] = sorted(lines[i] + lines[j])
                    del lines[j]
                    joined = True
                    break
            if joined:
                break
    return lines


def _centred(words: list[tuple[int, int, int, int]], width: int, height: int) -> list[tuple[int, int, int, int]]:
    """``words`` (left to right) without the outer ones that pull the line off the centre:
    an edge of the scenery that came to rest beside a centred line, a word gap away.
    A word goes only when that brings the line's middle closer to the centre by more
    than a quarter of the line's ``height`` (a line set a pixel off keeps all of its words)."""
    words = sorted(words)
    while len(words) > 1:
        x, _, w, _ = _union(words)
        off = x + w / 2 - width / 2
        rest = words[1:] if off < 0 else words[:-1]
        x, _, w, _ = _union(rest)
        if abs(x + w / 2 - width / 2) >= abs(off) - height / 4:
            break
        words = rest
    return words


def _union(boxes: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    """The ``x, y, w, h`` box holding all of ``boxes``."""
    x, y, w, h = to_xywh(bounding_box(from_xywh(np.array(boxes)))).tolist()
    return x, y, w, h


def _rows_of_text(new: np.ndarray, box: tuple[int, int, int, int], min_height: float) -> list[tuple[int, int, int, int]]:
    """``box`` split into the runs of rows that strokes fill: strokes of something else
    touching a line (an edge that came to rest with it) are thinner. Runs of dense rows
    a few rows apart (a background box's edge and its text) are one."""
    x, y, w, h = box
    rows = np.count_nonzero(new[y : y + h, x : x + w], axis=1)
    dense = np.flatnonzero(rows >= 0.12 * rows.max())
    runs = np.split(dense, np.flatnonzero(np.diff(dense) > 4) + 1)
    return [(x, y + int(r[0]), w, int(r[-1] - r[0] + 1)) for r in runs if r[-1] - r[0] + 1 >= min_height]


def _two_lines(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """``boxes`` with lines shown one above the other (close, overlapping in x) joined into one block."""
    boxes = sorted(boxes, key=lambda b: b[1])
    out: list[tuple[int, int, int, int]] = []
    for b in boxes:
        if out:
            a = out[-1]
            gap = b[1] - (a[1] + a[3])
            overlap_x = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
            if gap <= 0.8 * min(a[3], b[3]) and overlap_x > 0.3 * min(a[2], b[2]):
                x0, y0 = min(a[0], b[0]), a[1]
                x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
                out[-1] = (x0, y0, x1 - x0, y1 - y0)
                continue
        out.append(b)
    return out


def _tight(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    pts = cv2.findNonZero(mask)
    if pts is None:
        return None
    x, y, w, h = cv2.boundingRect(pts)
    return x, y, w, h


def _overlap(a, b) -> float:
    """Intersection over the smaller box (``x, y, w, h``)."""
    return float(smaller_share(from_xywh(a), from_xywh(b)))


