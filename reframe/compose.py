"""Compose each output frame for its shot's layout, in YUV 4:2:0.

- ``follow``: the frame's window, warped to the whole output (the plain
  warp), unless the window is zoomed out beyond the picture;
- ``split``: the shot's two panels, each warped into its half of the output
  (top and bottom for portrait and square outputs, left and right for
  landscape ones);
- ``fit``: the whole picture (the content box inside any burned-in bars)
  scaled to the output width, centred;
- a zoomed-out ``follow`` window and ``fit`` show the picture sharp where the
  window covers it and a blurred, darkened, enlarged copy of it around.

The blur stays cheap: the background is warped to a thumbnail a twentieth of
the output size, blurred there and scaled up, so a padded frame costs about
one extra plain warp. Every part is warped straight into the output planes.
"""

from __future__ import annotations

import cv2
import numpy as np

from .config import even
from .croppath import CropPath, panel_layout, window_size
from .probe import VideoInfo

# The blurred background is built at this fraction of the output size.
_THUMB = 1 / 20
_BLUR_SIGMA = 2.0  # thumbnail pixels: about 40 output pixels
_DIM = 0.65  # the background's luma contrast, so the picture stands out

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

    ``warper`` is the renderer's warper: its ``warp(src, window, dst)``
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
        self.black = 0 if info.full_range and not info.hdr else 16
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
            for rect, track in zip(self.rects, self.path.panels[shot.start]):
                self.warper.warp(src, track[index - shot.start], _region(dst, *rect))
        else:
            window = self.fit if shot.layout == "fit" else self.path.windows[index]
            if shot.layout == "follow" and window[2] <= self.plain[0] + 0.5:
                self.warper.warp(src, window, dst)
            else:
                self._padded(src, window, dst)
        return None if out is not None else self.buf.reshape(-1, self.out_w)

    def _padded(self, src: Planes, window: np.ndarray, dst: Planes) -> None:
        """A window reaching beyond the picture: the picture sharp, a blurred copy of it around."""
        wx, wy, ww, wh = (float(t) for t in window)
        cx, cy, cw, ch = self.content
        # Background: the plain window at the same centre, kept inside the picture.
        pw, ph = self.plain
        bx = min(max(wx + ww / 2 - pw / 2, cx), cx + cw - pw) if pw < cw else cx + cw / 2 - pw / 2
        by = min(max(wy + wh / 2 - ph / 2, cy), cy + ch - ph) if ph < ch else cy + ch / 2 - ph / 2
        self.warper.warp(src, np.array([bx, by, pw, ph]), self.thumb)
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


def _region(dst: Planes, x: int, y: int, w: int, h: int) -> Planes:
    """The views of yuv420p planes showing the output rectangle (x, y, w, h), on even pixels."""
    luma, u, v = dst
    return (
        luma[y : y + h, x : x + w],
        u[y // 2 : (y + h + 1) // 2, x // 2 : (x + w + 1) // 2],
        v[y // 2 : (y + h + 1) // 2, x // 2 : (x + w + 1) // 2],
    )


def _even(v: float, lo: int, hi: int) -> int:
    return int(min(max(round(v / 2) * 2, lo), hi))
