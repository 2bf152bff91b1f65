"""Locate the detection models shipped with reframe and check their integrity.

The models are package data of ``reframe.models``. Each is verified against
its known SHA-256 before use, so a truncated or replaced file fails with one
clear error instead of a crash or silently wrong detections deep inside the
inference runtime.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import importlib.resources
import sys
import threading
import types
from importlib.resources.abc import Traversable
from pathlib import Path

from ..errors import ReframeError

FACE_FULL_RANGE = "face_detection_full_range_sparse.tflite"
FACE_SHORT_RANGE = "face_detection_short_range.tflite"
OBJECTS = "efficientdet_lite0.tflite"
TEXT = "ch_PP-OCRv4_det_infer.onnx"

#: Expected SHA-256 of every shipped model (also listed in models/README.md).
MODEL_SHA256: dict[str, str] = {
    FACE_FULL_RANGE: "2c3728e6da56f21e21a320433396fb06d40d9088f2247c05e5635a688d45dfe1",
    FACE_SHORT_RANGE: "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8",
    OBJECTS: "0720bf247bd76e6594ea28fa9c6f7c5242be774818997dbbeffc4da460c723bb",
    TEXT: "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9",
}


class ModelError(ReframeError):
    """A shipped detection model is missing, unreadable or corrupt."""


_cache: dict[tuple[str, str], bytes] = {}
_lock = threading.Lock()


def load_model(name: str, directory: Traversable | Path | str | None = None) -> bytes:
    """The verified bytes of the shipped model ``name``.

    ``directory`` overrides where the file is looked up (default: the
    ``reframe.models`` package). Bytes are hashed once per process and cached,
    and handed to the runtime from memory so that what runs is what was
    verified.

    Raises :class:`ModelError` if the model is unknown, missing or its
    checksum does not match.
    """
    expected = MODEL_SHA256.get(name)
    if expected is None:
        raise ModelError(f"unknown model {name!r}; shipped models: {', '.join(sorted(MODEL_SHA256))}")
    root = importlib.resources.files("reframe.models") if directory is None else directory
    path = Path(root) / name if isinstance(root, (str, Path)) else root / name
    key = (name, str(path))
    with _lock:
        if key in _cache:
            return _cache[key]
        try:
            data = path.read_bytes()
        except OSError as e:
            raise ModelError(
                f"detection model {name} cannot be read ({e.strerror or e}); reinstall reframe"
            ) from e
        digest = hashlib.sha256(data).hexdigest()
        if digest != expected:
            raise ModelError(
                f"detection model {name} is corrupt (sha256 {digest[:12]}..., expected {expected[:12]}...); "
                "reinstall reframe"
            )
        _cache[key] = data
        return data


def import_mediapipe() -> types.ModuleType:
    """The ``mediapipe`` module, imported without loading ``matplotlib.pyplot``.

    MediaPipe's vision package imports its drawing helpers, which import
    pyplot (0.2 s, about 5 % of analysing a 24 s clip) for one plotting
    function reframe never calls; mediapipe pull request 5830 would defer it
    upstream. Unless pyplot is loaded already, those helpers get a stand-in
    that loads the real pyplot the first time they use it, and the stand-in
    is gone from ``sys.modules`` once MediaPipe is imported: anything else
    that imports pyplot later gets the real one.
    """
    stand_in = "mediapipe" not in sys.modules and "matplotlib.pyplot" not in sys.modules
    if stand_in:
        sys.modules["matplotlib.pyplot"] = _DeferredModule("matplotlib.pyplot")
    try:
        import mediapipe
    finally:
        if stand_in:
            del sys.modules["matplotlib.pyplot"]
    return mediapipe


class _DeferredModule(types.ModuleType):
    """Stands in for a module not imported yet; the first attribute asked for imports it."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__spec__ = importlib.machinery.ModuleSpec(name, None)  # what the import system checks

    def __getattr__(self, attr: str):  # only for attributes the stand-in lacks: all but the module's own
        return getattr(importlib.import_module(self.__name__), attr)


class TasksModel:
    """Lifetime of a MediaPipe Tasks detector held in ``self._detector``:
    :meth:`close` releases it once; usable as a context manager."""

    _detector = None

    def close(self) -> None:
        """Release the model."""
        if self._detector is not None:
            self._detector.close()
            self._detector = None

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
