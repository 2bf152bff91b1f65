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

import cv2
import numpy as np

from ..frames import plane_array
from ..subtitles import SubtitleBand
from .subtitle_lines import Line, Zone

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
    # A whole line is at least this tall: subtitles are set to be read across
    # a room (the smallest common styles make lines of about 0.035, outline
    # included); smaller strokes that come and go are scenery (shoes, gravel).
    MIN_READABLE = 0.03
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
            Zone(self, h - int(round(self.BOTTOM * h)), h, sw),
            Zone(self, 0, int(round(self.TOP * h)), sw),
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

    def _shown_like_subtitle(self, line: Line) -> bool:
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

    def _changes_in_shot(self, line: Line, bounds: np.ndarray) -> bool:
        """Whether the line appears or goes away inside a shot (not only at cuts, fades or the clip's ends)."""
        starts_inside = not self._at_boundary(line.onset, bounds)
        ends_inside = line.ended_by_change and not self._at_boundary(line.end, bounds)
        return starts_inside or ends_inside

    def _stretches(self, lines: list[Line]) -> list[list[Line]]:
        lines = sorted(lines, key=lambda ln: ln.onset)
        out: list[list[Line]] = []
        for ln in lines:
            if out and ln.onset - max(x.end for x in out[-1]) <= self.GAP * self.fps:
                out[-1].append(ln)
            else:
                out.append([ln])
        return out

    def _band(self, zone: Zone, lines: list[Line], placed: list[Line]) -> SubtitleBand:
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


def _on_rows_of(lines: list[Line], placed: list[Line]) -> list[Line]:
    """The ``lines`` that keep to the rows of the ``placed`` ones (give or take a fifth of their height)."""
    y0 = min(ln.box[1] for ln in placed)
    y1 = max(ln.box[1] + ln.box[3] for ln in placed)
    slack = 0.2 * (y1 - y0)
    return [ln for ln in lines if ln in placed or (ln.box[1] >= y0 - slack and ln.box[1] + ln.box[3] <= y1 + slack)]


def _by_height(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped by the rows they occupy (overlapping rows chain into one group)."""
    groups: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: ln.box[1]):
        y0, y1 = ln.box[1], ln.box[1] + ln.box[3]
        for g in groups:
            if any(min(y1, o.box[1] + o.box[3]) - max(y0, o.box[1]) >= 0.5 * min(ln.box[3], o.box[3]) for o in g):
                g.append(ln)
                break
        else:
            groups.append([ln])
    return groups


def _distinct(lines: list[Line]) -> int:
    """How many of ``lines`` show different text (compared stroke by stroke where their boxes meet)."""
    kept: list[Line] = []
    for ln in lines:
        if not any(_same_text(ln, k) for k in kept):
            kept.append(ln)
    return len(kept)


def _same_text(a: Line, b: Line) -> bool:
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
