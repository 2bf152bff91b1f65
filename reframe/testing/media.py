"""Synthetic test media with exact ground truth: whole clips of the astronaut (:mod:`.people`).

Main entry points: :func:`make_clip` (an H.264/AAC MP4 plus its
:class:`Truth`), the presets :func:`still_subject`, :func:`moving_subject`
and :func:`with_cut`, :func:`two_people`, and :func:`compose_frame` for a
single still. Boxes are float ``[x, y, w, h]`` in output pixels with edges
at pixel boundaries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from .encode import encode, ffmpeg_exe, tone_with_beeps
from .people import (
    ASTRONAUT_FACE,
    ASTRONAUT_HEAD,
    BACKGROUNDS,
    DEFAULT_BACKGROUNDS,
    Grain,
    Still,
    compose_frame,
    default_head_y,
    finish,
    head_transform,
    map_box,
    paste_person,
    background_plate,
    shift,
)

PathLike = Callable[[int], float] | Sequence[float] | np.ndarray | float


@dataclass(frozen=True)
class Truth:
    """What a generated clip contains, frame by frame.

    ``head_boxes``/``face_boxes`` are ``(n_frames, 4)`` float ``[x, y, w, h]``
    in output pixels (see :data:`ASTRONAUT_HEAD`, :data:`ASTRONAUT_FACE`);
    a box may extend past the frame edge. ``cut_frames`` are the indices of
    the first frame of each new shot. ``beep_times`` are the start times in
    seconds of the 1 kHz beeps in the audio (empty without audio).
    """

    path: Path
    width: int
    height: int
    fps: Fraction
    n_frames: int
    head_boxes: np.ndarray
    face_boxes: np.ndarray
    cut_frames: tuple[int, ...]
    has_audio: bool
    sample_rate: int
    beep_times: tuple[float, ...]
    backgrounds: tuple[str, ...]

    @property
    def duration(self) -> float:
        """Length of the video in seconds."""
        return float(self.n_frames / self.fps)

    @property
    def timestamps(self) -> np.ndarray:
        """Presentation time of every frame in seconds (starting at 0)."""
        return np.arange(self.n_frames) / float(self.fps)

    @property
    def head_centers(self) -> np.ndarray:
        """``(n_frames, 2)`` centre ``[x, y]`` of the head box."""
        return self.head_boxes[:, :2] + self.head_boxes[:, 2:] / 2

    @property
    def shots(self) -> list[tuple[int, int]]:
        """``[start, end)`` frame ranges of the shots."""
        bounds = [0, *self.cut_frames, self.n_frames]
        return list(zip(bounds[:-1], bounds[1:]))

    def shot_of(self, frame: int) -> int:
        """Index of the shot that contains ``frame``."""
        return int(np.searchsorted(np.asarray(self.cut_frames, dtype=int), frame, side="right"))

    def head_xyxy(self, frame: int) -> np.ndarray:
        """Head box of one frame as ``[x1, y1, x2, y2]``."""
        x, y, w, h = self.head_boxes[frame]
        return np.array([x, y, x + w, y + h])

    def face_xyxy(self, frame: int) -> np.ndarray:
        """Face box of one frame as ``[x1, y1, x2, y2]``."""
        x, y, w, h = self.face_boxes[frame]
        return np.array([x, y, x + w, y + h])


# ---------------------------------------------------------------- clips


def _per_frame(value: PathLike, n: int, name: str) -> np.ndarray:
    if callable(value):
        out = np.array([float(value(i)) for i in range(n)])
    elif np.ndim(value) == 0:
        out = np.full(n, float(value))
    else:
        out = np.asarray(value, dtype=np.float64).reshape(-1)
    if out.shape != (n,):
        raise ValueError(f"{name} must give one value per frame ({n}), got {out.shape}")
    return out


def make_clip(
    path: str | Path,
    *,
    width: int = 640,
    height: int = 360,
    fps: Fraction | int | str = Fraction(25),
    seconds: float = 3.0,
    head_height: PathLike | None = None,
    path_x: PathLike | None = None,
    path_y: PathLike | None = None,
    cut_frames: Sequence[int] = (),
    background: Sequence[str | np.ndarray] = DEFAULT_BACKGROUNDS,
    pan_px_per_s: float = 12.0,
    shake: PathLike | None = None,
    noise: float = 2.0,
    bg_blur: float = 1.5,
    audio: bool | np.ndarray = True,
    sample_rate: int = 48000,
    seed: int = 0,
    preset: str = "ultrafast",
    crf: int = 20,
    keyint: int | None = None,
    extra_ffmpeg: Sequence[str] = (),
) -> Truth:
    """Write an MP4 of the astronaut moving over a panning background; return its :class:`Truth`.

    ``path_x``/``path_y``/``head_height`` give the head-box centre and height
    in output pixels per frame: a callable ``f(frame_index)``, a sequence of
    one value per frame, or a constant. Defaults: centred, head 30 % of the
    height, framed by :func:`default_head_y`. At each of ``cut_frames`` the
    next background of ``background`` starts (cycling) and the pan direction
    flips, so cut detectors see a hard change; make the path jump there if
    the person should move too. ``shake`` is a ``(n_frames, 2)`` array of
    camera offsets in pixels applied to person and background alike.
    ``noise`` is the half-range of the uniform grain in grey levels.
    ``audio`` is True for the beeping test track, False for no audio stream,
    or an int16 array ``(samples,)``/``(samples, channels)`` at
    ``sample_rate`` to use as the soundtrack.
    """
    fps = Fraction(fps)
    n = int(round(seconds * fps))
    if n < 1:
        raise ValueError("a clip needs at least one frame")
    cuts = tuple(sorted(int(c) for c in cut_frames))
    if any(c <= 0 or c >= n for c in cuts):
        raise ValueError(f"cut frames must lie in 1..{n - 1}, got {cuts}")
    hh = _per_frame(head_height if head_height is not None else 0.3 * height, n, "head_height")
    xs = _per_frame(path_x if path_x is not None else width / 2, n, "path_x")
    ys = _per_frame(path_y, n, "path_y") if path_y is not None else np.asarray(default_head_y(width, height, hh))
    shake_xy = np.zeros((n, 2)) if shake is None else np.asarray(shake, dtype=np.float64).reshape(n, 2)
    xs = xs + shake_xy[:, 0]
    ys = ys + shake_xy[:, 1]

    bounds = [0, *cuts, n]
    shot_bgs = [background[k % len(background)] for k in range(len(bounds) - 1)]
    margin = abs(pan_px_per_s) * seconds / 2 + 4 + float(np.abs(shake_xy).max())

    head_boxes = np.empty((n, 4))
    face_boxes = np.empty((n, 4))
    for i in range(n):
        s, tx, ty = head_transform(xs[i], ys[i], hh[i])
        head_boxes[i] = map_box(ASTRONAUT_HEAD, s, tx, ty)
        face_boxes[i] = map_box(ASTRONAUT_FACE, s, tx, ty)

    grain = Grain(width, height, noise, np.random.default_rng(seed)) if noise > 0 else None

    def frames():
        for k, (start, end) in enumerate(zip(bounds[:-1], bounds[1:])):
            plate = background_plate(shot_bgs[k], width, height, margin, bg_blur)
            direction = 1 if k % 2 == 0 else -1
            for i in range(start, end):
                # Pan across the shot around the plate's centre; shake moves the camera, hence minus.
                pan = direction * pan_px_per_s * ((i - start) / fps - (end - start) / fps / 2)
                ox = margin + float(pan) - shake_xy[i, 0]
                oy = margin - shake_xy[i, 1]
                frame = shift(plate, width, height, ox, oy)
                paste_person(frame, xs[i], ys[i], hh[i])
                yield finish(frame, grain)

    beeps: tuple[float, ...] = ()
    pcm = None
    if isinstance(audio, np.ndarray):
        pcm = audio
    elif audio:
        duration = float(n / fps)
        beeps = tuple(float(t) for t in np.arange(0, duration - 0.05, 1.0))
        pcm = tone_with_beeps(int(round(duration * sample_rate)), sample_rate, beeps)
    encode(path, frames(), width=width, height=height, fps=fps, audio=pcm, sample_rate=sample_rate,
           preset=preset, crf=crf, keyint=keyint, extra=extra_ffmpeg)
    return Truth(
        path=Path(path), width=width, height=height, fps=fps, n_frames=n,
        head_boxes=head_boxes, face_boxes=face_boxes, cut_frames=cuts,
        has_audio=pcm is not None, sample_rate=sample_rate if pcm is not None else 0, beep_times=beeps,
        backgrounds=tuple(b if isinstance(b, str) else "array" for b in shot_bgs),
    )


# ---------------------------------------------------------------- presets


def handheld_shake(n: int, amplitude: float = 1.5, seed: int = 0) -> np.ndarray:
    """``(n, 2)`` smooth pseudo-random offsets within about ±``amplitude`` px, like a hand-held camera."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)[:, None]
    out = np.zeros((n, 2))
    # A few incommensurate slow sines per axis: smooth, bounded and repeatable.
    for _ in range(3):
        freq = rng.uniform(0.02, 0.12, size=2)
        phase = rng.uniform(0, 2 * np.pi, size=2)
        out += np.sin(2 * np.pi * freq * t + phase)
    return out * (amplitude / 3)


def still_subject(path: str | Path, *, x_frac: float = 0.62, shake_px: float = 1.5, **kwargs) -> Truth:
    """A person standing still off-centre, with 1-2 px of hand-held shake."""
    width = kwargs.get("width", 640)
    fps = Fraction(kwargs.get("fps", 25))
    n = int(round(kwargs.get("seconds", 3.0) * fps))
    kwargs.setdefault("pan_px_per_s", 0.0)
    return make_clip(path, path_x=x_frac * width, shake=handheld_shake(n, shake_px), **kwargs)


def moving_subject(path: str | Path, *, from_frac: float = 0.2, to_frac: float = 0.8, **kwargs) -> Truth:
    """A person crossing the frame at constant speed from ``from_frac`` to ``to_frac`` of the width."""
    width = kwargs.get("width", 640)
    fps = Fraction(kwargs.get("fps", 25))
    n = int(round(kwargs.get("seconds", 3.0) * fps))
    xs = np.linspace(from_frac * width, to_frac * width, n)
    return make_clip(path, path_x=xs, **kwargs)


def with_cut(
    path: str | Path,
    *,
    before_frac: float = 0.3,
    after_frac: float = 0.72,
    after_scale: float = 0.65,
    cut_at: float = 0.5,
    **kwargs,
) -> Truth:
    """Two shots: the person left of centre, then after a hard cut right of centre and smaller (a wider shot).

    ``cut_at`` is the cut's position as a fraction of the clip.
    """
    width = kwargs.get("width", 640)
    height = kwargs.get("height", 360)
    fps = Fraction(kwargs.get("fps", 25))
    n = int(round(kwargs.get("seconds", 3.0) * fps))
    cut = int(round(cut_at * n))
    base = kwargs.pop("head_height", 0.3 * height)
    hh = np.where(np.arange(n) < cut, base, base * after_scale)
    xs = np.where(np.arange(n) < cut, before_frac * width, after_frac * width)
    return make_clip(path, path_x=xs, head_height=hh, cut_frames=(cut,), **kwargs)


@dataclass(frozen=True)
class Pair:
    """A clip of two people and their head boxes per frame, ``(n_frames, 2, 4)`` ``[x, y, w, h]``, left first."""

    path: Path
    width: int
    height: int
    fps: Fraction
    head_boxes: np.ndarray
    cut_frames: tuple[int, ...] = ()


def two_people(
    path: str | Path,
    *,
    width: int = 640,
    height: int = 360,
    fps: Fraction | int = Fraction(25),
    seconds: float = 2.0,
    shots: Sequence[tuple[float, float]] = ((0.17, 0.83),),
    head_frac: float = 0.3,
    background: Sequence[str] = ("rocket", "hubble"),
    audio: bool = True,
    preset: str = "ultrafast",
    crf: int = 20,
    extra_ffmpeg: Sequence[str] = (),
) -> Pair:
    """Two astronauts (the right one mirrored) facing each other, swaying a little.

    ``shots`` gives, for each shot of equal length, the two heads' centres as
    fractions of the width; the background changes at each cut. Far apart by
    default: no window of a portrait aspect holds both heads.
    """
    fps = Fraction(fps)
    n = int(round(seconds * fps))
    per_shot = n / len(shots)
    cuts = tuple(int(round(k * per_shot)) for k in range(1, len(shots)))
    hh = head_frac * height
    cy = float(default_head_y(width, height, hh))
    boxes = np.empty((n, 2, 4))

    def frames():
        for i in range(n):
            k = int(i // per_shot)
            t = i / float(fps)
            left, right = shots[k]
            heads = [(left * width + 4 * np.sin(2 * np.pi * t / 1.9), cy, hh),
                     (right * width - 3 * np.sin(2 * np.pi * t / 2.3), cy, hh)]
            still = compose_frame(width, height, heads, background=background[k % len(background)],
                                  mirror=(False, True), seed=i)
            boxes[i] = still.head_boxes
            yield still.image

    pcm = tone_with_beeps(int(round(seconds * 48000)), 48000, (0.5,)) if audio else None
    encode(path, frames(), width=width, height=height, fps=fps, audio=pcm, preset=preset, crf=crf, extra=extra_ffmpeg)
    return Pair(Path(path), width, height, fps, boxes, cuts)


__all__ = [
    "ASTRONAUT_FACE", "ASTRONAUT_HEAD", "BACKGROUNDS", "DEFAULT_BACKGROUNDS", "Pair", "Still", "Truth",
    "compose_frame", "default_head_y", "encode", "ffmpeg_exe", "handheld_shake", "make_clip", "moving_subject",
    "still_subject", "two_people", "with_cut",
]
