"""Shot boundaries: where the picture cuts, so the camera never pans across one.

PySceneDetect's adaptive content detector does the scoring (HSV and edge
change against a rolling average, robust to camera motion); reframe feeds it
the small frames its own single decoding pass already makes, instead of
letting it decode the file a second time.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np


class CutDetector:
    """Finds hard cuts from a stream of small frames.

    Feed every frame in order with :meth:`push`; cuts come back a couple of
    frames late (the detector compares each frame with its neighbours).
    Call :meth:`finish` at the end to get the remaining ones.

    ``threshold`` is the ratio of a frame's content change to the rolling
    average around it; ``min_shot`` the shortest shot in seconds.
    """

    def __init__(self, fps: Fraction | float, threshold: float = 3.0, min_shot: float = 0.4, min_change: float = 15.0):
        # Imported here, as the other heavy libraries are, so that importing
        # reframe (and rendering a saved path) does not load them.
        from scenedetect import FrameTimecode
        from scenedetect.detectors import AdaptiveDetector

        self._timecode = FrameTimecode
        self._fps = Fraction(fps).limit_denominator(1_000_000) if not isinstance(fps, Fraction) else fps
        self._detector = AdaptiveDetector(
            adaptive_threshold=threshold,
            min_scene_len=max(1, int(round(min_shot * float(self._fps)))),
            min_content_val=min_change,
        )
        self._last = -1
        self._cuts: list[int] = []

    def push(self, index: int, rgb_small: np.ndarray) -> list[int]:
        """Add frame ``index`` (an RGB image, 64-256 px wide is plenty). Returns newly found cuts."""
        self._last = index
        tc = self._timecode(index, fps=self._fps)
        # PySceneDetect expects BGR.
        found = self._detector.process_frame(tc, np.ascontiguousarray(rgb_small[:, :, ::-1]))
        return self._accept(found)

    def finish(self) -> list[int]:
        """Flush buffered frames; returns every cut found, sorted."""
        if self._last >= 0:
            self._accept(self._detector.post_process(self._timecode(self._last, fps=self._fps)))
        return sorted(self._cuts)

    def _accept(self, found) -> list[int]:
        new = [int(tc.frame_num) for tc in found if int(tc.frame_num) > 0]
        new = [f for f in new if f not in self._cuts]
        self._cuts.extend(new)
        return new


def shot_ranges(cuts: list[int], frame_count: int) -> list[tuple[int, int]]:
    """``[start, end)`` ranges of the shots between ``cuts``.

    >>> shot_ranges([10, 25], 40)
    [(0, 10), (10, 25), (25, 40)]
    """
    edges = [0, *sorted(c for c in set(cuts) if 0 < c < frame_count), frame_count]
    return list(zip(edges[:-1], edges[1:]))
