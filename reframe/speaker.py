"""Who is speaking: the voice in the audio track and the mouths that move with it.

Three small parts, each usable alone:

* :func:`speech_activity` decodes the source's default audio stream at a low
  rate and gives, per moment, how likely it is that someone speaks: the
  energy in the speech band (300-3400 Hz) against an adaptive noise floor
  (a low percentile of the last seconds, so steady music or hum counts as
  floor, while speech, which pauses between words and phrases, rises
  above it).
* :func:`mouth_activity` measures, for each head on a frame, how much its
  mouth changed since the frame before, after aligning the head (so a head
  that moves or nods does not count) and taking away the change of the
  eyes' band (so lighting and compression noise do not count either).
* :func:`speaker_track` turns both, sample by sample, into the face the
  camera should follow, with hysteresis: a new speaker takes over only
  :data:`HOLD_SECONDS` after the last switch. Without audio, or without a
  mouth moving while speech is heard, it gives nothing and the planner keeps
  its usual choice (the most prominent, most persistent person).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import cv2
import numpy as np

from .detections import Detections, Kind, Tracker

# -- the voice ---------------------------------------------------------------

AUDIO_RATE = 8000  # Hz: the speech band fits below its Nyquist frequency
SPEECH_BAND = (300.0, 3400.0)  # Hz, the telephone band: most of speech's energy
HOP_SECONDS = 0.02
FLOOR_SECONDS = 4.0  # window of the adaptive noise floor
FLOOR_PERCENTILE = 10
# Speech is this many dB above the floor: half-way probability at the first,
# certainty at the second.
SNR_DB = (6.0, 15.0)
SILENT_DBFS = -55.0  # quieter than this is no one speaking, whatever the floor
GAP_SECONDS = 0.3  # gaps between syllables shorter than this are still speech


@dataclass(frozen=True)
class SpeechTrack:
    """Speech probability in [0, 1] at ``times`` (seconds, the source's presentation times)."""

    times: np.ndarray
    probability: np.ndarray

    def at(self, times: np.ndarray | list[float]) -> np.ndarray:
        """The probability at each of ``times`` (0 outside the audio)."""
        return np.interp(np.asarray(times, float), self.times, self.probability, left=0.0, right=0.0)


class _BandLevel:
    """Speech-band level (dB) per :data:`HOP_SECONDS`, fed the audio chunk by
    chunk: a film's soundtrack is never held whole, only a float per hop.

    A hop's level is the energy in :data:`SPEECH_BAND` of the spectrum of a
    Hann-windowed frame two hops long centred on it (a short-time Fourier
    transform with half-overlapping frames), scaled so that a tone in the
    band reads as its mean square. NumPy's FFT does this without
    scipy.signal, whose import alone took 0.3 s of every analysis.
    """

    def __init__(self, rate: int) -> None:
        self.hop = max(2, int(round(HOP_SECONDS * rate)))
        size = 2 * self.hop
        self.window = np.hanning(size)
        freqs = np.fft.rfftfreq(size, 1.0 / rate)
        self.band = (freqs >= SPEECH_BAND[0]) & (freqs <= SPEECH_BAND[1])
        # Parseval's theorem, one-sided: a sine's power lies in its positive bins, doubled.
        self.scale = 2.0 / (size * float(np.sum(self.window**2)))
        self.block = rate  # audio frames are ~1000 samples: transform a second at a time, not each
        self.pending: list[np.ndarray] = [np.zeros(self.hop // 2)]  # so that frame i is centred on hop i
        self.held = 0
        self.samples = 0
        self.energy: list[np.ndarray] = []

    def push(self, pcm: np.ndarray) -> None:
        pcm = np.asarray(pcm, np.float64)
        self.pending.append(pcm)
        self.samples += len(pcm)
        self.held += len(pcm)
        if self.held >= self.block:
            self._transform()

    def _transform(self, hops: int | None = None) -> None:
        """Levels of every hop whose frame is complete (or of ``hops`` more, the rest padded with silence)."""
        buf = np.concatenate(self.pending)
        size = 2 * self.hop
        n = (len(buf) - size) // self.hop + 1 if len(buf) >= size else 0
        if hops is not None:
            buf = np.concatenate([buf, np.zeros(max(0, (hops - 1) * self.hop + size - len(buf)))])
            n = hops
        if n > 0:
            frames = np.lib.stride_tricks.sliding_window_view(buf, size)[:: self.hop][:n]
            spectrum = np.fft.rfft(frames * self.window, axis=1)[:, self.band]
            self.energy.append(self.scale * (spectrum.real**2 + spectrum.imag**2).sum(axis=1))
            buf = buf[n * self.hop :]
        self.pending, self.held = [buf], 0

    def levels(self) -> np.ndarray:
        done = sum(len(e) for e in self.energy)
        self._transform(hops=max(0, self.samples // self.hop - done))
        return 10 * np.log10(np.concatenate([np.zeros(0), *self.energy]) + 1e-12)


def _probability(level: np.ndarray) -> np.ndarray:
    """Speech probability from the band level per hop, against the adaptive floor."""
    from scipy import ndimage

    if len(level) == 0:
        return np.zeros(0)
    # The floor looks back only: a phrase starting now does not raise its own floor.
    span = max(1, int(round(FLOOR_SECONDS / HOP_SECONDS)))
    floor = ndimage.percentile_filter(level, FLOOR_PERCENTILE, size=span, origin=(span - 1) // 2, mode="nearest")
    lo, hi = SNR_DB
    p = np.clip((level - floor - lo) / (hi - lo) + 0.5, 0.0, 1.0)
    p[level < SILENT_DBFS] = 0.0
    return ndimage.maximum_filter1d(p, max(1, int(round(GAP_SECONDS / HOP_SECONDS))), mode="nearest")


def speech_probability(pcm: np.ndarray, rate: int) -> np.ndarray:
    """Speech probability per :data:`HOP_SECONDS` of mono float ``pcm`` in [-1, 1].

    >>> rate = 8000
    >>> t = np.arange(rate * 6) / rate
    >>> voice = 0.3 * np.sin(2 * np.pi * 700 * t) * ((t % 0.3) < 0.2) * (t > 3)
    >>> p = speech_probability(voice + 1e-3 * np.random.default_rng(0).normal(size=t.size), rate)
    >>> bool(p[:100].max() < 0.1), bool(p[200:].mean() > 0.8)
    (True, True)
    """
    level = _BandLevel(rate)
    level.push(pcm)
    return _probability(level.levels())


def speech_activity(path: str | os.PathLike, stream_index: int | None = None) -> SpeechTrack | None:
    """The speech track of the audio stream ``stream_index`` (default: the
    stream a player picks), or None when the file has no audio or it
    cannot be decoded."""
    import av

    level, start, heard = _BandLevel(AUDIO_RATE), None, False
    try:
        with av.open(os.fspath(path)) as container:
            streams = container.streams.audio
            if not streams:
                return None
            if stream_index is None:
                default = [s for s in streams if s.disposition & av.stream.Disposition.default]
                stream = (default or list(streams))[0]
            else:
                stream = next(s for s in streams if s.index == stream_index)
            resampler = av.AudioResampler(format="flt", layout="mono", rate=AUDIO_RATE)
            for frame in container.decode(stream):
                if start is None and frame.time is not None:
                    start = float(frame.time)
                for out in resampler.resample(frame):
                    level.push(out.to_ndarray().reshape(-1))
                    heard = True
            for out in resampler.resample(None):
                level.push(out.to_ndarray().reshape(-1))
                heard = True
    except (av.FFmpegError, StopIteration, OSError):
        return None
    if not heard:
        return None
    p = _probability(level.levels())
    times = (start or 0.0) + (np.arange(len(p)) + 0.5) * HOP_SECONDS
    return SpeechTrack(times, p)


# -- the mouths --------------------------------------------------------------

# Where a mouth sits in a head box (hair to chin, ear to ear), as shares of
# its width and height, and the band of the eyes used as a reference.
MOUTH = (0.28, 0.72, 0.72, 0.97)  # x0, x1, y0, y1
EYES = (0.28, 0.72, 0.40, 0.60)
HEAD_PIXELS = 64  # heads are compared at this size, whatever their size on screen
# Frames this far apart show a talking mouth's change above the noise; heads
# smaller than MIN_HEAD_PIXELS do not (benchmarks/mouths.py, README).
MOUTH_GAP_SECONDS = 0.12
MIN_HEAD_PIXELS = 32  # smaller heads show no readable mouth: activity unknown (NaN)


def _band(img: np.ndarray, share: tuple[float, float, float, float]) -> np.ndarray:
    h, w = img.shape[:2]
    x0, x1, y0, y1 = share
    return img[int(y0 * h) : int(y1 * h), int(x0 * w) : int(x1 * w)]


def mouth_activity(gray: np.ndarray, before: np.ndarray, heads: np.ndarray) -> np.ndarray:
    """Mouth motion of each ``(n, 4)`` xyxy head box between two grey frames.

    The head is cut out of both frames, scaled to :data:`HEAD_PIXELS`, and
    the earlier one is moved onto the later by phase correlation; the mouth
    band's mean absolute change, less the eyes' band's, in units of the
    mouth's own contrast, is the activity (0 for a still mouth). NaN for
    heads under :data:`MIN_HEAD_PIXELS` or at the frame edge.
    """
    out = np.full(len(heads), np.nan, np.float32)
    h, w = gray.shape[:2]
    win = cv2.createHanningWindow((HEAD_PIXELS, HEAD_PIXELS), cv2.CV_32F)
    for i, (x1, y1, x2, y2) in enumerate(np.asarray(heads, float).reshape(-1, 4)):
        if min(x2 - x1, y2 - y1) < MIN_HEAD_PIXELS:
            continue
        xa, ya, xb, yb = int(round(x1)), int(round(y1)), int(round(x2)), int(round(y2))
        if xa < 0 or ya < 0 or xb > w or yb > h:
            continue
        size = (HEAD_PIXELS, HEAD_PIXELS)
        now = cv2.resize(gray[ya:yb, xa:xb], size, interpolation=cv2.INTER_AREA).astype(np.float32)
        then = cv2.resize(before[ya:yb, xa:xb], size, interpolation=cv2.INTER_AREA).astype(np.float32)
        (dx, dy), _ = cv2.phaseCorrelate(then, now, win)
        shift = np.float32([[1, 0, dx], [0, 1, dy]])
        then = cv2.warpAffine(then, shift, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        diff = np.abs(now - then)
        mouth = float(_band(diff, MOUTH).mean())
        eyes = float(_band(diff, EYES).mean())
        contrast = float(_band(now, MOUTH).std())
        out[i] = max(0.0, mouth - eyes) / (contrast + 4.0)
    return out


def with_mouth_activity(found: Detections, gray: np.ndarray, before: np.ndarray | None) -> Detections:
    """``found`` with the mouth activity of its faces measured (others stay NaN)."""
    faces = np.flatnonzero(found.kind == Kind.FACE)
    if before is None or not len(faces):
        return found
    activity = found.activity.copy()
    activity[faces] = mouth_activity(gray, before, found.xyxy[faces])
    return found.with_activity(activity)


# -- who speaks --------------------------------------------------------------

HOLD_SECONDS = 1.5  # no new speaker sooner than this after the last switch
# A face speaks when the median, over the last WINDOW_SECONDS, of its mouth
# activity times the speech probability reaches MIN_EVIDENCE and beats every
# other face's by MIN_LEAD. The median, not the mean: a head that turns or
# bobs fast (sport, children jumping) gives rare large values, a talking
# mouth steady moderate ones (benchmarks/mouths.py; the README gives the figures).
WINDOW_SECONDS = 1.0
MIN_EVIDENCE = 0.03
MIN_LEAD = 1.5


@dataclass(frozen=True)
class SpeakerTrack:
    """Per sample of a shot, the head box of the face to follow (None: no opinion)."""

    boxes: list[np.ndarray | None]
    switches: int

    @property
    def found(self) -> bool:
        return any(b is not None for b in self.boxes)

    def note(self) -> str:
        if not self.found:
            return ""
        n = self.switches
        return (f"speaker followed: the face whose mouth moves while speech is heard"
                f" ({n} switch{'es' if n != 1 else ''}, none sooner than {HOLD_SECONDS:g} s)")


def speaker_track(times: np.ndarray, samples: list[Detections], speech: np.ndarray | None) -> SpeakerTrack:
    """Who speaks at each sample of one shot.

    ``times`` are the samples' times in seconds, ``samples`` their
    detections (faces carrying :attr:`Detections.activity`), ``speech`` the
    speech probability at each sample (None: no audio).
    """
    n = len(samples)
    none = SpeakerTrack([None] * n, 0)
    if speech is None or n == 0:
        return none
    tracker = Tracker()  # a face joins the track whose last centre is within its width
    seen: list[dict[int, tuple[float, np.ndarray]]] = []  # per sample: track -> (evidence, head box)
    for d, p in zip(samples, speech):
        faces = d[d.kind == Kind.FACE]
        ids = tracker.link(faces.center, faces.xyxy[:, 2] - faces.xyxy[:, 0])
        # evidence is NaN where the mouth could not be read: unknown, not silent
        seen.append({k: (float(p) * float(a), box) for k, a, box in zip(ids, faces.activity, faces.xyxy)})
    current, since, switches = None, -np.inf, 0
    boxes: list[np.ndarray | None] = []
    first = 0
    for i, t in enumerate(times):
        while times[first] <= t - WINDOW_SECONDS:
            first += 1
        window = i + 1 - first
        values: dict[int, list[float]] = {}
        for j in range(first, i + 1):
            for k, (e, _) in seen[j].items():
                if not np.isnan(e):
                    values.setdefault(k, []).append(e)
        # A face read on under half the window is not judged yet.
        score = {k: float(np.median(v)) for k, v in values.items() if 2 * len(v) >= window}
        ranked = sorted(score.values(), reverse=True)
        if ranked and ranked[0] >= MIN_EVIDENCE:
            top = max(score, key=score.get)
            clear = len(ranked) == 1 or ranked[0] >= MIN_LEAD * ranked[1]
            if clear and top != current and (current is None or t - since >= HOLD_SECONDS):
                switches += current is not None
                current, since = top, t
        boxes.append(seen[i][current][1] if current in seen[i] else None)
    return SpeakerTrack(boxes, switches)


__all__ = [
    "SpeakerTrack", "SpeechTrack", "mouth_activity", "speaker_track", "speech_activity",
    "speech_probability", "with_mouth_activity",
]
