"""Adaptive sampling: which frames the detectors see, and what fills the samples between."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from reframe.analyze import Analyzer
from reframe.sampling import Sampler
from reframe.config import AnalyzeConfig
from reframe.detect.faces import Scan
from reframe.detections import Detections, Kind
from reframe.speaker import SpeechTrack

FPS = 30


def _thumb(x: int) -> np.ndarray:
    """A 160x90 grey thumbnail with a 16 px bright square at column ``x``."""
    t = np.full((90, 160, 3), 60, np.uint8)
    t[40:56, x : x + 16] = 220
    return t


def _sampled(thumbs, config=AnalyzeConfig(), cuts=(), speech=None) -> list[tuple[int, Scan]]:
    sampler = Sampler(config, speech)
    out = []
    for i, thumb in enumerate(thumbs):
        if i in cuts:
            sampler.new_shot()
        scan = sampler.due(i / FPS, thumb)
        if scan is not None:
            out.append((i, scan))
    return out


def test_still_picture_is_sampled_at_the_still_rate():
    got = _sampled([_thumb(50)] * (4 * FPS))
    assert [i for i, _ in got] == [0, 30, 60, 90]


def test_moving_subject_is_sampled_at_the_full_rate():
    got = _sampled([_thumb(10 + i) for i in range(2 * FPS)])  # 1 px a frame, 30 px a second
    assert [i for i, _ in got] == list(range(0, 2 * FPS, 6))


def test_a_still_picture_is_sampled_at_the_full_rate_while_someone_speaks():
    # A talking head barely changes the picture; its mouth must still be read often.
    times = np.arange(0, 4, 0.02)
    speech = SpeechTrack(times, ((times >= 1.0) & (times < 2.0)).astype(float))
    got = [i for i, _ in _sampled([_thumb(50)] * (4 * FPS), speech=speech)]
    assert got == [0, 30, 36, 42, 48, 54, 84, 114]  # then 1 s after the last sample again


def test_a_cut_is_sampled_at_once_with_the_fine_scan():
    thumbs = [_thumb(50)] * FPS + [_thumb(100)] * FPS
    got = dict(_sampled(thumbs, cuts=(40,)))
    assert got[0] == Scan.FINE and got[40] == Scan.FINE
    # Within a shot the fine scan waits fine_scan_every seconds; the whole frame is scanned in between.
    assert got[30] == Scan.WHOLE


def test_scans_in_a_long_shot_follow_their_intervals():
    config = AnalyzeConfig(whole_scan_every=1.0, fine_scan_every=2.0)
    moving = [_thumb(10 + i % 120) for i in range(6 * FPS)]  # sampled 5 times a second
    got = _sampled(moving, config)
    assert [i for i, s in got if s == Scan.FINE] == [0, 60, 120]
    assert [i for i, s in got if s == Scan.WHOLE] == [30, 90, 150]
    # Between the scans only the known faces and people are looked at.
    assert [i for i, s in got if s == Scan.HINTS] == [i for i in range(0, 6 * FPS, 6) if i % 30]


class _MovingDog:
    """An object model that sees a dog 10 px further right on each call, and counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def detect(self, rgb):
        x = 10.0 * self.calls
        self.calls += 1
        return Detections(np.array([[x, 0, x + 40, 30]], np.float32), [0.8], [Kind.ANIMAL])


class _Nothing:
    def detect(self, *args, **kwargs):
        return Detections.empty()


def test_objects_are_looked_for_on_scans_and_moved_between_them(moving_face_clip):
    dog = _MovingDog()
    config = AnalyzeConfig(whole_scan_every=0.5)
    with Analyzer(config, faces=_Nothing(), objects=dog, saliency=_Nothing()) as analyzer:
        analysis = analyzer.run(moving_face_clip.path)
    frames = sorted(analysis.samples)
    assert dog.calls < len(frames) / 2  # the object model skips most samples
    xs = [float(analysis.samples[f].xyxy[analysis.samples[f].kind == Kind.ANIMAL][0, 0]) for f in frames]
    # Every sample has the dog; between two passes it moves on steadily, after the last one it stays.
    assert all(b >= a for a, b in itertools.pairwise(xs))
    assert len(set(xs)) > dog.calls + 3


class _OneFace:
    """A face model that always sees one face."""

    def detect(self, rgb, scan=Scan.FINE, hints=None):
        return Detections(np.array([[100, 100, 160, 170]], np.float32), [0.9], [Kind.FACE])


@pytest.mark.slow
def test_a_voice_keeps_the_full_rate_only_while_a_face_is_on_screen(tmp_path):
    from test_speaker import dialogue

    clip = dialogue(tmp_path / "talk.mp4", [(0.0, 6.0, 0)], 6.0)  # someone speaks throughout

    def per_second(faces) -> float:
        with Analyzer(AnalyzeConfig(), faces=faces, objects=_Nothing(), saliency=_Nothing()) as analyzer:
            analysis = analyzer.run(clip)
        assert analysis.speech is not None and max(analysis.speech.values()) > 0.5
        return len(analysis.samples) / 6.0

    assert per_second(_OneFace()) > 4.0  # mouths to read: the full rate
    # Narration over a picture with nobody in it: only the regular whole-frame looks.
    assert per_second(_Nothing()) < 2.5
