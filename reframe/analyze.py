"""Analyze: one decoding pass that finds cuts and what is on screen.

Every frame is decoded (without the deblocking filter where no other frame
predicts from it: nothing here looks at full-size pixels) and turned into a
thumbnail for the cut detector and the motion measure; only sampled frames
are scaled to the analysis size and given to the detectors. Sampling adapts
to the picture (:class:`~reframe.sampling.Sampler`): the first frame of
every shot, then ``AnalyzeConfig.sample_fps`` while the picture changes and
``still_sample_fps`` while it holds still; the planner interpolates between
samples. Boxes are stored in display pixels of the source, so the planner
never needs to know the analysis size.
"""

from __future__ import annotations

import os
from collections import deque

import cv2
import numpy as np

from .analysis import Analysis
from .bars import BarFinder
from .config import AnalyzeConfig, ProgressCallback, even
from .detect.faces import Scan
from .detect.protocols import Detector, FaceFinder, SaliencyFinder
from .detect.subtitles import SubtitleFinder
from .detections import Detections, Kind, between
from .frames import read_ahead
from .probe import VideoInfo, probe
from .sampling import Sampler
from .shots import CutDetector
from .speaker import MOUTH_GAP_SECONDS, SpeechTrack, speech_activity, with_mouth_activity
from .transitions import Transition, TransitionDetector

_THUMB_LONG_SIDE = 160
# Pixels a second up to which the analysis decodes in one thread (about
# 1080p at 60 fps): up to there one thread keeps ahead of the detectors.
_ONE_DECODING_THREAD_PIXEL_RATE = 1920 * 1080 * 60


class Analyzer:
    """The analysis stage: detectors are built once and reused across files.

    >>> # Analyzer().run("in.mp4") -> Analysis
    """

    def __init__(
        self,
        config: AnalyzeConfig = AnalyzeConfig(),
        *,
        faces: FaceFinder | None = None,
        objects: Detector | None = None,
        saliency: SaliencyFinder | None = None,
        text: Detector | None = None,
    ):
        from .detect import FaceDetector, ObjectDetector, SaliencyDetector, TextDetector

        self.config = config
        self.faces = faces if faces is not None else FaceDetector(confidence=config.face_confidence)
        if objects is not None or not config.detect_objects:
            self.objects = objects
        else:
            self.objects = ObjectDetector(confidence=config.object_confidence)
        self.saliency = saliency if saliency is not None else SaliencyDetector()
        self.text = text if text is not None or not config.detect_text else TextDetector()

    def close(self) -> None:
        for d in (self.faces, self.objects, self.saliency, self.text):
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

        # The voice first (a fast, low-rate audio decode): while someone speaks
        # only mouths may move, and the sampler must not take that for a still picture.
        audio = info.default_audio
        speech = speech_activity(info.path, audio.index) if audio is not None else None
        cuts = CutDetector(info.fps, threshold=cfg.cut_threshold)
        transitions = TransitionDetector(info.fps)
        bars = BarFinder()
        subtitles = SubtitleFinder(info)
        previous: np.ndarray | None = None
        known = Detections.empty()  # faces and people of the last sample, analysis pixels
        people = Detections.empty()  # people of the last object pass, analysis pixels
        samples: dict[int, Detections] = {}
        objects_seen: set[int] = set()  # samples the object model looked at
        text_seen: set[int] = set()  # samples the text model looked at
        n = max(1, info.frame_count)
        # One decoding thread while one keeps ahead of the detectors: FFmpeg's
        # frame threads cost a fifth more CPU time, which the detectors need.
        # Larger or faster pictures need them to keep up.
        threads = 1 if info.width * info.height * float(info.fps) <= _ONE_DECODING_THREAD_PIXEL_RATE else 0
        with FrameReader(info, fast_decode=True, threads=threads) as reader:
            # Three stages on two cores: decoding, cut finding and sampling run
            # ahead in one thread, the object model a sample ahead in another,
            # the face model and saliency here. Mouths are compared with the
            # frame decoded MOUTH_GAP_SECONDS before each sample.
            gap = max(1, round(MOUTH_GAP_SECONDS * float(info.fps)))
            sampled = read_ahead(
                _sampled(reader, Sampler(cfg, speech), cuts, transitions, bars, subtitles, (tw, th), gap), 2
            )
            for frame, scan, new_shot, before, for_voice, rgb, objects, text in read_ahead(
                self._with_objects(sampled, (aw, ah)), 1
            ):
                if new_shot:
                    # A new shot: compare nothing across the cut.
                    previous, known, people = None, Detections.empty(), Detections.empty()
                if for_voice and scan == Scan.HINTS and not np.any(known.kind == Kind.FACE):
                    continue  # sampled to read mouths, but nobody's face is on screen
                if objects is not None:
                    objects_seen.add(frame.index)
                    people = objects[objects.kind == Kind.PERSON]
                found = self._detect(rgb, previous, scan, known, people, objects)
                known = found[found.kind <= Kind.PERSON]
                found = _with_mouths(found, rgb, before, aw, ah)
                if text is not None:
                    text_seen.add(frame.index)
                    found = Detections.concat([found, text])
                samples[frame.index] = found.scaled(*to_source)
                previous = rgb
                if progress:
                    progress("analyze", min(1.0, (frame.index + 1) / n))
        hard = cuts.finish()
        gradual = tuple(transitions.finish())
        found = with_transitions(hard, gradual)
        if self.objects is not None:
            samples = _with_objects_between(samples, objects_seen, found)
        if self.text is not None:
            samples = _with_objects_between(samples, text_seen, found, of=_text_of)
        if progress:
            progress("analyze", 1.0)
        content = bars.content(info.width, info.height)
        speaking = _speech(info, samples, speech)
        return Analysis(info, found, samples, content, speaking, subtitles.finish(found), transitions=gradual)

    def _with_objects(self, sampled, size: tuple[int, int]):
        """Each sample with its picture at the analysis ``size``, the objects
        in it, looked for on the samples that get a face scan of the whole frame
        (None on the others), and its text, looked for on the first of those in
        a shot and then every ``text_scan_every`` seconds (None on the others)."""
        next_text = -np.inf
        for frame, scan, new_shot, before, for_voice in sampled:
            rgb = frame.to_rgb(*size)
            objects = self.objects.detect(rgb) if self.objects is not None and scan >= Scan.WHOLE else None
            if new_shot:
                next_text = -np.inf
            text = None
            if self.text is not None and scan >= Scan.WHOLE and frame.time + 1e-9 >= next_text:
                text = self.text.detect(rgb)
                next_text = frame.time + self.config.text_scan_every
            yield frame, scan, new_shot, before, for_voice, rgb, objects, text

    def _detect(
        self,
        rgb: np.ndarray,
        previous: np.ndarray | None,
        scan: Scan,
        known: Detections,
        people: Detections,
        objects: Detections | None,
    ) -> Detections:
        # Between scans the face model looks only around the faces and people
        # of the last sample and the people of the last object pass.
        faces = self.faces.detect(rgb, scan=scan, hints=Detections.concat([known, people]))
        # Saliency is the fallback signal: the planner uses it only when
        # nothing of a higher kind is on screen, so a sample with a face
        # does without.
        salient = self.saliency.detect(rgb, previous) if not len(faces) else Detections.empty()
        return Detections.concat([faces, Detections.empty() if objects is None else objects, salient])


def with_transitions(cuts, transitions) -> tuple[int, ...]:
    """The hard ``cuts`` and the middle of each transition without one in it, sorted.

    >>> with_transitions([10], [Transition(4, 12, "fade"), Transition(30, 40, "dissolve")])
    (10, 35)
    """
    out = set(cuts)
    for t in transitions:
        if not any(t.first <= c <= t.last + 1 for c in cuts):
            out.add(t.middle)
    return tuple(sorted(out))


def _with_objects_between(
    samples: dict[int, Detections], seen: set[int], cuts: tuple[int, ...], of=None
) -> dict[int, Detections]:
    """``samples`` with the objects (or what ``of`` selects) of the samples the
    model skipped filled in from the passes before and after them in the same shot."""
    of = of or _objects_of
    frames = np.array(sorted(samples))
    passes = np.array(sorted(seen), dtype=np.int64)
    if not len(passes):
        return samples
    shot = np.searchsorted(np.array(cuts, dtype=np.int64), frames, side="right")
    shot_of = dict(zip(frames.tolist(), shot.tolist()))
    out = dict(samples)
    for f in frames:
        if f in seen:
            continue
        i = int(np.searchsorted(passes, f))
        a = int(passes[i - 1]) if i > 0 and shot_of[int(passes[i - 1])] == shot_of[f] else None
        b = int(passes[i]) if i < len(passes) and shot_of[int(passes[i])] == shot_of[f] else None
        if a is None and b is None:
            continue
        objects = [of(samples[k]) for k in (a, b) if k is not None]
        if len(objects) == 2:
            filled = between(objects[0], objects[1], (f - a) / (b - a))
        else:
            filled = objects[0]
        out[f] = Detections.concat([samples[f], filled])
    return out


def _objects_of(found: Detections) -> Detections:
    return found[(found.kind >= Kind.PERSON) & (found.kind <= Kind.OBJECT)]


def _text_of(found: Detections) -> Detections:
    return found[found.kind == Kind.TEXT]


def _with_mouths(found: Detections, rgb: np.ndarray, before, width: int, height: int) -> Detections:
    """Mouth activity of the faces found, from this frame and ``before``, decoded a moment earlier."""
    if before is None or not np.any(found.kind == Kind.FACE):
        return found
    # Both frames through the same (fast, area-averaging) RGB path, so their grey levels compare.
    grey_before = cv2.cvtColor(before.to_rgb(width, height), cv2.COLOR_RGB2GRAY)
    return with_mouth_activity(found, cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), grey_before)


def _speech(info: VideoInfo, samples: dict[int, Detections], track: SpeechTrack | None) -> dict[int, float] | None:
    """Speech probability at each sampled frame."""
    if track is None:
        return None
    frames = sorted(samples)
    times = info.timestamps[np.minimum(frames, len(info.timestamps) - 1)]
    return {f: round(float(p), 3) for f, p in zip(frames, track.at(times))}


def _sampled(
    reader,
    sampler: Sampler,
    cuts: CutDetector,
    transitions: TransitionDetector,
    bars: BarFinder,
    subtitles: SubtitleFinder,
    thumb_size: tuple[int, int],
    gap: int,
):
    """``(frame, scan, new_shot, before, for_voice)`` for each frame the detectors should see.

    Every frame is made a thumbnail for the cut and transition detectors,
    the bar finder and the sampler, and shown to the subtitle finder (which
    looks at a few a second); ``new_shot`` is true on the first sample
    after a cut or after a gradual transition is found;
    ``before`` is the frame decoded ``gap`` frames earlier in the same shot
    (None at a shot's start), for the mouths; ``for_voice`` says the frame is
    a sample only because someone speaks (see :attr:`Sampler.for_voice`).
    """
    new_shot = True
    recent: deque = deque(maxlen=gap)
    for frame in reader:
        thumb = frame.to_rgb(*thumb_size)
        bars.add(thumb)
        subtitles.add(frame)
        hard = cuts.push(frame.index, thumb)
        if transitions.push(frame.index, thumb, hard) or hard:
            sampler.new_shot()  # look at the new shot now, fully
            new_shot = True
            recent.clear()  # compare nothing across the cut
        before = recent[0] if len(recent) == recent.maxlen else None
        recent.append(frame)
        scan = sampler.due(frame.time, thumb)
        if scan is not None:
            yield frame, scan, new_shot, before, sampler.for_voice
            new_shot = False


def analyze(src, config: AnalyzeConfig = AnalyzeConfig(), progress: ProgressCallback | None = None) -> Analysis:
    """Deprecated: :func:`reframe.analyze`."""
    from .pipeline import analyze as public, deprecated

    deprecated("reframe.analyze.analyze", "reframe.analyze")
    return public(src, config, progress=progress)


__all__ = ["Analysis", "Analyzer", "analyze"]
