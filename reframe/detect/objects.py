"""People, animals and handled objects with EfficientDet-Lite0 (COCO classes)."""

from __future__ import annotations

import numpy as np

from ..detections import Detections, Kind
from ..errors import UsageError
from ..geometry import clip_to_frame
from .faces import check_rgb
from .models import OBJECTS, TasksModel, import_mediapipe, load_model

#: COCO classes that are animals the camera should follow.
ANIMALS = frozenset({"bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe"})

#: COCO classes that are scenery rather than subjects: large, static, and
#: detected in most indoor or street shots, they would pull the camera away
#: from what is happening. Dropped inside the model so they do not use up
#: ``max_results``.
BACKGROUND = frozenset(
    {
        "bench", "bed", "chair", "couch", "dining table", "toilet", "tv", "potted plant", "refrigerator",
        "oven", "sink", "microwave", "toaster", "traffic light", "fire hydrant", "stop sign", "parking meter",
        "clock", "vase",
    }
)  # fmt: skip


def kind_of(category: str) -> Kind:
    """The :class:`Kind` of a COCO category name.

    >>> kind_of("person").name, kind_of("dog").name, kind_of("sports ball").name
    ('PERSON', 'ANIMAL', 'OBJECT')
    """
    if category == "person":
        return Kind.PERSON
    if category in ANIMALS:
        return Kind.ANIMAL
    return Kind.OBJECT


class ObjectDetector(TasksModel):
    """Finds people (PERSON), animals (ANIMAL) and other foreground objects
    (OBJECT) in RGB frames, skipping furniture and street fixtures.

    ``confidence``: minimum model score. ``max_results``: at most this many
    boxes per frame, best first. The model sees the frame squeezed into
    320x320: people from ~1/8 of the frame height are found.

    Build once and reuse; not safe to share between threads. Use as a
    context manager or call :meth:`close`.
    """

    def __init__(self, confidence: float = 0.35, *, max_results: int = 10) -> None:
        if not 0 < confidence < 1:
            raise UsageError("object confidence must be between 0 and 1")
        if max_results < 1:
            raise UsageError("max_results must be at least 1")
        # Imported here so that importing reframe stays fast.
        mediapipe = import_mediapipe()
        from mediapipe.tasks.python import BaseOptions, vision

        self.confidence = float(confidence)
        self._mp = mediapipe
        options = vision.ObjectDetectorOptions(
            base_options=BaseOptions(model_asset_buffer=load_model(OBJECTS)),
            running_mode=vision.RunningMode.IMAGE,
            score_threshold=self.confidence,
            max_results=max_results,
            category_denylist=sorted(BACKGROUND),
        )
        self._detector = vision.ObjectDetector.create_from_options(options)

    def detect(self, rgb: np.ndarray) -> Detections:
        """Objects in ``rgb`` (``(h, w, 3)`` uint8), in its pixel coordinates."""
        img = check_rgb(rgb)
        h, w = img.shape[:2]
        result = self._detector.detect(self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=img))
        boxes, scores, kinds = [], [], []
        for d in result.detections:
            if not d.categories:
                continue
            cat = d.categories[0]
            bb = d.bounding_box
            b = clip_to_frame([bb.origin_x, bb.origin_y, bb.origin_x + bb.width, bb.origin_y + bb.height], w, h)
            if b[2] - b[0] < 2 or b[3] - b[1] < 2:
                continue
            boxes.append(b)
            scores.append(cat.score)
            kinds.append(kind_of(cat.category_name or ""))
        if not boxes:
            return Detections.empty()
        return Detections(np.array(boxes, np.float32), np.array(scores, np.float32), np.array(kinds, np.int8))

