"""Analyze: one decoding pass that finds cuts and what is on screen.

Every frame is turned into a thumbnail for the cut detector; only sampled
frames (``AnalyzeConfig.sample_fps``, plus the first frames after each cut)
are scaled to the analysis size and given to the detectors. Boxes are stored
in display pixels of the source, so the planner never needs to know the
analysis size.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from .config import AnalyzeConfig, ProgressCallback, even
from .detections import Detections, Kind
from .probe import VideoInfo, probe
from .shots import CutDetector
from .speaker import MOUTH_GAP_SECONDS, speech_activity, with_mouth_activity

_THUMB_LONG_SIDE = 160


@dataclass(frozen=True)
class Analysis:
    """What the analysis found: cuts and per-sample detections.

    ``samples`` maps a frame index to the boxes found on that frame (source
    display pixels). ``cuts`` lists the first frame of every shot but the
    first.
    """

    info: VideoInfo
    cuts: tuple[int, ...]
    samples: dict[int, Detections] = field(repr=False)
    content: tuple[float, float, float, float] | None = None  # picture inside burned-in bars: x, y, w, h
    # Speech probability at each sampled frame (see reframe.speaker); None without audio.
    speech: dict[int, float] | None = None

    @property
    def content_box(self) -> tuple[float, float, float, float]:
        """The area holding picture (the whole frame unless bars were found)."""
        return self.content or (0.0, 0.0, float(self.info.width), float(self.info.height))

    @property
    def sample_frames(self) -> np.ndarray:
        return np.array(sorted(self.samples), dtype=np.int64)


class Analyzer:
    """The analysis stage: detectors are built once and reused across files.

    >>> # Analyzer().run("in.mp4") -> Analysis
    """

    def __init__(self, config: AnalyzeConfig = AnalyzeConfig(), *, faces=None, objects=None, saliency=None):
        from .detect import FaceDetector, ObjectDetector, SaliencyDetector

        self.config = config
        self.faces = faces if faces is not None else FaceDetector(confidence=config.face_confidence)
        if objects is not None or not config.detect_objects:
            self.objects = objects
        else:
            self.objects = ObjectDetector(confidence=config.object_confidence)
        self.saliency = saliency if saliency is not None else SaliencyDetector()

    def close(self) -> None:
        for d in (self.faces, self.objects, self.saliency):
            if d is not None and hasattr(d, "close"):
                d.close()

    def __enter__(self) -> Analyzer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, src: str | os.PathLike | VideoInfo, progress: ProgressCallback | None = None) -> Analysis:
        from .frames import FrameReader

        info = src if isinstance(src, VideoInfo) else probe(src)
        cfg = self.config
        scale = min(1.0, cfg.analysis_long_side / max(info.width, info.height))
        aw, ah = even(info.width * scale), even(info.height * scale)
        t_scale = _THUMB_LONG_SIDE / max(info.width, info.height)
        tw, th = even(info.width * t_scale), even(info.height * t_scale)
        to_source = (info.width / aw, info.height / ah)

        cuts = CutDetector(info.fps, threshold=cfg.cut_threshold)
        period = 1.0 / cfg.sample_fps
        next_sample = next_scan = -1.0
        previous: np.ndarray | None = None
        known = Detections.empty()  # faces and people of the last sample, analysis pixels
        samples: dict[int, Detections] = {}
        bars = BarFinder()
        n = max(1, info.frame_count)
        # The frames decoded just before this one: mouths are compared across MOUTH_GAP_SECONDS.
        recent: deque = deque(maxlen=max(1, round(MOUTH_GAP_SECONDS * float(info.fps))))
        with FrameReader(info) as reader:
            for frame in reader:
                before = recent[0] if len(recent) == recent.maxlen else None
                recent.append(frame)
                thumb = frame.to_rgb(tw, th)
                bars.add(thumb)
                if cuts.push(frame.index, thumb):
                    # A new shot: look at it now, fully, and compare nothing across the cut.
                    next_sample = next_scan = -1.0
                    previous, known, before = None, Detections.empty(), None
                    recent.clear()
                    recent.append(frame)
                if frame.time + 1e-9 < next_sample:
                    continue
                next_sample = frame.time + period
                full_scan = frame.time + 1e-9 >= next_scan
                if full_scan:
                    next_scan = frame.time + cfg.full_scan_every
                rgb = frame.to_rgb(aw, ah)
                found = self._detect(rgb, previous, full_scan, known)
                known = found[found.kind <= Kind.PERSON]
                found = _with_mouths(found, rgb, before, aw, ah)
                samples[frame.index] = found.scaled(*to_source)
                previous = rgb
                if progress:
                    progress("analyze", min(1.0, (frame.index + 1) / n))
        found = tuple(cuts.finish())
        if progress:
            progress("analyze", 1.0)
        content = bars.content(info.width, info.height)
        return Analysis(info, found, samples, content, _speech(info, samples))

    def _detect(self, rgb: np.ndarray, previous: np.ndarray | None, full_scan: bool, known: Detections) -> Detections:
        objects = self.objects.detect(rgb) if self.objects is not None else Detections.empty()
        # Between full scans the face model looks closely only around the
        # faces of the last sample and the people found now.
        hints = Detections.concat([known, objects[objects.kind == Kind.PERSON]])
        faces = self.faces.detect(rgb, full_scan=full_scan, hints=hints)
        # Saliency is the fallback signal: the planner uses it only when
        # nothing of a higher kind is on screen.
        salient = self.saliency.detect(rgb, previous)
        return Detections.concat([faces, objects, salient])


def _with_mouths(found: Detections, rgb: np.ndarray, before, width: int, height: int) -> Detections:
    """Mouth activity of the faces found, from this frame and ``before``, decoded a moment earlier."""
    if before is None or not np.any(found.kind == Kind.FACE):
        return found
    import cv2

    return with_mouth_activity(found, cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), before.to_gray(width, height))


def _speech(info: VideoInfo, samples: dict[int, Detections]) -> dict[int, float] | None:
    """Speech probability at each sampled frame, from the default audio stream."""
    audio = info.default_audio
    track = speech_activity(info.path, audio.index) if audio is not None else None
    if track is None:
        return None
    frames = sorted(samples)
    times = info.timestamps[np.minimum(frames, len(info.timestamps) - 1)]
    return {f: round(float(p), 3) for f, p in zip(frames, track.at(times))}


class BarFinder:
    """Finds black bars burned into the picture (letterbox, pillarbox).

    A row or column belongs to a bar when it is dark on every frame of the
    clip; fades to black do not count because the rest of the clip lights
    them up.
    """

    # Brightest a bar pixel gets (8-bit); compressed black sits around 16-20.
    DARK = 32
    # Bars thinner than this share of the side are ignored (edge noise).
    MIN_SHARE = 0.02

    def __init__(self) -> None:
        self._rows: np.ndarray | None = None
        self._cols: np.ndarray | None = None

    def add(self, rgb: np.ndarray) -> None:
        luma = rgb.max(axis=2)
        rows, cols = luma.max(axis=1), luma.max(axis=0)
        if self._rows is None:
            self._rows, self._cols = rows.copy(), cols.copy()
        else:
            np.maximum(self._rows, rows, out=self._rows)
            np.maximum(self._cols, cols, out=self._cols)

    def content(self, width: int, height: int) -> tuple[float, float, float, float] | None:
        """The picture area in ``width`` x ``height`` pixels, or None when there are no bars."""
        if self._rows is None:
            return None
        y0, y1 = _span(self._rows > self.DARK, self.MIN_SHARE)
        x0, x1 = _span(self._cols > self.DARK, self.MIN_SHARE)
        if (x0, y0, x1, y1) == (0.0, 0.0, 1.0, 1.0):
            return None
        return (float(x0 * width), float(y0 * height), float((x1 - x0) * width), float((y1 - y0) * height))


def _span(lit: np.ndarray, min_share: float) -> tuple[float, float]:
    """First and last lit position as shares of the side (whole side when unlit or bars too thin)."""
    n = len(lit)
    idx = np.flatnonzero(lit)
    if len(idx) < n * 0.2:
        return 0.0, 1.0  # almost nothing lit: a black clip, not bars
    # Two thumbnail pixels in, so the bar's blurred edge stays outside.
    a = (idx[0] + 2) / n if idx[0] > 0 else 0.0
    b = (idx[-1] - 1) / n if idx[-1] < n - 1 else 1.0
    a = a if a >= min_share else 0.0
    b = b if 1.0 - b >= min_share else 1.0
    return a, b


def analyze(
    src: str | os.PathLike | VideoInfo,
    config: AnalyzeConfig = AnalyzeConfig(),
    progress: ProgressCallback | None = None,
) -> Analysis:
    """Probe ``src`` (unless given a VideoInfo), find its cuts and detect subjects on sampled frames."""
    with Analyzer(config) as analyzer:
        return analyzer.run(src, progress)


__all__ = ["Analysis", "Analyzer", "analyze"]
