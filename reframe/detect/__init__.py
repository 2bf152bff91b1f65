"""Detectors of what the virtual camera must keep in frame.

Each is a stage object: settings in ``__init__``, one frame per ``detect``
call, reusable, and a context manager releasing its model on exit.

* :class:`FaceDetector`: heads (kind FACE), from close-ups down to ~1/20 of
  the frame height.
* :class:`ObjectDetector`: people, animals and handled objects (COCO classes).
* :class:`SaliencyDetector`: salient and moving regions (kind SALIENT) for
  scenes with nobody in them.
* :class:`TextDetector`: lines of on-screen text (kind TEXT): titles, signs, lower thirds.
"""

from __future__ import annotations

from .faces import FaceDetector
from .heads import HeadBox
from .models import ModelError, load_model
from .objects import ObjectDetector
from .saliency import SaliencyDetector
from .text import TextDetector

__all__ = ["FaceDetector", "HeadBox", "ModelError", "ObjectDetector", "SaliencyDetector", "TextDetector", "load_model"]
