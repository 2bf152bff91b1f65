"""Compose each output frame for its shot's layout, in YUV 4:2:0.

- ``follow``: the frame's window, warped to the whole output (the plain
  warp), unless the window is zoomed out beyond the picture;
- ``split``: the shot's two panels, each warped into its half of the output
  (top and bottom for portrait and square outputs, left and right for
  landscape ones);
- ``fit``: the whole picture (the content box inside any burned-in bars)
  scaled to the output width, centred;
- a zoomed-out ``follow`` window and ``fit`` show the picture sharp where the
  window covers it and a blurred, darkened, enlarged copy of it around;
- a shot with a moved subtitle band (:mod:`reframe.subtitle_place`) shows the
  band whole at its place, over any layout, and covers the band's own rows
  wherever the picture shows them with a blur of the rows just above.

The blur stays cheap: the background is warped to a thumbnail a twentieth of
the output size, blurred there and scaled up, so a padded frame costs about
one extra plain warp. Every part is warped straight into the output planes.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..config import even
from ..geometry import centred_span
from ..croppath import CropPath, panel_layout, window_size
from ..probe import VideoInfo
from ..subtitle_place import rows_clear_of

# The blurred background is built at this fraction of the output size.
_THUMB = 1 / 20
_BLUR_SIGMA = 2.0  # thumbnail pixels: about 40 output pixels
_DIM = 0.65  # the background's luma contrast, so the picture stands out
_COVER_SIGMA = 1.5  # blur of the cover over a moved subtitle band's own rows, in 1/16 of output pixels

Planes = tuple[np.ndarray, np.ndarray, np.ndarray]


def planes(buf: np.ndarray, w: int, h: int) -> Planes:
    """The Y, U and V views of a flat yuv420p buffer (PyAV's layout: Y rows, then U, then V)."""
    flat = buf.reshape(-1)
    cw, ch = (w + 1) // 2, (h + 1) // 2
    return (
        flat[: w * h].reshape(h, w),
        flat[w * h : w * h + cw * ch].reshape(ch, cw),
        flat[w * h + cw * ch : w * h + 2 * cw * ch].reshape(ch, cw),
    )


def _even_rects(out_w: int, out_h: int, stacked: bool) -> list[tuple[int, int, int, int]]:
    """The two panels' places ``(x, y, w, h)`` in the output, on even pixels (chroma is half size)."""
    if stacked:
        top = out_h // 4 * 2
        return [(0, 0, out_w, top), (0, top, out_w, out_h - top)]
    left = out_w // 4 * 2
    return [(0, 0, left, out_h), (left, 0, out_w - left, out_h)]


class Compositor:
    """Build the output frames of a crop path.

    ``warper`` is the renderer's warper (:class:`reframe.render.warp._Warper`): its ``warp(src, window, dst)``
    scales the window of the source planes onto destination planes.
    :meth:`frame` composes one output frame into planes the caller owns
    (the encoder's own frame: no copy), or into a buffer of its own.
    """

    def __init__(self, crop_path: CropPath, info: VideoInfo, out_w: int, out_h: int, warper) -> None:
        self.path = crop_path
        self.out_w, self.out_h = out_w, out_h
        self.warper = warper
        self.buf: np.ndarray | None = None  # its own output buffer, made when first needed
        stacked, _ = panel_layout(crop_path.aspect)
        self.rects = _even_rects(out_w, out_h, stacked)
        self.content = crop_path.content_box
        self.plain = window_size(self.content[2], self.content[3], crop_path.aspect)  # the zoom-1 window
        self.fit = np.array(crop_path.fit_window())
        tw, th = even(out_w * _THUMB), even(out_h * _THUMB)
        self.thumb = planes(np.empty(tw * th * 3 // 2, np.uint8), tw, th)
        self.black = info.black_level
        self.src_h = info.height
        # Each moved subtitle band's place in output pixels, on even pixels (chroma is half size).
        self.places = {s.start: _place_rect(s.subtitles.place, out_w, out_h) for s in crop_path.shots if s.subtitles}
        self.clear = {  # and the picture's rows clear of it, for the blurred background
            s.start: rows_clear_of(s.subtitles.band, self.content[1], self.content[3])
            for s in crop_path.shots if s.subtitles
        }
        starts = np.array([s.start for s in crop_path.shots])
        self.shot_index = np.searchsorted(starts, np.arange(crop_path.source.frame_count), side="right") - 1

    def frame(self, src: Planes, index: int, out: Planes | None = None) -> np.ndarray | None:
        """Compose output frame ``index`` from its source planes into ``out``;
        without ``out``, into the compositor's buffer, returned in PyAV's
        yuv420p layout (valid until the next call)."""
        if out is None and self.buf is None:
            w, h = self.out_w, self.out_h
            self.buf = np.empty(w * h + 2 * ((w + 1) // 2) * ((h + 1) // 2), np.uint8)
        dst = out if out is not None else planes(self.buf, self.out_w, self.out_h)
        shot = self.path.shots[self.shot_index[index]]
        if shot.layout == "split":
            views = [(track[index - shot.start], rect) for rect, track in zip(self.rects, self.path.panels[shot.start])]
            for window, rect in views:
                self.warper.warp(src, window, _region(dst, *rect))
        else:
            window = self.fit if shot.layout == "fit" else self.path.windows[index]
            views = [(window, (0, 0, self.out_w, self.out_h))]
            if shot.layout == "follow" and window[2] <= self.plain[0] + 0.5:
                self.warper.warp(src, window, dst)
            else:
                self._padded(src, window, dst, self.clear.get(shot.start))
        if shot.subtitles is not None:
            self._moved_band(src, shot.subtitles.band, self.places[shot.start], views, dst)
        return None if out is not None else self.buf.reshape(-1, self.out_w)

    def _moved_band(self, src: Planes, band, place: tuple[int, int, int, int], views, dst: Planes) -> None:
        """The subtitle band whole at its place; wherever a view (window, output rect) shows the band's
        own rows, they are covered across the view with a blur of the picture just above them, so no cut
        piece of a line shows twice."""
        bx, by, bw, bh = band
        for (wx, wy, ww, wh), (rx, ry, rw, rh) in views:
            sx, sy = rw / ww, rh / wh  # output pixels per source pixel
            x0 = _even_out(rx + (bx - wx) * sx, rx, rx + rw, math.floor)
            x1 = _even_out(rx + (bx + bw - wx) * sx, rx, rx + rw, math.ceil)
            y0 = _even_out(ry + (by - wy) * sy, ry, ry + rh, math.floor)
            y1 = _even_out(ry + (by + bh - wy) * sy, ry, ry + rh, math.ceil)
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            # The rows across the picture the view shows: a strip, not a patch; the source columns
            # shown there, and as many rows just above the band (below it at the top).
            left, right = max(wx, self.content[0]), min(wx + ww, self.content[0] + self.content[2])
            x0 = _even_out(rx + (left - wx) * sx, rx, rx + rw, math.ceil)
            x1 = _even_out(rx + (right - wx) * sx, rx, rx + rw, math.floor)
            rows = (y1 - y0) / sy
            top = by - rows if by - rows >= 0 else by + bh
            fx0, fy0 = int(left) // 2 * 2, int(top) // 2 * 2
            fx1, fy1 = int(right) // 2 * 2, int(min(top + rows, self.src_h)) // 2 * 2
            if fx1 - fx0 < 2 or fy1 - fy0 < 2:
                continue
            # Blurred anyway: a plain linear shrink of the source (the warper's exact one costs more).
            size = (max(2, (x1 - x0) // 16), max(2, (y1 - y0) // 16))
            fill = _region(src, fx0, fy0, fx1 - fx0, fy1 - fy0)
            for plane, part in zip(_region(dst, x0, y0, x1 - x0, y1 - y0), fill):
                if part.strides[1] != 1 or part.strides[0] < 0:  # a turned or mirrored source
                    part = np.ascontiguousarray(part)
                small = cv2.resize(part, size, interpolation=cv2.INTER_LINEAR)
                soft = cv2.GaussianBlur(small, (0, 0), _COVER_SIGMA, borderType=cv2.BORDER_REPLICATE)
                cv2.resize(soft, (plane.shape[1], plane.shape[0]), dst=plane, interpolation=cv2.INTER_LINEAR)
        self.warper.warp(src, np.asarray(band, float), _region(dst, *place))

    def _padded(self, src: Planes, window: np.ndarray, dst: Planes, rows: tuple[float, float] | None = None) -> None:
        """A window reaching beyond the picture: the picture sharp, a blurred copy of it around
        (of the picture's ``rows`` (y, h) only, when given: those clear of a moved subtitle band)."""
        wx, wy, ww, wh = (float(t) for t in window)
        cx, cy, cw, ch = self.content
        background = background_window(window, self.content, self.plain)
        if rows is not None:
            background = np.array([background[0], rows[0], background[2], rows[1]])
        self.warper.warp(src, background, self.thumb)
        for i, (plane, small) in enumerate(zip(dst, self.thumb)):
            soft = cv2.GaussianBlur(small, (0, 0), _BLUR_SIGMA, borderType=cv2.BORDER_REPLICATE)
            if i == 0:
                soft = cv2.convertScaleAbs(soft, alpha=_DIM, beta=self.black * (1 - _DIM))
            cv2.resize(soft, (plane.shape[1], plane.shape[0]), dst=plane, interpolation=cv2.INTER_LINEAR)
        # The picture: the part of the window inside the content box, on even output pixels.
        sx, sy = self.out_w / ww, self.out_h / wh  # output pixels per source pixel
        x0 = _even((max(wx, cx) - wx) * sx, 0, self.out_w)
        x1 = _even((min(wx + ww, cx + cw) - wx) * sx, 0, self.out_w)
        y0 = _even((max(wy, cy) - wy) * sy, 0, self.out_h)
        y1 = _even((min(wy + wh, cy + ch) - wy) * sy, 0, self.out_h)
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            part = np.array([wx + x0 / sx, wy + y0 / sy, (x1 - x0) / sx, (y1 - y0) / sy])
            self.warper.warp(src, part, _region(dst, x0, y0, x1 - x0, y1 - y0))


def background_window(window, content, plain) -> np.ndarray:
    """The window shown blurred behind ``window`` where it reaches beyond the picture: the plain
    (zoom 1) window of size ``plain`` at the same centre, kept inside ``content`` (``x, y, w, h``)."""
    wx, wy, ww, wh = (float(t) for t in window)
    cx, cy, cw, ch = content
    pw, ph = plain
    return np.array([centred_span(wx + ww / 2, pw, cx, cw), centred_span(wy + wh / 2, ph, cy, ch), pw, ph])


def _region(dst: Planes, x: int, y: int, w: int, h: int) -> Planes:
    """The views of yuv420p planes showing the output rectangle (x, y, w, h), on even pixels."""
    luma, u, v = dst
    return (
        luma[y : y + h, x : x + w],
        u[y // 2 : (y + h + 1) // 2, x // 2 : (x + w + 1) // 2],
        v[y // 2 : (y + h + 1) // 2, x // 2 : (x + w + 1) // 2],
    )


def _even_out(v: float, lo: int, hi: int, rounding) -> int:
    """``v`` rounded to an even pixel away from the region it bounds (``math.floor`` for a start,
    ``math.ceil`` for an end), inside ``[lo, hi]``."""
    return int(min(max(rounding(v / 2) * 2, lo), hi))


def _place_rect(place, out_w: int, out_h: int) -> tuple[int, int, int, int]:
    """A place given as fractions of the output (x, y, w, h) in output pixels, on even pixels, inside it."""
    x, y, w, h = place
    pw = min(out_w, max(2, round(w * out_w / 2) * 2))
    ph = min(out_h, max(2, round(h * out_h / 2) * 2))
    px = min(max(0, round(x * out_w / 2) * 2), out_w - pw)
    py = min(max(0, round(y * out_h / 2) * 2), out_h - ph)
    return px, py, pw, ph


def _even(v: float, lo: int, hi: int) -> int:
    """``v`` rounded to the nearest even pixel inside ``[lo, hi]``."""
    return _even_out(v, lo, hi, round)
