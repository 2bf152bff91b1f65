"""Gradual transitions: the detector on generated frames with exact ground truth, and the planner holding still."""

from __future__ import annotations

import numpy as np
import pytest

from reframe.analyze import Analysis, with_transitions
from reframe.pathsolver import solve_path
from reframe import plan
from reframe.testing import transition_media as tm
from reframe.transitions import Transition, TransitionDetector, shot_note, still_frames

FPS = 25


def detect(seq: tm.Sequence, cuts=()) -> list[Transition]:
    det = TransitionDetector(FPS)
    for i, thumb in enumerate(tm.thumbnails(seq)):
        det.push(i, thumb, [c for c in cuts if c == i])
    return det.finish()


def assert_found(found: list[Transition], truth, kind: str) -> None:
    assert len(found) == len(truth), found
    for t, (first, last) in zip(found, truth):
        # The mix's faintest frames are indistinguishable from its ends.
        slack = max(2, round(0.1 * (last - first + 1)))
        assert abs(t.first - first) <= slack and abs(t.last - last) <= slack, (t, (first, last))
        assert t.kind == kind


def test_cross_dissolve_is_found_with_its_frames() -> None:
    seq = tm.dissolve(length=15)
    assert_found(detect(seq), seq.transitions, "dissolve")


@pytest.mark.parametrize("length", [6, 40])
def test_short_and_long_dissolves(length: int) -> None:
    seq = tm.dissolve(length=length)
    assert_found(detect(seq), seq.transitions, "dissolve")


def test_fade_out_and_in_through_black_are_two_fades() -> None:
    seq = tm.fade_through_black(length=12, black=8)
    assert_found(detect(seq), seq.transitions, "fade")


@pytest.mark.parametrize("black", [0, 1])
def test_dip_to_black_without_a_held_black_frame_is_one_fade(black: int) -> None:
    # Down to black and straight back up: the black end never comes to rest.
    seq = tm.fade_through_black(length=10, black=black)
    (out_first, _), (_, in_last) = seq.transitions
    assert_found(detect(seq), [(out_first, in_last)], "fade")
    (t,) = detect(seq)
    assert abs(t.middle - (out_first + 10 + black / 2)) <= 2


def test_wipe_is_found() -> None:
    seq = tm.wipe(length=15)
    assert_found(detect(seq), seq.transitions, "wipe")


@pytest.mark.parametrize(
    "make",
    [
        tm.pan,
        lambda: tm.pan(distance=0.1, length=12),
        tm.zoom,
        tm.walk_across,
        tm.light_change,
        lambda: tm.light_change(dim=0.8),
    ],
    ids=["pan", "short-pan", "zoom", "walk", "light", "slight-light"],
)
def test_motion_and_light_are_not_transitions(make) -> None:
    assert detect(make()) == []


@pytest.mark.slow  # analysis of an encoded clip
def test_encoded_pan_is_not_a_transition(tmp_path) -> None:
    from reframe import analyze

    analysis = analyze(tm.pan().encode(tmp_path / "pan.mp4", fps=FPS))
    assert analysis.transitions == () and analysis.cuts == ()


def test_still_and_hard_cut_are_not_transitions() -> None:
    a = tm.dissolve(length=1)  # one mixed frame: as good as a hard cut
    assert detect(a, cuts=(30,)) == []
    still = tm.light_change(dim=1.0)
    assert detect(still) == []


def test_fade_in_may_start_at_a_hard_cut() -> None:
    seq = tm.fade_through_black(black=8)
    # A cut detector firing on the first frame of the fade in.
    first_in = seq.transitions[1][0]
    found = detect(seq, cuts=(first_in,))
    assert len(found) == 2 and abs(found[1].first - first_in) <= 2


def test_cuts_get_the_middle_of_transitions_without_a_hard_cut() -> None:
    found = [Transition(10, 19, "dissolve"), Transition(40, 49, "fade")]
    assert with_transitions([42, 80], found) == (15, 42, 80)
    assert with_transitions([], []) == ()


def test_still_frames_and_notes() -> None:
    t = [Transition(10, 19, "dissolve")]
    assert still_frames(t, 0, 15).tolist() == [False] * 10 + [True] * 5
    assert still_frames(t, 15, 30).tolist() == [True] * 5 + [False] * 10
    assert "ends in a dissolve" in shot_note(t, 0, 15)
    assert "starts after a dissolve" in shot_note(t, 15, 30)
    assert shot_note(t, 30, 40) == ""


def test_solver_holds_still_on_marked_frames() -> None:
    n = 120
    target = np.linspace(200, 800, n)  # a subject crossing: the window would pan all along
    still = np.zeros(n, bool)
    still[40:70] = True
    c = solve_path(target, target - 40, target + 40, size=300, extent=1000, max_step=20, dead_zone=10, still=still)
    assert np.ptp(c[40:70]) == 0
    assert np.ptp(c[:40]) > 50 and np.ptp(c[70:]) > 50
    # Long shots are solved on a coarser grid: held there too.
    n = 3000
    target = np.linspace(200, 800, n)
    still = np.zeros(n, bool)
    still[1000:1100] = True
    c = solve_path(target, target - 40, target + 40, size=300, extent=1000, max_step=20, dead_zone=10, still=still)
    assert np.ptp(c[1000:1100]) == 0


def test_planner_holds_the_window_still_through_a_dissolve() -> None:
    from test_plan import heads, info

    n = 100
    t = Transition(40, 59, "dissolve")
    # The subject drifts right all along, across the dissolve too.
    samples = {f: heads(500 + 8 * f) for f in range(0, n, 5)}
    analysis = Analysis(info(n), with_transitions([], [t]), samples, transitions=(t,))
    path = plan(analysis)
    x = np.array([path.window(f)[0] for f in range(n)])
    assert np.ptp(x[40:50]) == 0 and np.ptp(x[50:60]) == 0
    assert np.ptp(x[:40]) > 0 or np.ptp(x[60:]) > 0  # it does follow elsewhere
    assert [s.start for s in path.shots] == [0, 50]
    assert "ends in a dissolve" in path.shots[0].note
    assert "starts after a dissolve" in path.shots[1].note


# Analyses of encoded clips: the dissolve stays in the quick run, the other two are slow.
@pytest.mark.parametrize(
    "make",
    [tm.dissolve, pytest.param(tm.fade_through_black, marks=pytest.mark.slow), pytest.param(tm.wipe, marks=pytest.mark.slow)],
    ids=["dissolve", "fade", "wipe"],
)
def test_encoded_transition_is_a_still_shot_boundary(make, tmp_path) -> None:
    from reframe import analyze

    seq = make()
    analysis = analyze(seq.encode(tmp_path / "clip.mp4", fps=FPS))
    assert len(analysis.transitions) == len(seq.transitions), analysis.transitions
    path = plan(analysis)
    for t, (first, last) in zip(analysis.transitions, seq.transitions):
        slack = max(2, round(0.1 * (last - first + 1)))
        assert abs(t.first - first) <= slack and abs(t.last - last) <= slack
        # One boundary in it (its middle, or a hard cut), and no pan on either side of it.
        inside = [c for c in analysis.cuts if t.first <= c <= t.last + 1]
        assert len(inside) == 1
        boundary = inside[0]
        x = np.array([path.window(f)[:2] for f in range(t.first, t.last + 1)])
        assert np.ptp(x[: boundary - t.first], axis=0).max() == 0
        assert np.ptp(x[boundary - t.first :], axis=0).max() == 0
    # The people before and after are framed: the window does jump at the boundary.
    heads_first, heads_last = seq.heads[0][0], seq.heads[-1][0]
    for f, head in ((0, heads_first), (len(seq.frames) - 1, heads_last)):
        x, _, w, _ = path.window(f)
        assert x <= head[0] and head[0] + head[2] <= x + w
