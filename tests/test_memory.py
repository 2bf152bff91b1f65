"""Memory is bounded by a few frames whatever the clip's length.

Analysis and render stream frame by frame: the number of decoded frames
alive at once, and the Python-side memory peak, must not grow with the
clip. A short and a ten-times-longer clip are compared (no timing).
"""

from __future__ import annotations

import threading
import tracemalloc

import pytest

from reframe import frames
from reframe.analyze import Analyzer
from reframe.config import AnalyzeConfig, Aspect, RenderConfig
from reframe.croppath import CropPath, SourceRef
from reframe.detections import Detections
from reframe.probe import probe
from reframe import render
from reframe.testing import lavfi


class _Nothing:
    """A detector that finds nothing: the test is about buffers, not models."""

    def detect(self, rgb, *args, **kwargs) -> Detections:
        return Detections.empty()


class _CountedFrame(frames.VideoFrame):
    """A decoded frame that counts how many of its kind are alive (each holds a decoded picture).

    Counting this way, rather than by scanning the garbage collector's
    objects, is safe while the read-ahead threads are building objects.
    """

    __slots__ = ()
    live = 0
    lock = threading.Lock()

    def __init__(self, *args) -> None:
        super().__init__(*args)
        with _CountedFrame.lock:
            _CountedFrame.live += 1

    def __del__(self) -> None:
        with _CountedFrame.lock:
            _CountedFrame.live -= 1


class _Watch:
    """A progress callback that records the most frames ever alive at once."""

    def __init__(self) -> None:
        self.most = 0

    def __call__(self, stage: str, done: float) -> None:
        self.most = max(self.most, _CountedFrame.live)


@pytest.fixture(autouse=True)
def _count_frames(monkeypatch):
    monkeypatch.setattr(frames, "VideoFrame", _CountedFrame)


def _peaks(path, work) -> tuple[int, int, int, int]:
    """Most live frames and Python memory peak (bytes) during analysis, then during render."""
    info = probe(path)
    # Sample every frame at the highest rate: the most buffers the analysis ever holds.
    config = AnalyzeConfig(sample_fps=60, still_sample_fps=60)
    watch = _Watch()
    tracemalloc.start()
    try:
        with Analyzer(config, faces=_Nothing(), objects=_Nothing(), saliency=_Nothing()) as analyzer:
            analysis = analyzer.run(info, watch)
        analysis_peak = tracemalloc.get_traced_memory()[1]
        assert len(analysis.samples) == info.frame_count
        tracemalloc.reset_peak()
        render_watch = _Watch()
        crop = CropPath.centered(SourceRef.from_info(info), Aspect(9, 16))
        render(path, crop, work / f"{path.stem}_out.mp4", RenderConfig(size="180x320", preset="ultrafast", overwrite=True),
               render_watch, info=info)
        render_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return watch.most, analysis_peak, render_watch.most, render_peak


@pytest.mark.slow
def test_long_clip_holds_no_more_frames_than_a_short_one(tmp_path):
    # The short clip is long enough to fill the analysis' fixed look-back buffers (the
    # transition detector keeps the last 2.7 s of small thumbnails): those are bounded, not growing.
    short = lavfi.clip(tmp_path / "short.mp4", rate="10", duration=4.0)
    long = lavfi.clip(tmp_path / "long.mp4", rate="10", duration=15.0)
    # Once first, so one-off allocations (imports, caches) count in neither; on the long clip,
    # whose detectors reach code (a candidate transition, a text line) the short one may not.
    _peaks(long, tmp_path)
    s_frames, s_analysis, s_render_frames, s_render = _peaks(short, tmp_path)
    l_frames, l_analysis, l_render_frames, l_render = _peaks(long, tmp_path)
    # A few frames in flight, never a growing buffer: the read-ahead queues hold
    # a sample and the frame decoded just before it (for the mouths) per slot.
    # How full they are at a given moment depends on the threads' timing, so the
    # bound is fixed, far below the 150 frames of the long clip.
    in_flight = 16
    assert 0 < s_frames <= in_flight and 0 < l_frames <= in_flight, (s_frames, l_frames)
    assert 0 < s_render_frames <= in_flight and 0 < l_render_frames <= in_flight, (s_render_frames, l_render_frames)
    # One 320x180 RGB frame is 170 kB: the 110 more frames of the long clip, held, would be 19 MB.
    frame_bytes = 320 * 180 * 3
    # Every frame is a sample here: its detections (with objects and text carried between passes)
    # take up to a few kB, far less than a frame.
    extra_samples = 110
    assert l_analysis < s_analysis + 2 * frame_bytes + 5000 * extra_samples, (s_analysis, l_analysis)
    assert l_render < s_render + 2 * frame_bytes, (s_render, l_render)
