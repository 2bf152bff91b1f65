"""Active speaker: the voice, the moving mouths, and the planner following them.

The dialogue clips are generated: two astronauts far apart, one mouth
animated at a time in sync with syllable-like tone bursts in the audio.
"""

from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from reframe import analyze, plan
from reframe.detections import Detections, Kind
from reframe.speaker import (
    HOLD_SECONDS,
    mouth_activity,
    speaker_track,
    speech_activity,
    speech_probability,
)
from reframe.testing import media

W, H, FPS = 960, 540, 25
HEADS = ((220.0, 190.0, 150.0), (740.0, 190.0, 150.0))  # centre x, centre y, head height
SYLLABLES_HZ = 4.0


def syllables(t: np.ndarray) -> np.ndarray:
    """Loudness of a voice (and opening of its mouth) in [0, 1]: four syllables a second."""
    return np.clip(np.sin(2 * np.pi * SYLLABLES_HZ * t), 0, None)


def who_speaks(turns: list[tuple[float, float, int]], t: np.ndarray) -> np.ndarray:
    """Index of the speaker at each time (-1: nobody); ``turns`` are (start, end, person)."""
    out = np.full(len(t), -1)
    for a, b, who in turns:
        out[(t >= a) & (t < b)] = who
    return out


def mouth_centre(cx: float, cy: float, hh: float, mirrored: bool) -> tuple[float, float]:
    # The astronaut's mouth is at (223, 145) of the photo, her head box centre at (227.5, 96.5).
    s = hh / media.ASTRONAUT_HEAD[3]
    dx = (223 - 227.5) * s
    return cx + (-dx if mirrored else dx), cy + (145 - 96.5) * s


def dialogue(path: Path, turns: list[tuple[float, float, int]], seconds: float, audio: bool = True) -> Path:
    """Write a two-person clip where ``turns`` say who speaks when; return its path."""
    mirror = (False, True)
    still = media.compose_frame(W, H, HEADS, background="grass", noise=0, mirror=mirror)
    n = int(round(seconds * FPS))
    rng = np.random.default_rng(3)

    def frames():
        for i in range(n):
            t = np.array([i / FPS])
            img = still.image.copy()
            who = who_speaks(turns, t)[0]
            if who >= 0:
                cx, cy, hh = HEADS[who]
                x, y = mouth_centre(cx, cy, hh, mirror[who])
                opening = float(syllables(t)[0])
                axes = (int(hh * 0.12), max(1, int(hh * 0.07 * opening)))
                cv2.ellipse(img, (int(x), int(y)), axes, 0, 0, 360, (70, 25, 30), -1)
            grain = rng.integers(-2, 3, img.shape, dtype=np.int16)
            yield np.clip(img.astype(np.int16) + grain, 0, 255).astype(np.uint8)

    pcm = None
    if audio:
        rate = 48000
        t = np.arange(int(seconds * rate)) / rate
        voice = sum(a * np.sin(2 * np.pi * f * t) for f, a in ((220, 1.0), (660, 0.5), (1100, 0.3), (1700, 0.2)))
        loud = syllables(t) * (who_speaks(turns, t) >= 0)
        wave = 0.25 * loud * voice + 0.002 * rng.normal(size=t.size)
        pcm = (np.clip(wave, -1, 1) * 32767).astype(np.int16)
    media.encode(path, frames(), width=W, height=H, fps=Fraction(FPS), audio=pcm, sample_rate=48000)
    return path


# -- the voice ---------------------------------------------------------------


def test_speech_is_heard_over_a_noise_floor_and_steady_music_is_not_speech():
    rate = 8000
    rng = np.random.default_rng(0)
    t = np.arange(rate * 12) / rate
    hum = 0.05 * np.sin(2 * np.pi * 440 * t)  # a steady tone: a floor, however loud
    voice = 0.3 * syllables(t) * np.sin(2 * np.pi * 700 * t) * ((t > 6) & (t < 9))
    p = speech_probability(hum + voice + 1e-3 * rng.normal(size=t.size), rate)
    hop = len(t) // len(p)
    at = lambda s: p[int(s * rate / hop)]  # noqa: E731
    assert max(at(s) for s in np.arange(4.5, 5.6, 0.1)) < 0.1
    assert np.mean([at(s) for s in np.arange(6.5, 8.9, 0.1)]) > 0.7


def test_a_file_without_audio_has_no_speech_track(tmp_path):
    clip = media.still_subject(tmp_path / "silent.mp4", seconds=1.0, audio=False)
    assert speech_activity(clip.path) is None


# -- the mouths --------------------------------------------------------------


def test_a_moving_mouth_is_active_and_a_still_or_shifted_face_is_not():
    still = media.compose_frame(W, H, HEADS, background="grass", noise=0, mirror=(False, True))
    heads = np.array([[x, y, x + w, y + h] for x, y, w, h in still.head_boxes])
    gray = cv2.cvtColor(still.image, cv2.COLOR_RGB2GRAY)
    rng = np.random.default_rng(0)
    noisy = lambda g: np.clip(g + rng.integers(-2, 3, g.shape), 0, 255).astype(np.uint8)  # noqa: E731

    talking = still.image.copy()
    x, y = mouth_centre(*HEADS[0], False)
    cv2.ellipse(talking, (int(x), int(y)), (18, 9), 0, 0, 360, (70, 25, 30), -1)
    act = mouth_activity(noisy(cv2.cvtColor(talking, cv2.COLOR_RGB2GRAY)), noisy(gray), heads)
    assert act[0] > 0.15 and act[1] < 0.03

    # The whole picture moved by 3 px (a nod, a pan): no mouth moved.
    moved = np.roll(gray, (2, 3), axis=(0, 1))
    assert np.all(mouth_activity(noisy(moved), noisy(gray), heads) < 0.05)
    # Heads too small to show a mouth are unknown, not silent.
    assert np.isnan(mouth_activity(gray, gray, np.array([[10, 10, 30, 30]]))[0])


# -- who speaks, on plain arrays ---------------------------------------------


def _samples(turns, seconds, every=0.2):
    times = np.arange(0, seconds, every)
    boxes = np.array([[cx - 60, cy - 75, cx + 60, cy + 75] for cx, cy, _ in HEADS])
    speaking = who_speaks(turns, times)
    samples = []
    for s in speaking:
        act = np.array([0.5 if s == k else 0.01 for k in range(2)], np.float32)
        samples.append(Detections(boxes, np.full(2, 0.9), np.full(2, Kind.FACE), act))
    return times, samples, (speaking >= 0).astype(float)


def test_the_speaker_is_followed_with_hysteresis():
    turns = [(0.0, 2.0, 0), (2.0, 2.6, 1), (2.6, 6.0, 0)]
    times, samples, speech = _samples(turns, 6.0)
    track = speaker_track(times, samples, speech)
    who = np.array([-1 if b is None else int(b[0] > W / 2) for b in track.boxes])
    assert who[2] == 0 and np.all(who[(times > 2.4) & (times < 3.8)] == 1)
    first_back = times[np.flatnonzero((who == 0) & (times > 2.2))[0]]
    assert first_back - times[np.flatnonzero(who == 1)[0]] >= HOLD_SECONDS
    assert np.all(who[times > 4.5] == 0) and track.switches == 2


def test_no_speech_or_no_moving_mouth_gives_no_speaker():
    times, samples, speech = _samples([(0.0, 4.0, 0)], 4.0)
    assert not speaker_track(times, samples, None).found
    assert not speaker_track(times, samples, np.zeros(len(times))).found
    still = [s.with_activity(np.full(2, np.nan)) for s in samples]
    assert not speaker_track(times, still, speech).found


# -- end to end: analysis and planner -----------------------------------------


def _followed(path, turns, seconds):
    """Which person the window centre is on at each frame (-1: neither)."""
    windows = path.windows
    c = windows[:, 0] + windows[:, 2] / 2
    return np.where(np.abs(c - HEADS[0][0]) < 60, 0, np.where(np.abs(c - HEADS[1][0]) < 60, 1, -1))


@pytest.fixture(scope="module")
def conversation(tmp_path_factory):
    # Right speaks first, then left, then right again after a short reply.
    turns = [(0.2, 2.4, 1), (2.4, 3.4, 0), (3.4, 7.0, 1)]
    return dialogue(tmp_path_factory.mktemp("dialogue") / "talk.mp4", turns, 7.0), turns


@pytest.mark.slow
def test_the_planner_follows_whoever_speaks(conversation):
    clip, turns = conversation
    analysis = analyze(clip)
    assert analysis.speech is not None
    path = plan(analysis)
    on = _followed(path, turns, 7.0)
    t = np.arange(len(on)) / FPS
    assert np.all(on[(t > 0.5) & (t < 2.0)] == 1)  # right, who speaks first (not the left, equally prominent)
    assert np.mean(on[(t > 3.2) & (t < 3.9)] == 0) > 0.5  # the window reached left during its turn
    assert np.all(on[t > 6.0] == 1)
    # Switches (arrivals on a new person) are at least the hold time apart.
    arrivals = [i for i in range(1, len(on)) if on[i] >= 0 and on[i] != on[max(j for j in range(i) if on[j] >= 0)]
                ] if np.any(on >= 0) else []
    assert np.all(np.diff(t[arrivals]) >= HOLD_SECONDS - 1e-9)
    assert "speaker followed" in path.shots[0].note


@pytest.mark.slow
def test_without_audio_the_planner_keeps_its_usual_subject(tmp_path, conversation):
    _, turns = conversation
    clip = dialogue(tmp_path / "mute.mp4", turns, 7.0, audio=False)
    analysis = analyze(clip)
    assert analysis.speech is None
    path = plan(analysis)
    assert np.ptp(path.windows[:, 0]) == 0.0  # one subject, held still
    assert "speaker" not in path.shots[0].note


def test_mouth_activity_is_kept_in_the_crop_path_json():
    d = Detections(np.array([[0, 0, 50, 60], [100, 0, 150, 60]]), np.full(2, 0.9), np.full(2, Kind.FACE),
                   np.array([0.25, np.nan]))
    back = Detections.from_list(d.to_list())
    assert back.activity[0] == pytest.approx(0.25) and np.isnan(back.activity[1])
    assert "activity" not in d.to_list()[1]


def test_an_unreadable_mouth_is_unknown_not_silent():
    times, samples, speech = _samples([(0.0, 4.0, 1)], 4.0)
    # The left face is too small to read: the right one, talking, is followed...
    left_unread = [s.with_activity(np.array([np.nan, s.activity[1]])) for s in samples]
    track = speaker_track(times, left_unread, speech)
    assert track.found and all(b is None or b[0] > W / 2 for b in track.boxes)
    # ...but a right face that is still does not make the unreadable left one a speaker.
    right_still = [s.with_activity(np.array([np.nan, 0.0])) for s in samples]
    assert not speaker_track(times, right_still, speech).found
