"""Synthetic test media with exact ground truth.

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

Main entry points: :func:`make_clip` (an H.264/AAC MP4 plus its
:class:`Truth`), the presets :func:`still_subject`, :func:`moving_subject`
and :func:`with_cut`, and :func:`compose_frame` for a single still.
"""

from __future__ import annotations

import functools
import math
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

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


@dataclass(frozen=True)
class Still:
    """One composited frame: RGB ``image`` and ``(k, 4)`` ``[x, y, w, h]`` boxes, one row per person."""

    image: np.ndarray
    head_boxes: np.ndarray
    face_boxes: np.ndarray


# ---------------------------------------------------------------- sources


@functools.cache
def _astronaut() -> np.ndarray:
    from skimage import data

    return data.astronaut()


@functools.cache
def _cutout() -> np.ndarray:
    """The astronaut as premultiplied float32 RGBA (512x512x4), soft-edged.

    Wall-coloured pixels (bright, unsaturated) are removed only where they
    connect to the outside of the outline, so the teeth and the white strap
    stay opaque.
    """
    img = _astronaut()
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


def _plate(source: str | np.ndarray, width: int, height: int, margin: float, blur: float) -> np.ndarray:
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


def _head_transform(cx: float, cy: float, head_height: float) -> tuple[float, float, float]:
    """Scale and pixel-edge translation mapping the photo so its head box is centred at (cx, cy)."""
    hx, hy, hw, hh = ASTRONAUT_HEAD
    s = head_height / hh
    return s, cx - s * (hx + hw / 2), cy - s * (hy + hh / 2)


def _map_box(box: Sequence[float], s: float, tx: float, ty: float) -> np.ndarray:
    x, y, w, h = box
    return np.array([s * x + tx, s * y + ty, s * w, s * h], dtype=np.float64)


def _paste_person(frame: np.ndarray, cx: float, cy: float, head_height: float, mirror: bool = False) -> None:
    """Composite the astronaut into a float32 RGB ``frame`` in place."""
    s, tx, ty = _head_transform(cx, cy, head_height)
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


def _shift(plate: np.ndarray, width: int, height: int, ox: float, oy: float) -> np.ndarray:
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
    plate = _plate(background, width, height, margin=8, blur=1.5)
    frame = _shift(plate, width, height, 8 + bg_offset[0], 8 + bg_offset[1])
    mirror = list(mirror) if mirror is not None else [False] * len(heads)
    head_boxes, face_boxes = [], []
    for (cx, cy, hh), flip in zip(heads, mirror, strict=True):
        _paste_person(frame, cx, cy, hh, mirror=flip)
        s, tx, ty = _head_transform(cx, cy, hh)
        face = ASTRONAUT_FACE
        if flip:  # the face is not centred in the head box, so mirror it too
            hx, _, hw, _ = ASTRONAUT_HEAD
            face = (2 * hx + hw - face[0] - face[2], face[1], face[2], face[3])
        head_boxes.append(_map_box(ASTRONAUT_HEAD, s, tx, ty))
        face_boxes.append(_map_box(face, s, tx, ty))
    grain = _Grain(width, height, noise, np.random.default_rng(seed)) if noise > 0 else None
    image = _finish(frame, grain)
    return Still(image, np.array(head_boxes).reshape(-1, 4), np.array(face_boxes).reshape(-1, 4))


class _Grain:
    """Uniform sensor grain, drawn once and cropped at a random offset per frame (drawing per frame is slow)."""

    PAD = 64

    def __init__(self, width: int, height: int, amplitude: float, rng: np.random.Generator) -> None:
        self.rng = rng
        self.width, self.height = width, height
        self.field = rng.uniform(-amplitude, amplitude, size=(height + self.PAD, width + self.PAD, 3)).astype(np.float32)

    def sample(self) -> np.ndarray:
        x, y = self.rng.integers(0, self.PAD, size=2)
        return self.field[y : y + self.height, x : x + self.width]


def _finish(frame: np.ndarray, grain: _Grain | None) -> np.ndarray:
    """Add grain and round/saturate to uint8 in one OpenCV call."""
    if grain is None:
        return cv2.add(frame, 0.0, dtype=cv2.CV_8U)
    return cv2.add(frame, grain.sample(), dtype=cv2.CV_8U)


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


def default_head_y(width: int, height: int, head_height: np.ndarray | float) -> np.ndarray | float:
    """Head-centre y that frames a person like a real shot.

    The head top sits at 10 % of the height, unless the body would then end
    above the bottom edge (small, wide-shot heads): then the person is lowered
    until the body reaches the bottom, so nobody floats.
    """
    top = np.maximum(0.1 * height, height + 2 - BODY_BELOW_HEAD_TOP * np.asarray(head_height))
    return top + np.asarray(head_height) / 2


def _audio(n_samples: int, rate: int, beep_times: Sequence[float]) -> np.ndarray:
    """Mono int16: a quiet 440 Hz tone with 50 ms 1 kHz beeps at ``beep_times``.

    The beeps let a test find audio/video offsets; the tone keeps the track
    from being digital silence, which some tools treat as absent.
    """
    t = np.arange(n_samples) / rate
    sig = 0.08 * np.sin(2 * np.pi * 440 * t)
    for start in beep_times:
        on = (t >= start) & (t < start + 0.05)
        sig[on] += 0.5 * np.sin(2 * np.pi * 1000 * (t[on] - start))
    return (np.clip(sig, -1, 1) * 32767).astype(np.int16)


def ffmpeg_exe() -> str:
    """The ffmpeg binary shipped with imageio-ffmpeg, so no system ffmpeg is needed."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def encode(
    path: str | Path,
    frames,
    *,
    width: int,
    height: int,
    fps: Fraction,
    audio: np.ndarray | None = None,
    sample_rate: int = 48000,
    preset: str = "ultrafast",
    crf: int = 20,
    keyint: int | None = None,
    audio_bitrate: str = "96k",
    extra: Sequence[str] = (),
) -> None:
    """Pipe RGB ``uint8`` frames (an iterable) to ffmpeg as H.264 yuv420p, with optional AAC audio.

    ``audio`` is int16 of shape ``(n,)`` or ``(n, channels)``. ``keyint`` is
    the keyframe interval in frames (default: one per second), so seeking
    tests have several keyframes to land on.
    """
    if width % 2 or height % 2:
        raise ValueError("yuv420p needs an even width and height")
    path = Path(path)
    fps = Fraction(fps)
    keyint = keyint or max(1, round(fps))
    with tempfile.TemporaryDirectory(prefix="reframe-media-") as tmp:
        cmd = [ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
               "-video_size", f"{width}x{height}", "-framerate", f"{fps.numerator}/{fps.denominator}", "-i", "pipe:0"]
        if audio is not None:
            pcm = Path(tmp) / "audio.s16"
            audio = np.ascontiguousarray(audio, dtype=np.int16)
            pcm.write_bytes(audio.tobytes())
            channels = 1 if audio.ndim == 1 else audio.shape[1]
            cmd += ["-f", "s16le", "-ar", str(sample_rate), "-ac", str(channels), "-i", str(pcm)]
        cmd += ["-map", "0:v:0"]
        if audio is not None:
            cmd += ["-map", "1:a:0", "-c:a", "aac", "-b:a", audio_bitrate]
        # Tag the colour matrix that swscale really uses, so players and decoders agree.
        matrix = "bt709" if height >= 720 else "smpte170m"
        cmd += ["-vf", f"scale=out_color_matrix={'bt709' if matrix == 'bt709' else 'bt601'}:out_range=tv,format=yuv420p",
                "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-g", str(keyint),
                "-colorspace", matrix, "-color_primaries", matrix, "-color_trc", matrix, "-color_range", "tv",
                *extra, str(path)]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdin is not None
        try:
            for frame in frames:
                proc.stdin.write(np.ascontiguousarray(frame, dtype=np.uint8).tobytes())
        except BrokenPipeError:
            pass  # ffmpeg died; its message is reported below
        finally:
            proc.stdin.close()
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.wait() != 0:
            raise RuntimeError(f"ffmpeg failed ({proc.returncode}): {err.strip()}")


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
        s, tx, ty = _head_transform(xs[i], ys[i], hh[i])
        head_boxes[i] = _map_box(ASTRONAUT_HEAD, s, tx, ty)
        face_boxes[i] = _map_box(ASTRONAUT_FACE, s, tx, ty)

    grain = _Grain(width, height, noise, np.random.default_rng(seed)) if noise > 0 else None

    def frames():
        for k, (start, end) in enumerate(zip(bounds[:-1], bounds[1:])):
            plate = _plate(shot_bgs[k], width, height, margin, bg_blur)
            direction = 1 if k % 2 == 0 else -1
            for i in range(start, end):
                # Pan across the shot around the plate's centre; shake moves the camera, hence minus.
                pan = direction * pan_px_per_s * ((i - start) / fps - (end - start) / fps / 2)
                ox = margin + float(pan) - shake_xy[i, 0]
                oy = margin - shake_xy[i, 1]
                frame = _shift(plate, width, height, ox, oy)
                _paste_person(frame, xs[i], ys[i], hh[i])
                yield _finish(frame, grain)

    beeps: tuple[float, ...] = ()
    pcm = None
    if isinstance(audio, np.ndarray):
        pcm = audio
    elif audio:
        duration = float(n / fps)
        beeps = tuple(float(t) for t in np.arange(0, duration - 0.05, 1.0))
        pcm = _audio(int(round(duration * sample_rate)), sample_rate, beeps)
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

    pcm = _audio(int(round(seconds * 48000)), 48000, (0.5,)) if audio else None
    encode(path, frames(), width=width, height=height, fps=fps, audio=pcm, preset=preset, crf=crf, extra=extra_ffmpeg)
    return Pair(Path(path), width, height, fps, boxes, cuts)
