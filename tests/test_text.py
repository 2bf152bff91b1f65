"""On-screen text: the detector on generated pictures, the planner's rules on hand-made detections."""

from __future__ import annotations

import numpy as np
import pytest

from reframe.detect import TextDetector
from reframe.detections import Kind

pytest.importorskip("skimage.data")
pytest.importorskip("PIL")

import textcards  # noqa: E402


@pytest.fixture(scope="module")
def texts():
    with TextDetector() as det:
        yield det


def _covers(found: np.ndarray, truth: np.ndarray, slack: float, cell: float = 4.0) -> bool:
    """``found`` holds ``truth`` to within ``cell`` px (a pixel of the network's
    probability map) and is no more than ``slack`` px larger on any side."""
    inside = np.all(found[:2] <= truth[:2] + cell) and np.all(found[2:] >= truth[2:] - cell)
    tight = np.all(np.abs(found - truth) <= slack)
    return bool(inside and tight)


@pytest.mark.parametrize("background", ["rocket", "coffee", "chelsea", "brick"])
def test_finds_a_title_and_a_lower_third(texts, background):
    img = textcards.background(background, 960, 540)
    title = textcards.draw_text(img, "THE LONG WAY HOME", 64, (480, 200))
    lower = textcards.draw_text(img, "Ada Lovelace, engineer", 30, (250, 460))
    found = texts.detect(img)
    assert np.all(found.kind == Kind.TEXT)
    assert len(found) == 2, found.xyxy
    order = np.argsort(found.xyxy[:, 1])
    assert _covers(found.xyxy[order[0]], title, slack=30)
    assert _covers(found.xyxy[order[1]], lower, slack=30)
    assert np.all(found.confidence > 0.6)


def test_no_text_no_boxes(texts):
    for background in ("rocket", "coffee", "chelsea"):
        assert len(texts.detect(textcards.background(background, 960, 540))) == 0


def test_boxes_in_the_given_pictures_pixels(texts):
    img = textcards.background("coffee", 1280, 720)
    title = textcards.draw_text(img, "CHAPTER ONE", 90, (640, 360))
    found = texts.detect(img)
    assert len(found) == 1 and _covers(found.xyxy[0], title, slack=40)
