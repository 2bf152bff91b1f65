"""Corrections by hand (:mod:`reframe.overrides`): pins, a shot's layout and zoom, keyframes."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..croppath import Shot
from ..overrides import Overrides, ShotChoice
from .layouts import ShotLayout


def frame_at(info, time: float) -> int:
    """The frame shown at ``time`` seconds from the first frame."""
    t = info.timestamps - info.timestamps[0]
    return int(np.clip(np.searchsorted(t, time + 1e-4, side="right") - 1, 0, len(t) - 1))


def pins_in(overrides: Overrides, info, start: int, end: int) -> list[tuple[int, float, float, float]]:
    """The shot's pins as ``(frame, x, y, time)``, in order."""
    pins = [(frame_at(info, p.time), p.x, p.y, p.time) for p in overrides.pins]
    return sorted(p for p in pins if start <= p[0] < end)


def by_hand(layout: ShotLayout, choice: ShotChoice | None, pins, widest: float) -> ShotLayout:
    """The planner's layout with the reason (and zoom) of the corrections made to the shot."""
    why = []
    if choice and choice.layout:
        why.append(f"{choice.layout} chosen by hand" + (f" ({layout.reason})" if layout.layout != choice.layout else ""))
    elif not pins:
        why.append(layout.reason)
    zoom = layout.zoom
    if choice and choice.zoom is not None:
        zoom = min(choice.zoom, max(1.0, widest))
        why.append(f"zoom {zoom:.2f}x chosen by hand")
    why += [f"pinned by hand at {t:.1f} s" for _, _, _, t in pins]
    return replace(layout, reason="; ".join(why), zoom=zoom)


def moved_by_hand(windows: np.ndarray, shots: list[Shot], keys, info) -> tuple[np.ndarray, list[Shot]]:
    """Windows with the hand keyframes' corners: each shot moves by the keyframes' offsets from the
    planned path, interpolated between two of them and held before the first and after the last."""
    windows = windows.copy()
    out = []
    for shot in shots:
        mine = [(f, x, y) for f, x, y in keys if shot.start <= f < shot.end]
        if mine:
            at = np.array([f for f, _, _ in mine], float)
            t = np.arange(shot.start, shot.end)
            part = windows[shot.start : shot.end]
            for axis, extent in ((0, info.width), (1, info.height)):
                moved = np.array([k[axis + 1] - windows[k[0], axis] for k in mine])
                lo, hi = sorted((0.0, extent - float(part[0, axis + 2])))
                part[:, axis] = np.clip(part[:, axis] + np.interp(t, at, moved), lo, hi)
            times = ", ".join(f"{info.timestamps[f] - info.timestamps[0]:.1f} s" for f, _, _ in mine)
            note = f"window moved by hand at {times}"
            shot = replace(shot, reason=f"{shot.reason}; {note}" if shot.reason else note)
        out.append(shot)
    return windows, out
