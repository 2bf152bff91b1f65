"""On-screen text drawn over real backgrounds, with its exact box.

Text is drawn with DejaVu Sans Bold (shipped with matplotlib) in white with
a dark outline, as titles and lower thirds usually are, over the public
domain and CC0 backgrounds of :mod:`media`.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from . import media, people


def font_path() -> str:
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf")


def draw_text(image: np.ndarray, text: str, size: int, centre: tuple[float, float]) -> np.ndarray:
    """``image`` (RGB uint8, changed in place) with ``text`` of ``size`` px
    centred at ``centre``; returns the drawn text's box ``[x1, y1, x2, y2]``."""
    from PIL import Image, ImageDraw, ImageFont

    pil = Image.fromarray(image)
    draw = ImageDraw.Draw(pil)
    font = ImageFont.truetype(font_path(), size)
    l, t, r, b = draw.textbbox((0, 0), text, font=font, stroke_width=2)
    xy = (centre[0] - (r - l) / 2 - l, centre[1] - (b - t) / 2 - t)
    draw.text(xy, text, font=font, fill=(255, 255, 255), stroke_width=2, stroke_fill=(20, 20, 20))
    image[:] = np.asarray(pil)
    return np.array(draw.textbbox(xy, text, font=font, stroke_width=2), np.float32)


def background(name: str, width: int, height: int, offset: float = 0.0) -> np.ndarray:
    """A frame of background ``name`` (see :data:`.people.BACKGROUNDS`), panned ``offset`` px."""
    plate = people.background_plate(name, width, height, margin=16, blur=1.0)
    return np.clip(people.shift(plate, width, height, 16 + offset, 16), 0, 255).astype(np.uint8)


def title_card(
    path: str | Path, text: str, *, size: int, width: int = 640, height: int = 360, seconds: float = 2.0,
    fps: int = 25, background_name: str = "rocket",
) -> np.ndarray:
    """An MP4 of ``text`` centred over a slowly panning background; returns the text box."""
    n = round(seconds * fps)
    box = draw_text(background(background_name, width, height), text, size, (width / 2, height / 2))

    def frames():
        for i in range(n):
            frame = background(background_name, width, height, offset=8.0 * i / n)
            draw_text(frame, text, size, (width / 2, height / 2))
            yield frame

    media.encode(path, frames(), width=width, height=height, fps=Fraction(fps))
    return box
