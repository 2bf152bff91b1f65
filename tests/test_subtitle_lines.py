"""How the subtitle finder tells a new line's strokes from the scenery around it, on plain masks."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from reframe.detect.subtitles import SubtitleFinder


def bottom_strip():
    """The bottom strip of a 1280x720 picture (480 px wide) and an empty mask of new strokes."""
    finder = SubtitleFinder(SimpleNamespace(width=1280, height=720, fps=25))
    zone = finder.zones[0]
    return zone, np.zeros(zone.size[::-1], np.uint8)


def letters(mask: np.ndarray, x0: int, x1: int, y: int, h: int, pitch: int = 12) -> None:
    """Letter-like strokes between ``x0`` and ``x1`` on rows ``y``..``y + h``, a letter
    every ``pitch`` columns, words a space apart."""
    for x in range(x0, x1 - 8, pitch):
        if (x - x0) % (5 * pitch) < 4 * pitch:
            mask[y : y + h, x : x + 3] = 255
            for bar in (y, y + h // 2 - 1, y + h - 2):
                mask[bar : bar + 2, x : x + 8] = 255


def test_a_centred_line_is_found_with_scenery_resting_a_word_gap_beside_it():
    zone, new = bottom_strip()
    letters(new, 170, 310, 40, 14)
    # Edges of the scene that came to rest at the same moment, left of the line.
    for x in range(40, 160, 20):
        new[42:54, x : x + 12] = 255
    (x, y, w, h), = zone._blocks(new)
    assert 165 <= x <= 172 and 294 <= x + w <= 302, (x, w)
    assert 38 <= y <= 41 and 52 <= y + h <= 56, (y, h)


def test_two_lines_in_a_box_are_one_block():
    # Close lines of dense glyphs: each lies within half a line's height of the other.
    zone, new = bottom_strip()
    new[34:36, 130:350] = new[76:78, 130:350] = 255  # the box's edges
    new[34:78, 130:132] = new[34:78, 348:350] = 255
    letters(new, 140, 340, 37, 17, pitch=4)
    letters(new, 170, 310, 58, 17, pitch=6)
    (x, y, w, h), = zone._blocks(new)
    assert y <= 37 and y + h >= 75, (y, h)


def test_scenery_all_over_is_no_line():
    zone, new = bottom_strip()
    rng = np.random.default_rng(1)
    for _ in range(40):
        x, y = int(rng.integers(0, 460)), int(rng.integers(0, 80))
        new[y : y + 14, x : x + 16] = 255
    letters(new, 170, 310, 40, 14)
    assert zone._blocks(new) == []


def test_strokes_too_small_to_read_are_no_line():
    # 2.6 % of the picture's height: scenery detail (shoes on a pavement), not subtitles.
    zone, new = bottom_strip()
    letters(new, 170, 310, 40, 7)
    assert zone._blocks(new) == []
    # 4.4 %: small subtitles.
    zone, new = bottom_strip()
    letters(new, 170, 310, 40, 12)
    (x, y, w, h), = zone._blocks(new)
    assert 11 <= h <= 13, h
