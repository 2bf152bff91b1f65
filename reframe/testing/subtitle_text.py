"""Subtitle lines drawn with PIL in real fonts, for the generated subtitle clips (:mod:`.subtitle_media`).

Fonts: DejaVu Sans and Serif from matplotlib's wheel (Latin) and
WenQuanYi Micro Hei (Chinese) from the ``paperang-p2-fonts-cjk`` wheel.
:func:`render_cue` draws one cue as an RGBA layer with the exact box of
each line; :func:`composite` lays it onto an RGB frame.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

# ---------------------------------------------------------------- fonts


@functools.cache
def font_path(name: str) -> str:
    """Path of a font by short name: sans, sans-bold, serif, serif-bold, cjk."""
    if name == "cjk":
        import paperang_p2_fonts_cjk

        return str(Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc")
    import matplotlib

    files = {"sans": "DejaVuSans.ttf", "sans-bold": "DejaVuSans-Bold.ttf", "serif": "DejaVuSerif.ttf",
             "serif-bold": "DejaVuSerif-Bold.ttf"}
    return str(Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf" / files[name])


@functools.lru_cache(maxsize=64)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(name), size)


# ---------------------------------------------------------------- styles and cues


@dataclass(frozen=True)
class Style:
    """How subtitle lines look and where they sit.

    ``size`` is the font size as a share of the frame height; ``margin`` the
    gap from the bottom (or top) edge to the nearest line, same unit.
    ``outline`` and ``shadow`` are in pixels (0: none); ``box`` is an RGBA
    background box colour (None: no box).
    """

    font: str = "sans-bold"
    size: float = 0.06
    colour: tuple[int, int, int] = (255, 255, 255)
    outline: int = 2
    outline_colour: tuple[int, int, int] = (0, 0, 0)
    shadow: int = 0
    box: tuple[int, int, int, int] | None = None
    position: str = "bottom"
    margin: float = 0.07
    align: str = "centre"  # or "left" (lower thirds)
    line_gap: float = 0.25  # between two lines, share of the font size


@dataclass(frozen=True)
class Cue:
    """Lines of text shown on frames ``start`` to ``end`` (exclusive)."""

    start: int
    end: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Drawn:
    """A cue drawn once: premultiplied float32 RGBA layer covering ``origin`` onwards, and the line boxes."""

    layer: np.ndarray
    origin: tuple[int, int]
    boxes: tuple[tuple[float, float, float, float], ...]  # per line, x y w h in frame pixels


def render_cue(lines: Sequence[str], style: Style, width: int, height: int,
               colour_split: Sequence[float] | None = None, wipe_colour=(40, 120, 255)) -> Drawn:
    """Draw ``lines`` in ``style`` for a ``width`` x ``height`` frame.

    ``colour_split`` (karaoke) gives, per line, the share of its width
    already painted in ``wipe_colour``.
    """
    size = max(8, int(round(style.size * height)))
    font = _font(style.font, size)
    boxes_pad = int(round(0.25 * size)) if style.box is not None else 0
    ascent, descent = font.getmetrics()
    line_h = ascent + descent
    gap = int(round(style.line_gap * size))
    widths = [int(math.ceil(font.getlength(t))) for t in lines]
    block_h = len(lines) * line_h + (len(lines) - 1) * gap
    margin = int(round(style.margin * height))
    top = height - margin - block_h if style.position == "bottom" else margin
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    exact = []
    for k, (text, w) in enumerate(zip(lines, widths)):
        x = (width - w) // 2 if style.align == "centre" else int(round(0.06 * width))
        y = top + k * (line_h + gap)
        # Each line on its own layer first, so its truth box is its own ink (outline and
        # shadow included) or its own background box.
        line = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        draw = ImageDraw.Draw(line)
        if style.box is not None:
            rect = (x - boxes_pad, y - boxes_pad // 2, x + w + boxes_pad, y + line_h + boxes_pad // 2)
            draw.rectangle(rect, fill=style.box)
        if style.shadow:
            draw.text((x + style.shadow, y + style.shadow), text, font=font, fill=(0, 0, 0, 200),
                      stroke_width=style.outline, stroke_fill=(0, 0, 0, 200))
        draw.text((x, y), text, font=font, fill=(*style.colour, 255), stroke_width=style.outline,
                  stroke_fill=(*style.outline_colour, 255))
        if colour_split is not None and colour_split[k] > 0:
            wiped = Image.new("RGBA", (width, height), (0, 0, 0, 0))
            ImageDraw.Draw(wiped).text((x, y), text, font=font, fill=(*wipe_colour, 255),
                                       stroke_width=style.outline, stroke_fill=(*style.outline_colour, 255))
            cut = x - style.outline + int(round(colour_split[k] * (w + 2 * style.outline)))
            region = (0, 0, max(0, cut), height)
            line.paste(wiped.crop(region), region[:2], wiped.crop(region))
        ys, xs = np.nonzero(np.asarray(line)[..., 3] > 25)
        if len(xs):
            exact.append((float(xs.min()), float(ys.min()), float(xs.max() + 1 - xs.min()), float(ys.max() + 1 - ys.min())))
        img.alpha_composite(line)
    rgba = np.asarray(img, dtype=np.float32) / 255.0
    alpha = rgba[..., 3]
    ys, xs = np.nonzero(alpha > 0.004)
    x0, y0 = (int(xs.min()), int(ys.min())) if len(xs) else (0, 0)
    x1, y1 = (int(xs.max()) + 1, int(ys.max()) + 1) if len(xs) else (1, 1)
    layer = rgba[y0:y1, x0:x1].copy()
    layer[..., :3] *= layer[..., 3:4] * 255.0  # premultiplied, 0-255
    return Drawn(layer, (x0, y0), tuple(exact))


def composite(frame: np.ndarray, drawn: Drawn) -> None:
    """Paint ``drawn`` onto a float32 RGB frame in place."""
    x0, y0 = drawn.origin
    h, w = drawn.layer.shape[:2]
    roi = frame[y0 : y0 + h, x0 : x0 + w]
    layer = drawn.layer[: roi.shape[0], : roi.shape[1]]
    roi *= 1.0 - layer[..., 3:4]
    roi += layer[..., :3]


# ---------------------------------------------------------------- truth
