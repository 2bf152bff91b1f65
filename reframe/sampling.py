"""Which frames the detectors see: the sampler of the analysis' one decoding pass."""

from __future__ import annotations

import cv2
import numpy as np

from .config import AnalyzeConfig
from .detect.faces import Scan
from .speaker import SpeechTrack


class Sampler:
    """Decides which frames the detectors see, from the thumbnails of all frames.

    A frame is sampled when a shot starts, when ``1 / still_sample_fps``
    seconds passed since the last sample, or, no sooner than
    ``1 / sample_fps`` after it, when the picture changed since the last
    sample: more than ``sample_change`` of the thumbnail's pixels moved by
    more than a few grey levels (someone moving, a pan, a newcomer), or
    while ``speech`` says someone speaks (a talking head changes few
    pixels, yet its mouth must be read often). Each sample also gets the
    face scan it is due (:class:`Scan`): the first sample of a shot the fine
    one, then the fine one every ``fine_scan_every`` seconds and the whole
    frame every ``whole_scan_every`` seconds; known faces are followed in
    between. :attr:`for_voice` tells whether the last sample was taken only
    because someone speaks: with no face on screen it has no mouth to read.

    >>> # scan = sampler.due(frame.time, thumb); None: not a sample
    """

    # Grey levels a thumbnail pixel must change by to count as moved (compression noise stays below).
    MOVED = 20

    def __init__(self, config: AnalyzeConfig, speech: SpeechTrack | None = None) -> None:
        self.speech = speech
        self.min_gap = 1.0 / config.sample_fps
        self.max_gap = 1.0 / config.still_sample_fps
        self.change = config.sample_change
        self.fine_every = config.fine_scan_every
        self.whole_every = config.whole_scan_every
        self.new_shot()

    def new_shot(self) -> None:
        self._last_time = -np.inf
        self._next_fine = self._next_whole = -np.inf
        self._last_grey: np.ndarray | None = None
        self.for_voice = False

    def due(self, time: float, thumb: np.ndarray) -> Scan | None:
        """None when this frame is not a sample, else the face scan it gets."""
        gap = time - self._last_time
        if gap + 1e-9 < self.min_gap:
            return None
        grey = np.ascontiguousarray(thumb[..., 1])  # green: close to luma
        self.for_voice = False
        if gap + 1e-9 < self.max_gap and self._last_grey is not None:
            moved = np.count_nonzero(cv2.absdiff(grey, self._last_grey) > self.MOVED)
            if moved < self.change * grey.size:
                if not self._speaking(time):
                    return None
                self.for_voice = True
        self._last_time = time
        self._last_grey = grey.copy()
        if time + 1e-9 >= self._next_fine:
            self._next_fine = time + self.fine_every
            self._next_whole = time + self.whole_every
            return Scan.FINE
        if time + 1e-9 >= self._next_whole:
            self._next_whole = time + self.whole_every
            return Scan.WHOLE
        return Scan.HINTS

    def _speaking(self, time: float) -> bool:
        return self.speech is not None and float(self.speech.at([time])[0]) >= 0.5
