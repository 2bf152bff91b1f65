"""The astronaut composited over backgrounds: one frame, with exact boxes.

A real face is needed because the detectors are real networks, and exact boxes
are needed to score them, so the clips are composited: the public-domain NASA
portrait of astronaut Eileen Collins (``skimage.data.astronaut()``) is cut out
head-and-shoulders and pasted onto panning public-domain/CC0 backgrounds from
scikit-image's bundled data, at a known sub-pixel position per frame.

Measured in the 512x512 photo (pixel-edge coordinates, ``[x, y, w, h]``):

* :data:`ASTRONAUT_HEAD` ``(153, 15, 149, 163)``: the whole head, top of the
  hair (y 15) to the bottom of the chin (y 178), outer edge of the hair on
  both sides (x 153 to 302; the ears are hidden by the hair).
* :data:`ASTRONAUT_FACE` ``(176, 75, 100, 103)``: the visible skin of the face,
  fringe to chin, cheek to cheek. MediaPipe's short-range face detector
  reports ``(177, 82, 95, 95)`` on the photo and the full-range one
  ``(173, 67, 103, 103)``, so detector boxes should overlap this one well.

Everything here is RGB ``uint8``; boxes are float ``[x, y, w, h]`` in output
pixels with edges at pixel boundaries (a box ``[0, 0, 2, 2]`` covers the four
top-left pixels).

:func:`compose_frame` makes one still; :func:`paste_person`, :func:`background_plate`,
:func:`shift`, :class:`Grain` and :func:`finish` are its parts, for other
generators (:mod:`.media`, :mod:`.subtitle_media`, :mod:`.textcards`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

ASTRONAUT_HEAD: tuple[int, int, int, int] = (153, 15, 149, 163)
ASTRONAUT_FACE: tuple[int, int, int, int] = (176, 75, 100, 103)

# Outline of the person in the photo, drawn a few pixels loose: the wall
# colour inside it is removed by _cutout(), the helmet she holds is kept.
_SILHOUETTE = np.array(
    [
        (140, 0), (320, 0), (318, 150), (312, 180), (320, 235), (340, 250), (350, 280),
        (360, 317), (363, 343), (377, 344), (410, 342), (440, 349), (467, 366),
        (487, 392), (497, 422), (503, 456), (507, 490), (508, 512), (32, 512),
        (24, 473), (21, 440), (20, 407), (21, 373), (25, 333), (31, 313), (38, 287),
        (48, 263), (75, 235), (98, 215), (112, 200), (113, 188), (126, 160), (140, 140),
    ],
    dtype=np.int32,
)
# Rows of the photo above which the backdrop is plain wall; below it the
# helmet's white rim touches the outline and must not be mistaken for wall.
_WALL_ROWS = 300
# Head heights from the top of the hair to the bottom of the cut-out.
BODY_BELOW_HEAD_TOP = (512 - ASTRONAUT_HEAD[1]) / ASTRONAUT_HEAD[3]

# Backgrounds from scikit-image's bundled data whose licences allow
# redistribution without conditions (public domain or CC0, per their
# docstrings). Grey textures get a tint so shots differ in colour too.
BACKGROUNDS: dict[str, tuple[str, tuple[float, float, float] | None]] = {
    "rocket": ("rocket", None),  # SpaceX, public domain
    "brick": ("brick", (1.0, 0.72, 0.55)),  # CC0
    "coffee": ("coffee", None),  # CC0
    "hubble": ("hubble_deep_field", None),  # NASA, public domain
    "chelsea": ("chelsea", None),  # CC0
    "grass": ("grass", (0.55, 0.9, 0.45)),  # CC0
    "gravel": ("gravel", (0.85, 0.8, 0.7)),  # CC0
}
DEFAULT_BACKGROUNDS: tuple[str, ...] = ("rocket", "brick", "coffee", "hubble", "chelsea", "grass")



@dataclass(frozen=True)
class Still:
    """One composited frame: RGB ``image`` and ``(k, 4)`` ``[x, y, w, h]`` boxes, one row per person."""

    image: np.ndarray
    head_boxes: np.ndarray
    face_boxes: np.ndarray


# ---------------------------------------------------------------- sources


@functools.cache
def astronaut() -> np.ndarray:
    from skimage import data

    return data.astronaut()


@functools.cache
def _cutout() -> np.ndarray:
    """The astronaut as premultiplied float32 RGBA (512x512x4), soft-edged.

    Wall-coloured pixels (bright, unsaturated) are removed only where they
    connect to the outside of the outline, so the teeth and the white strap
    stay opaque.
    """
    img = astronaut()
    inside = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(inside, [_SILHOUETTE], 1)
    hi = img.max(axis=2).astype(np.int16)
    lo = img.min(axis=2).astype(np.int16)
    wall = (hi > 165) & (hi - lo < 48)
    wall[_WALL_ROWS:] = False
    open_ = ((inside == 0) | wall).astype(np.uint8)
    _, labels = cv2.connectedComponents(open_, connectivity=4)
    outside_labels = np.unique(labels[inside == 0])
    background = np.isin(labels, outside_labels[outside_labels > 0])
    mask = (~background).astype(np.uint8)
    # Drop specks, then erode a pixel so no wall-coloured halo is pasted.
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    mask = cv2.erode(mask, np.ones((3, 3), np.uint8))
    alpha = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 1.2)
    alpha[-1:] = alpha[-2]  # the bottom edge is a frame cut, not an outline
    rgba = np.empty((*img.shape[:2], 4), np.float32)
    rgba[..., :3] = img.astype(np.float32) * alpha[..., None]
    rgba[..., 3] = alpha
    return rgba


@functools.lru_cache(maxsize=32)
def _cutout_for_scale(sigma_tenths: int) -> np.ndarray:
    """The cut-out low-passed before shrinking, so small heads do not alias."""
    rgba = _cutout()
    if sigma_tenths <= 0:
        return rgba
    return cv2.GaussianBlur(rgba, (0, 0), sigma_tenths / 10)


@functools.cache
def _background_source(name: str) -> np.ndarray:
    from skimage import data

    if name not in BACKGROUNDS:
        raise ValueError(f"unknown background {name!r}; choose from {sorted(BACKGROUNDS)}")
    func, tint = BACKGROUNDS[name]
    img = getattr(data, func)()
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    if tint is not None:
        img = np.clip(img.astype(np.float32) * np.array(tint, np.float32), 0, 255).astype(np.uint8)
    return img


def background_plate(source: str | np.ndarray, width: int, height: int, margin: float, blur: float) -> np.ndarray:
    """A background scaled to cover the frame plus ``margin`` pixels of pan room on every side."""
    img = _background_source(source) if isinstance(source, str) else np.asarray(source)
    need_w, need_h = width + 2 * margin + 2, height + 2 * margin + 2
    scale = max(need_w / img.shape[1], need_h / img.shape[0])
    size = (math.ceil(img.shape[1] * scale), math.ceil(img.shape[0] * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    plate = cv2.resize(img, size, interpolation=interp)
    if blur > 0:  # shallow depth of field: the subject stays the sharpest thing
        plate = cv2.GaussianBlur(plate, (0, 0), blur)
    return plate


# ---------------------------------------------------------------- compositing


def head_transform(cx: float, cy: float, head_height: float) -> tuple[float, float, float]:
    """Scale and pixel-edge translation mapping the photo so its head box is centred at (cx, cy)."""
    hx, hy, hw, hh = ASTRONAUT_HEAD
    s = head_height / hh
    return s, cx - s * (hx + hw / 2), cy - s * (hy + hh / 2)


def map_box(box: Sequence[float], s: float, tx: float, ty: float) -> np.ndarray:
    x, y, w, h = box
    return np.array([s * x + tx, s * y + ty, s * w, s * h], dtype=np.float64)


def paste_person(frame: np.ndarray, cx: float, cy: float, head_height: float, mirror: bool = False) -> None:
    """Composite the astronaut into a float32 RGB ``frame`` in place."""
    s, tx, ty = head_transform(cx, cy, head_height)
    # Gaussian low-pass before decimation: about 0.5 output pixels of blur.
    sigma_tenths = int(round(10 * 0.45 / s)) if s < 0.9 else 0
    src = _cutout_for_scale(sigma_tenths)
    if mirror:
        # Mirror about the head's centre so the head box stays where asked.
        src = src[:, ::-1]
        hx, _, hw, _ = ASTRONAUT_HEAD
        tx += s * (2 * hx + hw - 512)
    h, w = frame.shape[:2]
    x0 = max(0, math.floor(tx))
    y0 = max(0, math.floor(ty))
    x1 = min(w, math.ceil(tx + 512 * s))
    y1 = min(h, math.ceil(ty + 512 * s))
    if x1 <= x0 or y1 <= y0:
        return
    # warpAffine works on pixel centres; convert the pixel-edge translation.
    m = np.array([[s, 0, tx + 0.5 * s - 0.5 - x0], [0, s, ty + 0.5 * s - 0.5 - y0]], np.float32)
    layer = cv2.warpAffine(src, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    roi = frame[y0:y1, x0:x1]
    keep = 1 - layer[..., 3]
    # OpenCV's element-wise ops are several times faster than numpy broadcasting here.
    roi[...] = cv2.add(cv2.multiply(roi, cv2.merge([keep, keep, keep])), layer[..., :3])


def shift(plate: np.ndarray, width: int, height: int, ox: float, oy: float) -> np.ndarray:
    """The ``width`` x ``height`` window of ``plate`` at sub-pixel offset (ox, oy), as float32."""
    m = np.array([[1, 0, -ox], [0, 1, -oy]], np.float32)
    out = cv2.warpAffine(plate, m, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    return out.astype(np.float32)


def compose_frame(
    width: int = 640,
    height: int = 360,
    heads: Sequence[tuple[float, float, float]] = ((320.0, 150.0, 110.0),),
    *,
    background: str | np.ndarray = "rocket",
    bg_offset: tuple[float, float] = (0.0, 0.0),
    noise: float = 2.0,
    mirror: Sequence[bool] | None = None,
    seed: int = 0,
) -> Still:
    """One RGB frame with astronauts whose heads are at known places.

    ``heads`` holds ``(centre_x, centre_y, head_height)`` per person in output
    pixels, painted in order (later ones in front). ``mirror`` flips people
    left-right so a pair does not look cloned. ``background`` is a name from
    :data:`BACKGROUNDS` or an RGB array. ``noise`` is the half-range of
    uniform sensor grain in grey levels.

    >>> still = compose_frame(320, 180, [(100, 70, 60)], noise=0)
    >>> still.image.shape, still.image.dtype
    ((180, 320, 3), dtype('uint8'))
    >>> [round(float(v), 2) for v in still.head_boxes[0]]
    [72.58, 40.0, 54.85, 60.0]
    """
    plate = background_plate(background, width, height, margin=8, blur=1.5)
    frame = shift(plate, width, height, 8 + bg_offset[0], 8 + bg_offset[1])
    mirror = list(mirror) if mirror is not None else [False] * len(heads)
    head_boxes, face_boxes = [], []
    for (cx, cy, hh), flip in zip(heads, mirror, strict=True):
        paste_person(frame, cx, cy, hh, mirror=flip)
        s, tx, ty = head_transform(cx, cy, hh)
        face = ASTRONAUT_FACE
        if flip:  # the face is not centred in the head box, so mirror it too
            hx, _, hw, _ = ASTRONAUT_HEAD
            face = (2 * hx + hw - face[0] - face[2], face[1], face[2], face[3])
        head_boxes.append(map_box(ASTRONAUT_HEAD, s, tx, ty))
        face_boxes.append(map_box(face, s, tx, ty))
    grain = Grain(width, height, noise, np.random.default_rng(seed)) if noise > 0 else None
    image = finish(frame, grain)
    return Still(image, np.array(head_boxes).reshape(-1, 4), np.array(face_boxes).reshape(-1, 4))


class Grain:
    """Uniform sensor grain, drawn once and cropped at a random offset per frame (drawing per frame is slow)."""

    PAD = 64

    def __init__(self, width: int, height: int, amplitude: float, rng: np.random.Generator) -> None:
        self.rng = rng
        self.width, self.height = width, height
        self.field = rng.uniform(-amplitude, amplitude, size=(height + self.PAD, width + self.PAD, 3)).astype(np.float32)

    def sample(self) -> np.ndarray:
        x, y = self.rng.integers(0, self.PAD, size=2)
        return self.field[y : y + self.height, x : x + self.width]


def finish(frame: np.ndarray, grain: Grain | None) -> np.ndarray:
    """Add grain and round/saturate to uint8 in one OpenCV call."""
    if grain is None:
        return cv2.add(frame, 0.0, dtype=cv2.CV_8U)
    return cv2.add(frame, grain.sample(), dtype=cv2.CV_8U)


def default_head_y(width: int, height: int, head_height: np.ndarray | float) -> np.ndarray | float:
    """Head-centre y that frames a person like a real shot.

    The head top sits at 10 % of the height, unless the body would then end
    above the bottom edge (small, wide-shot heads): then the person is lowered
    until the body reaches the bottom, so nobody floats.
    """
    top = np.maximum(0.1 * height, height + 2 - BODY_BELOW_HEAD_TOP * np.asarray(head_height))
    return top + np.asarray(head_height) / 2
