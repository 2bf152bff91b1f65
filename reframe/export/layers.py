"""The clips of each shot, whatever the editor's format: which part of the source each shows where,
keyframed where the crop path has keyframes, and the placement (scale and offset) that says it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..croppath import CropPath, Shot, _keyframes, panel_layout, window_size
from ..render.compose import _even_rects, background_window


@dataclass(frozen=True)
class Layer:
    """One video clip of one shot: the source moved and scaled so ``windows`` fill ``rect``.

    ``frames`` are the keyframes (source frames), ``windows`` the ``[x, y, w, h]``
    source windows at those frames, ``rect`` the output rectangle they fill,
    ``crop`` the part of the source kept (``[x, y, w, h]`` per keyframe, or None:
    all of it), ``blur`` whether it is the blurred background.
    """

    track: int  # 0: background, 1: the picture (or top panel), 2: the second panel
    frames: np.ndarray
    windows: np.ndarray
    rect: tuple[int, int, int, int]
    crop: np.ndarray | None = None
    blur: bool = False
    name: str = ""

    def placement(self, src_w: float, src_h: float, out_w: float, out_h: float) -> np.ndarray:
        """Per keyframe ``(scale, dx, dy)``: the source's scale (1: its own size) and the
        offset of its centre from the output frame's centre in output pixels (+y down)."""
        return placement(self.windows, self.rect, src_w, src_h, out_w, out_h)


def placement(windows: np.ndarray, rect, src_w: float, src_h: float, out_w: float, out_h: float) -> np.ndarray:
    """``(n, 3)`` ``[scale, dx, dy]`` that put each source window exactly on ``rect`` of the output.

    >>> placement(np.array([[656.25, 0, 607.5, 1080]]), (0, 0, 1080, 1920), 1920, 1080, 1080, 1920).round(4).tolist()
    [[1.7778, 0.0, 0.0]]
    """
    w = np.asarray(windows, np.float64).reshape(-1, 4)
    rx, ry, rw, rh = rect
    k = rw / w[:, 2]
    cx, cy = w[:, 0] + w[:, 2] / 2, w[:, 1] + w[:, 3] / 2
    dx = rx + rw / 2 - out_w / 2 + (src_w / 2 - cx) * k
    dy = ry + rh / 2 - out_h / 2 + (src_h / 2 - cy) * k
    return np.stack([k, dx, dy], axis=1)


def window_of(scale: float, dx: float, dy: float, rect, src_w: float, src_h: float, out_w: float, out_h: float):
    """The source window ``[x, y, w, h]`` a placement shows on ``rect``: :func:`placement` inverted."""
    rx, ry, rw, rh = rect
    w, h = rw / scale, rh / scale
    cx = src_w / 2 - (dx - (rx + rw / 2 - out_w / 2)) / scale
    cy = src_h / 2 - (dy - (ry + rh / 2 - out_h / 2)) / scale
    return np.array([cx - w / 2, cy - h / 2, w, h])


def shot_layers(crop_path: CropPath, shot: Shot, out_w: int, out_h: int, compose: bool) -> list[Layer]:
    """The clips that show ``shot`` as the renderer composes it.

    With ``compose`` false (a format without crop and blur) a split shot is
    its follow window and a padded window is shown alone, over black.
    """
    full = (0, 0, out_w, out_h)
    n = len(shot)
    main = np.array(_keyframes(crop_path.windows, shot.start, shot.end))
    if shot.layout == "split" and compose:
        rects = _even_rects(out_w, out_h, panel_layout(crop_path.aspect)[0])
        layers = []
        for i, (rect, track) in enumerate(zip(rects, crop_path.panels[shot.start])):
            frames = np.array(_keyframes(track, 0, n))
            layers.append(Layer(1 + i, shot.start + frames, track[frames], rect, crop=track[frames],
                                name=f"panel {i + 1}"))
        return layers
    if shot.layout == "fit":
        frames = np.array([shot.start, shot.end - 1] if n > 1 else [shot.start])
        windows = np.tile(crop_path.fit_window(), (len(frames), 1))
    else:
        frames, windows = main, crop_path.windows[main]
    content = crop_path.content_box
    plain = window_size(content[2], content[3], crop_path.aspect)
    padded = shot.layout == "fit" or bool(np.any(crop_path.windows[shot.start : shot.end, 2] > plain[0] + 0.5))
    if not padded or not compose:
        return [Layer(1, frames, windows, full)]
    # The renderer's blurred background: the plain (zoom 1) window at the same
    # centre, kept inside the picture (Compositor._padded).
    per_frame = windows if shot.layout == "fit" else crop_path.windows[shot.start : shot.end]
    back = np.array([background_window(w, content, plain) for w in per_frame])
    back_frames = frames if shot.layout == "fit" else shot.start + np.array(_keyframes(back, 0, len(back)))
    back_windows = back if shot.layout == "fit" else back[back_frames - shot.start]
    crop = np.tile(content, (len(frames), 1))
    return [
        Layer(0, back_frames, back_windows, full, blur=True, name="background"),
        Layer(1, frames, windows, full, crop=crop),
    ]


def _padded_or_split(crop_path: CropPath, out_w: int, out_h: int) -> tuple[list[int], list[int]]:
    """Numbers (1-based) of the split shots and of the shots shown over a blurred copy."""
    split, padded = [], []
    for i, shot in enumerate(crop_path.shots, 1):
        layers = shot_layers(crop_path, shot, out_w, out_h, compose=True)
        if shot.layout == "split":
            split.append(i)
        elif any(layer.blur for layer in layers):
            padded.append(i)
    return split, padded


def _shot_list(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers))
