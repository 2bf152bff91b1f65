"""Burned-in subtitles, found from time rather than by reading text.

A subtitle line is text that appears at once, holds perfectly still while it
is shown, and goes (or is replaced by the next line) at once, in the lower or
upper part of the picture, centred. Nothing else in a video does all of that
again and again at the same height: a logo or a sign holds still but never
changes, a ticker or a credit roll moves, karaoke text changes colour while it
is shown, a moving background changes everywhere.

So :class:`SubtitleFinder` looks, a few times a second, at a strip of the
bottom and of the top of the frame at a modest resolution (grey levels, about
480 px wide), marks its strokes (strong local contrast), and follows them:

* an *onset* is a block of strokes, shaped like one or two centred lines,
  that were not there a moment ago and have held still, grey level for grey
  level, for :attr:`SubtitleFinder.HOLD_LOOKS` looks in a row, with nothing
  else new around them;
* the *line* then lives while most of those strokes keep their grey levels,
  and ends when they go; a line that fades away slowly or is wiped over
  (karaoke) is not a subtitle line;
* lines at the same height form a band when at least two of them show
  different text and appear or go within a shot (text standing for a whole
  shot, such as a lower-third name or a title card, is not a subtitle, and
  text that comes and goes with the picture at a cut or a fade is scenery);
  lines closer than :attr:`SubtitleFinder.GAP` seconds share one
  :class:`~reframe.subtitles.SubtitleBand`, whose box is the union of their
  boxes, so a layout built on it does not jump from line to line.

The finder never reads text, so it works for any script; it misses
subtitles that move, that have no stroke contrast against their background,
or that show a single line only (see the README).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import cv2
import numpy as np

from ..frames import plane_array
from ..geometry import bounding_box, from_xywh, smaller_share, to_xywh
from ..subtitles import SubtitleBand

_KERNEL3 = np.ones((3, 3), np.uint8)


@dataclass
class _Line:
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


class _Zone:
    """The strip of one side of the frame (rows ``y0``-``y1`` of the source) and its lines."""

    def __init__(self, finder: SubtitleFinder, y0: int, y1: int, width: int) -> None:
        self.finder = finder
        self.y0, self.y1 = y0, y1
        self.size = (width, max(8, round((y1 - y0) * width / finder.width)))
        self.previous: tuple[np.ndarray, np.ndarray] | None = None  # grey and strokes of the last look
        self.age: np.ndarray | None = None
        self.onset_of: deque = deque(maxlen=finder.HOLD_LOOKS + 2)  # frame indices of the last looks
        self.active: list[_Line] = []
        self.lines: list[_Line] = []
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
            self.active.append(_Line(first, box, mask, grey[y : y + h, x : x + w].copy()))

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
                # One line, or two whose rows the edges of a background box join (each line
                # as wide for its height as one alone).
                lines_in = 1 if h <= frame_rows[1] else 2
                if not (frame_rows[0] <= h <= lines_in * frame_rows[1]
                        and w >= max(f.MIN_ASPECT * h / lines_in, f.MIN_WIDTH * sw)):
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


class SubtitleFinder:
    """Finds burned-in subtitle bands in frames fed one by one, in order.

    >>> # finder = SubtitleFinder(info); finder.add(frame) for every frame; bands = finder.finish(cuts)
    """

    # Looks a second (at most: every frame of slower video).
    LOOKS_PER_SECOND = 6.0
    # Looks in a row new strokes must hold still to be a line's onset (about half a second).
    HOLD_LOOKS = 4
    # Width of the strips looked at, and the share of the height each covers.
    STRIP_WIDTH = 480
    BOTTOM = 0.36
    TOP = 0.22
    # A stroke: morphological gradient (3x3) of at least this many grey levels.
    CONTRAST = 56
    # Grey levels a held stroke pixel may drift by (compression noise, not a change).
    STILL = 14
    # Share of a line's strokes still there below which it is gone; matches
    # in between GONE and HELD are a line changing in place (a wipe, a fade).
    GONE = 0.45
    HELD = 0.8
    # At most this many looks of a line in between (a fade out takes one or two).
    CHANGING_LOOKS = 2
    # ...unless those matches stay within this of each other.
    DRIFT = 0.15
    # New strokes (share of the strip) worth looking for blocks in.
    MIN_NEW = 0.002
    # Block shape, as shares of the frame height / strip width.
    MIN_LINE_HEIGHT = 0.022
    MAX_BLOCK_HEIGHT = 0.2
    MAX_LINE_HEIGHT = 0.1
    MIN_ASPECT = 3.0  # a line's width over its height
    MAX_PIECES = 80  # blocks of new strokes in one look
    # Density of new strokes around a line, at most this share of the density in it.
    ISOLATION = 0.35
    OFF_CENTRE = 0.1
    MIN_WIDTH = 0.06
    FILL = 0.12
    # A subtitle line shows this long (seconds).
    MIN_SHOWN = 1.0
    MAX_SHOWN = 12.0
    # Lines at most this far apart (seconds) share a band.
    GAP = 4.0
    # Margin around the lines, as a share of the frame height.
    MARGIN = 0.004

    def __init__(self, info) -> None:
        self.info = info
        self.width, self.height = int(info.width), int(info.height)
        self.fps = float(info.fps) or 25.0
        self.step = max(1, int(round(self.fps / self.LOOKS_PER_SECOND)))
        self.looks = 0
        self.fades: list[int] = []  # looks where the whole picture brightened or darkened
        self._small: np.ndarray | None = None
        self.last_frame = -1
        sw = min(self.STRIP_WIDTH, self.width - self.width % 2)
        h = self.height
        self.zones = [
            _Zone(self, h - int(round(self.BOTTOM * h)), h, sw),
            _Zone(self, 0, int(round(self.TOP * h)), sw),
        ]
        self._direct = not (getattr(info, "rotation", 0) or getattr(info, "mirrored", False) or getattr(info, "hdr", None))

    def add(self, frame) -> None:
        """Feed the next decoded frame (a :class:`reframe.frames.VideoFrame`)."""
        self.last_frame = frame.index
        if frame.index % self.step:
            return
        self.looks += 1
        strips = self._strips(frame)
        self._fading(frame.index, strips)
        for zone, grey in zip(self.zones, strips):
            zone.look(frame.index, grey)

    def _fading(self, index: int, strips: list[np.ndarray]) -> None:
        """Note looks where the whole picture brightens or darkens (fades, flashes): lines that
        come or go with them come and go with the picture, like at a cut."""
        small = np.concatenate([s[4::12, 8::16].ravel() for s in strips]).astype(np.int16)
        if self._small is not None:
            diff = small - self._small
            moved = np.abs(diff) >= 2
            if np.count_nonzero(moved) >= 0.6 * diff.size and abs(np.count_nonzero(diff > 0) - np.count_nonzero(diff < 0)) >= 0.5 * diff.size:
                self.fades.append(index)
        self._small = small

    def _strips(self, frame) -> list[np.ndarray]:
        av_frame = frame.av_frame
        if (
            self._direct
            and av_frame.format.name in ("yuv420p", "yuvj420p", "nv12", "yuv422p", "yuv444p")
            and (av_frame.width, av_frame.height) == (self.width, self.height)
        ):
            luma = plane_array(av_frame.planes[0])
            # Every k-th pixel first, then one area-averaging of about 2:1: a full-size
            # area reduction costs several times more and strokes are wider than k.
            return [self._shrink(luma[z.y0 : z.y1], z.size) for z in self.zones]
        sw = self.zones[0].size[0]
        sh = max(2, round(self.height * sw / self.width))
        grey = frame.to_gray(sw, sh)
        out = []
        for z in self.zones:
            a, b = round(z.y0 * sh / self.height), round(z.y1 * sh / self.height)
            out.append(cv2.resize(grey[a:b], z.size, interpolation=cv2.INTER_AREA))
        return out

    def _shrink(self, plane: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        # Bilinear: shrinking by two or more it averages two rows and columns
        # in every few and leaves the others unread (the decoded frame is cold
        # in the cache: an area average of all of it costs several times more).
        return cv2.resize(plane, size, interpolation=cv2.INTER_LINEAR)

    def finish(self, cuts=()) -> tuple[SubtitleBand, ...]:
        """The subtitle bands found, in source display pixels, by start frame."""
        bands: list[SubtitleBand] = []
        bounds = np.array(sorted({0, *map(int, cuts), *self.fades}), dtype=np.int64)
        for zone in self.zones:
            zone.finish(self.last_frame)
            lines = [ln for ln in zone.lines if self._shown_like_subtitle(ln)]
            for group in _by_height(lines):
                evidence = [ln for ln in group if self._changes_in_shot(ln, bounds)]
                if _distinct(evidence) < 2:
                    continue
                for stretch in self._stretches(group):
                    # Where the lines are, from those that appeared on their own: one that
                    # appeared with the picture (after a cut or a fade) may carry scenery.
                    alone = [ln for ln in stretch if not self._at_boundary(ln.onset, bounds)]
                    bands.append(self._band(zone, stretch, _on_rows_of(stretch, alone) if alone else stretch))
        return tuple(sorted(bands, key=lambda b: (b.start, b.box[1])))

    def _shown_like_subtitle(self, line: _Line) -> bool:
        shown = line.seconds(self.fps)
        if not self.MIN_SHOWN <= shown <= self.MAX_SHOWN:
            return False
        # A line that is changed in place (a karaoke wipe, a slow fade) loses its strokes
        # look after look; one that only lost the edge of something that came to rest
        # beside it when it appeared drops once and then holds.
        between = [m for m in line.matches if self.GONE <= m < self.HELD]
        return len(between) <= self.CHANGING_LOOKS or max(between) - min(between) < self.DRIFT

    def _at_boundary(self, frame: int, bounds: np.ndarray) -> bool:
        """Whether ``frame`` is at a cut, a fade or the clip's start, to within two looks."""
        return bool(np.any(np.abs(bounds - frame) <= 2 * self.step))

    def _changes_in_shot(self, line: _Line, bounds: np.ndarray) -> bool:
        """Whether the line appears or goes away inside a shot (not only at cuts, fades or the clip's ends)."""
        starts_inside = not self._at_boundary(line.onset, bounds)
        ends_inside = line.ended_by_change and not self._at_boundary(line.end, bounds)
        return starts_inside or ends_inside

    def _stretches(self, lines: list[_Line]) -> list[list[_Line]]:
        lines = sorted(lines, key=lambda ln: ln.onset)
        out: list[list[_Line]] = []
        for ln in lines:
            if out and ln.onset - max(x.end for x in out[-1]) <= self.GAP * self.fps:
                out[-1].append(ln)
            else:
                out.append([ln])
        return out

    def _band(self, zone: _Zone, lines: list[_Line], placed: list[_Line]) -> SubtitleBand:
        """The band of ``lines`` (its frames) where ``placed`` are (its box)."""
        x0 = min(ln.box[0] for ln in placed)
        y0 = min(ln.box[1] for ln in placed)
        x1 = max(ln.box[0] + ln.box[2] for ln in placed)
        y1 = max(ln.box[1] + ln.box[3] for ln in placed)
        sx = self.width / zone.size[0]
        sy = (zone.y1 - zone.y0) / zone.size[1]
        m = self.MARGIN * self.height
        left = max(0.0, x0 * sx - m)
        right = min(float(self.width), x1 * sx + m)
        top = max(0.0, zone.y0 + y0 * sy - m)
        bottom = min(float(self.height), zone.y0 + y1 * sy + m)
        start = max(0, min(ln.onset for ln in lines))
        end = min(self.last_frame + 1, max(ln.end for ln in lines))
        box = (round(left, 1), round(top, 1), round(right - left, 1), round(bottom - top, 1))
        return SubtitleBand(int(start), int(end), box)


def _on_rows_of(lines: list[_Line], placed: list[_Line]) -> list[_Line]:
    """The ``lines`` that keep to the rows of the ``placed`` ones (give or take a fifth of their height)."""
    y0 = min(ln.box[1] for ln in placed)
    y1 = max(ln.box[1] + ln.box[3] for ln in placed)
    slack = 0.2 * (y1 - y0)
    return [ln for ln in lines if ln in placed or (ln.box[1] >= y0 - slack and ln.box[1] + ln.box[3] <= y1 + slack)]


def _by_height(lines: list[_Line]) -> list[list[_Line]]:
    """Lines grouped by the rows they occupy (overlapping rows chain into one group)."""
    groups: list[list[_Line]] = []
    for ln in sorted(lines, key=lambda ln: ln.box[1]):
        y0, y1 = ln.box[1], ln.box[1] + ln.box[3]
        for g in groups:
            if any(min(y1, o.box[1] + o.box[3]) - max(y0, o.box[1]) >= 0.5 * min(ln.box[3], o.box[3]) for o in g):
                g.append(ln)
                break
        else:
            groups.append([ln])
    return groups


def _distinct(lines: list[_Line]) -> int:
    """How many of ``lines`` show different text (compared stroke by stroke where their boxes meet)."""
    kept: list[_Line] = []
    for ln in lines:
        if not any(_same_text(ln, k) for k in kept):
            kept.append(ln)
    return len(kept)


def _same_text(a: _Line, b: _Line) -> bool:
    ax, ay, aw, ah = a.box
    bx, by, bw, bh = b.box
    x0, y0 = max(ax, bx), max(ay, by)
    x1, y1 = min(ax + aw, bx + bw), min(ay + ah, by + bh)
    if x1 <= x0 or y1 <= y0:
        return False
    ma = a.mask[y0 - ay : y1 - ay, x0 - ax : x1 - ax]
    mb = b.mask[y0 - by : y1 - by, x0 - bx : x1 - bx]
    ga = a.patch[y0 - ay : y1 - ay, x0 - ax : x1 - ax]
    gb = b.patch[y0 - by : y1 - by, x0 - bx : x1 - bx]
    both = (ma > 0) & (mb > 0) & (np.abs(ga.astype(np.int16) - gb) <= 2 * SubtitleFinder.STILL)
    union = np.count_nonzero((a.mask > 0)) + np.count_nonzero(b.mask > 0) - np.count_nonzero(both)
    return np.count_nonzero(both) >= 0.5 * max(1, min(np.count_nonzero(a.mask), np.count_nonzero(b.mask))) and union > 0


__all__ = ["SubtitleFinder"]
