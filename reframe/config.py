"""Settings of each stage: frozen, validated, every default in one place."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, get_args

from .errors import UsageError

# The choices of each string setting; the tuples below are read from these.
AspectPreset = Literal["9:16", "4:5", "1:1"]  # any W:H from 1:10 to 10:1 parses too
MotionName = Literal["calm", "lively", "locked"]
Layout = Literal["auto", "follow", "split", "fit"]
SubtitleMode = Literal["move", "keep", "crop", "auto"]
Preset = Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"]
AudioMode = Literal["auto", "aac", "none"]
AudioTracks = Literal["default", "all"]


@dataclass(frozen=True)
class Aspect:
    """An output aspect ratio ``w:h`` such as 9:16.

    >>> Aspect.parse("9:16").ratio
    Fraction(9, 16)
    """

    w: int
    h: int

    @classmethod
    def parse(cls, text: Aspect | AspectPreset | str) -> Aspect:
        if isinstance(text, Aspect):
            return text
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[:x/]\s*(\d+(?:\.\d+)?)\s*", str(text))
        if not m:
            raise UsageError(f"aspect {text!r} is not of the form W:H (for example 9:16, 4:5, 1:1)")
        w, h = Fraction(m.group(1)), Fraction(m.group(2))
        if w <= 0 or h <= 0:
            raise UsageError(f"aspect {text!r} must have positive sides")
        r = w / h
        if not Fraction(1, 10) <= r <= 10:
            raise UsageError(f"aspect {text!r} is outside the supported range 1:10 to 10:1")
        return cls(r.numerator, r.denominator)

    @property
    def ratio(self) -> Fraction:
        return Fraction(self.w, self.h)

    def __str__(self) -> str:
        return f"{self.w}:{self.h}"


def even(v: float) -> int:
    """The nearest even integer of at least 2 (video encoders need even sizes)."""
    return max(2, int(round(v / 2.0)) * 2)


def parse_size(text: str | None) -> tuple[int, int] | str | None:
    """``"1080x1920"`` -> (1080, 1920); ``"native"`` -> "native"; None -> None (default)."""
    if text is None:
        return None
    t = str(text).strip().lower()
    if t in ("native", "crop", "source"):
        return "native"
    m = re.fullmatch(r"(\d+)\s*[x:]\s*(\d+)", t)
    if not m:
        raise UsageError(f"size {text!r} is not WIDTHxHEIGHT (for example 1080x1920) or 'native'")
    w, h = int(m.group(1)), int(m.group(2))
    if not (16 <= w <= 8192 and 16 <= h <= 8192):
        raise UsageError(f"size {text!r} must be between 16 and 8192 pixels on each side")
    return even(w), even(h)


@dataclass(frozen=True)
class AnalyzeConfig:
    """How the analysis samples and detects.

    ``sample_fps``: detection runs on up to this many frames per second
    while the picture changes (``sample_change``: the share of a thumbnail's
    pixels that must have moved since the last sample), and on
    ``still_sample_fps`` while it holds still, plus the first frame of every
    shot; boxes are interpolated between samples.
    ``analysis_long_side``: frames are decoded at this long side for
    detection. The face model looks at the whole frame on the first sample
    of a shot and then every ``whole_scan_every`` seconds, for the smallest
    faces in tiles every ``fine_scan_every`` seconds, and on the samples
    between only around the faces and people already known. On-screen text
    (``detect_text``) is looked for with the first whole-frame scan of each
    shot and then every ``text_scan_every`` seconds (text mostly holds
    still), and carried to the samples between.
    """

    sample_fps: float = 5.0
    still_sample_fps: float = 1.0
    sample_change: float = 0.005
    whole_scan_every: float = 0.5  # seconds between whole-frame face scans; known faces and people in between
    fine_scan_every: float = 4.0  # seconds between scans for the smallest faces (tiles)
    analysis_long_side: int = 960
    face_confidence: float = 0.5
    detect_objects: bool = True
    object_confidence: float = 0.35
    detect_text: bool = True
    text_scan_every: float = 5.0
    cut_threshold: float = 3.0  # adaptive content-change ratio marking a hard cut

    def __post_init__(self) -> None:
        if not 0.1 <= self.sample_fps <= 60:
            raise UsageError("sample_fps must be between 0.1 and 60")
        if not 0.1 <= self.still_sample_fps <= self.sample_fps:
            raise UsageError("still_sample_fps must be between 0.1 and sample_fps")
        if not 0 <= self.sample_change <= 1:
            raise UsageError("sample_change must be between 0 and 1")
        if not 0 < self.whole_scan_every <= self.fine_scan_every:
            raise UsageError("whole_scan_every must be positive and at most fine_scan_every")
        if not self.text_scan_every > 0:
            raise UsageError("text_scan_every must be positive")
        if not 128 <= self.analysis_long_side <= 4096:
            raise UsageError("analysis_long_side must be between 128 and 4096")


@dataclass(frozen=True)
class Motion:
    """A camera temperament: how fast and how readily the window follows.

    ``max_speed`` is in source widths per second, ``dead_zone`` the share of
    the window width the subject may drift before the window follows, and
    the costs are the path solver's per-pixel prices of moving, changing
    speed and changing acceleration (see :mod:`reframe.pathsolver`).
    """

    max_speed: float
    dead_zone: float
    velocity: float
    acceleration: float
    jerk: float


MOTIONS: dict[MotionName, Motion] = {
    # Still whenever the subject allows it; slow, eased pans otherwise.
    "calm": Motion(max_speed=0.5, dead_zone=0.12, velocity=10.0, acceleration=40.0, jerk=100.0),
    # Follows sooner and faster: sport, dance, anything that moves a lot.
    "lively": Motion(max_speed=1.0, dead_zone=0.05, velocity=3.0, acceleration=10.0, jerk=30.0),
    # Moves only when the subject would otherwise leave the window.
    # (Moving a pixel must stay cheaper than a must-keep pixel left out for a
    # frame, or the subject would be let go.)
    "locked": Motion(max_speed=0.5, dead_zone=0.3, velocity=20.0, acceleration=100.0, jerk=300.0),
}


# What the planner does with burned-in subtitles (see reframe.subtitle_place).
SUBTITLE_MODES: tuple[SubtitleMode, ...] = get_args(SubtitleMode)

# How the planner shows shots: "auto" chooses one of the others per shot.
PLAN_LAYOUTS: tuple[Layout, ...] = get_args(Layout)


@dataclass(frozen=True)
class PlanConfig:
    """How the virtual camera moves.

    ``motion`` names a preset of :data:`MOTIONS`; ``max_speed`` and
    ``dead_zone`` override its values when given. Speeds are in fractions of
    the source width per second so that the same settings behave alike at
    every resolution.

    ``layout`` is how shots are shown (:data:`PLAN_LAYOUTS`): ``auto``
    chooses per shot between ``follow`` (one window), ``split`` (a panel for
    each of two people) and ``fit`` (the whole picture over a blurred
    copy); the others force one for every shot (``split`` where a shot has
    two people). ``zoom_max`` bounds how much wider than the full-height
    window a ``follow`` window may become to keep close people together
    (1 disables it); the extra height beyond the picture is filled with a
    blurred copy of it.

    ``subtitles`` is what happens to burned-in subtitles the analysis found
    (:data:`SUBTITLE_MODES`): ``move`` shows their band whole, scaled to the
    output width, in the lower part of the frame; ``keep`` keeps it whole in
    the picture (a wider window, or the whole picture); ``crop`` crops it
    like the rest; ``auto`` is ``move`` where a band is found.
    """

    aspect: Aspect | AspectPreset | str = Aspect(9, 16)  # parsed to an Aspect
    motion: MotionName = "calm"
    max_speed: float | None = None
    dead_zone: float | None = None
    layout: Layout = "auto"
    zoom_max: float = 1.25
    subtitles: SubtitleMode = "move"

    def __post_init__(self) -> None:
        object.__setattr__(self, "aspect", Aspect.parse(self.aspect))
        if self.subtitles not in SUBTITLE_MODES:
            raise UsageError(f"subtitles {self.subtitles!r} is not one of: {', '.join(SUBTITLE_MODES)}")
        if self.motion not in MOTIONS:
            raise UsageError(f"motion {self.motion!r} is not one of: {', '.join(MOTIONS)}")
        if self.layout not in PLAN_LAYOUTS:
            raise UsageError(f"layout {self.layout!r} is not one of: {', '.join(PLAN_LAYOUTS)}")
        if not 1.0 <= self.zoom_max <= 2.0:
            raise UsageError(f"zoom_max {self.zoom_max} must be between 1 (no zoom) and 2")
        preset = MOTIONS[self.motion]
        if self.max_speed is None:
            object.__setattr__(self, "max_speed", preset.max_speed)
        if self.dead_zone is None:
            object.__setattr__(self, "dead_zone", preset.dead_zone)
        if self.max_speed <= 0:
            raise UsageError("max_speed must be positive")
        if not 0 <= self.dead_zone < 0.5:
            raise UsageError("dead_zone must be in [0, 0.5)")


PRESETS: tuple[Preset, ...] = get_args(Preset)


@dataclass(frozen=True)
class RenderConfig:
    """How the output is encoded.

    ``size``: output ``(width, height)``; None picks 1080 wide at the crop's
    aspect; ``"native"`` keeps the crop's own pixel size (no upscaling).
    ``encoder``: libx264 takes ``crf`` and ``preset``; a hardware encoder
    (h264_nvenc, h264_qsv, h264_videotoolbox...) takes ``crf`` as its
    constant-quality level where it has one, and its own speed defaults.
    """

    size: tuple[int, int] | str | None = None
    encoder: str = "libx264"  # any FFmpeg video encoder present, e.g. h264_nvenc, h264_qsv, h264_videotoolbox
    crf: int = 20
    preset: Preset = "veryfast"
    audio: AudioMode = "auto"  # "auto": copy when MP4 can hold the codec, else AAC; "aac": always re-encode; "none"
    audio_tracks: AudioTracks = "default"  # "default": the stream a player picks; "all": every audio stream, in order
    overwrite: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.size, str):
            object.__setattr__(self, "size", parse_size(self.size))
        if not re.fullmatch(r"[a-z0-9_]+", self.encoder):
            raise UsageError(f"encoder {self.encoder!r} is not an FFmpeg encoder name (for example libx264, h264_nvenc)")
        if not 0 <= self.crf <= 51:
            raise UsageError(f"crf {self.crf} must be between 0 and 51")
        if self.preset not in PRESETS:
            raise UsageError(f"preset {self.preset!r} is not one of: {', '.join(PRESETS)}")
        if self.audio not in get_args(AudioMode):
            raise UsageError(f"audio {self.audio!r} must be auto, aac or none")
        if self.audio_tracks not in get_args(AudioTracks):
            raise UsageError(f"audio tracks {self.audio_tracks!r} must be default or all")

    def output_size(self, crop_w: float, crop_h: float) -> tuple[int, int]:
        """The encoded frame size for a crop window of ``crop_w`` x ``crop_h``."""
        if self.size == "native":
            return even(crop_w), even(crop_h)
        if self.size is None:
            if crop_w <= crop_h:
                return 1080, even(1080 * crop_h / crop_w)
            return even(1080 * crop_w / crop_h), 1080
        return self.size  # type: ignore[return-value]


# Progress is reported as (stage, fraction done in [0, 1]); the library never
# draws anything itself.
ProgressCallback = Callable[[str, float], None]
