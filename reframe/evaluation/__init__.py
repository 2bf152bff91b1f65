"""Evaluation of crop paths against hand-made ground truth, for the benchmarks and the tests.

Not part of reframe's pipeline: nothing in it is imported by probe, analyze,
plan or render. :mod:`.annotations` reads the ground truth of a clip,
:mod:`.metrics` scores per-frame windows against it (coverage,
magnification, sliced faces), :mod:`.motion` measures how the window moves.
"""

from .annotations import Annotation, Keyframe, crowd_shots, load_annotation, still_shots
from .metrics import KeyframeResult, Pooled, QualityScore, clip_box, inside_share, pool, ratio, required_share, score
from .motion import motion_after_cuts, steadiness

__all__ = [
    "Annotation", "Keyframe", "KeyframeResult", "Pooled", "QualityScore", "clip_box", "crowd_shots", "inside_share",
    "load_annotation", "motion_after_cuts", "pool", "ratio", "required_share", "score", "steadiness", "still_shots",
]
