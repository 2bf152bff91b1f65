"""What the analysis asks of a detector: the contracts a plug-in implements.

:class:`reframe.Analyzer` takes one detector per role (``faces``,
``objects``, ``saliency``, ``text``); each role is a protocol below, so any
object with a matching ``detect`` method fits, no base class needed. A
``close()`` method, when present, is called when the analyzer closes.
Frames are RGB ``uint8`` arrays of shape ``(height, width, 3)`` at the
analysis size; boxes come back in the pixels of that frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from ..detections import Detections
    from .faces import Scan


@runtime_checkable
class Detector(Protocol):
    """Finds boxes on one frame (the ``objects`` and ``text`` roles)."""

    def detect(self, rgb: np.ndarray) -> Detections: ...


@runtime_checkable
class FaceFinder(Protocol):
    """Finds faces (kind FACE) on one frame (the ``faces`` role).

    ``scan`` says how thoroughly to look (:class:`Scan`); ``hints`` are the
    faces and people known from the last sample, around which a quick scan
    looks.
    """

    def detect(self, rgb: np.ndarray, scan: Scan = ..., hints: Detections | None = None) -> Detections: ...


@runtime_checkable
class SaliencyFinder(Protocol):
    """Finds salient and moving regions (kind SALIENT) on one frame (the ``saliency`` role).

    ``previous_rgb`` is the last sample of the same shot (None at its start).
    """

    def detect(self, rgb: np.ndarray, previous_rgb: np.ndarray | None = None) -> Detections: ...


__all__ = ["Detector", "FaceFinder", "SaliencyFinder"]
