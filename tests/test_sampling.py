"""Adaptive sampling: which frames the detectors see (no video needed)."""

from __future__ import annotations

import numpy as np

from reframe.analyze import Sampler
from reframe.config import AnalyzeConfig
from reframe.speaker import SpeechTrack

FPS = 30


def _thumb(x: int) -> np.ndarray:
    """A 160x90 grey thumbnail with a 16 px bright square at column ``x``."""
    t = np.full((90, 160, 3), 60, np.uint8)
    t[40:56, x : x + 16] = 220
    return t


def _sampled(thumbs, config=AnalyzeConfig(), cuts=(), speech=None) -> list[tuple[int, bool]]:
    sampler = Sampler(config, speech)
    out = []
    for i, thumb in enumerate(thumbs):
        if i in cuts:
            sampler.new_shot()
        full = sampler.due(i / FPS, thumb)
        if full is not None:
            out.append((i, full))
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
    assert got[0] is True and got[40] is True
    # Within a shot the fine scan waits full_scan_every seconds; samples in between use hints.
    assert got[30] is False


def test_fine_scan_every_full_scan_every_seconds_in_a_long_shot():
    config = AnalyzeConfig(full_scan_every=2.0)
    got = _sampled([_thumb(50)] * (6 * FPS), config)
    assert [i for i, full in got if full] == [0, 60, 120]
