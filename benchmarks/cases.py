"""Generated evaluation cases of drama footage, with exact ground truth.

The development clips hold few of the shots dramas are made of, so the
evaluation adds generated ones, written as clips plus annotation files in
the development clips' format (``annotations/<stem>.json``):

- ``case_closeup``: one face wider than a 9:16 window, talking;
- ``case_two_close``: two people a 1.25x window can hold together;
- ``case_two_apart``: two people too far apart for one window, no sound
  (the left one, a little nearer, is the principal one);
- ``case_dialogue``: the same two people taking turns to speak, with audio
  (whoever speaks is principal);
- ``case_dissolve``: a person, then a cross-dissolve to another shot of them;
- ``case_fade``: the same through black: a fade out, then a fade in;
- ``case_title``: a title card a little wider than a 9:16 window over
  panning footage: the title must be shown whole (``whole`` boxes), not cut
  mid-word.

Real faces (the public-domain astronaut portrait) are composited at known
places by the test media module, so every box is exact. Run it alone to
write the cases: ``python benchmarks/cases.py OUT_DIR``.
"""

from __future__ import annotations

import argparse
import json
from fractions import Fraction
from pathlib import Path

import numpy as np

from reframe.testing import media

W, H, FPS = 1280, 720, 25
SECONDS = 6.0
N = int(SECONDS * FPS)
RATE = 48000


def _annotation(stem: str, shots: list[tuple[int, int]], keyframes: list[dict]) -> dict:
    return {"clip": f"{stem}.mp4", "width": W, "height": H, "fps": FPS, "frames": N,
            "shots": [list(s) for s in shots], "keyframes": keyframes}


def _key(frame: int, must, optional=(), note: str = "", whole=()) -> dict:
    out = {"frame": int(frame), "must": [[round(float(v), 2) for v in b] for b in must],
           "optional": [[round(float(v), 2) for v in b] for b in optional], "note": note}
    if whole:
        out["whole"] = [[round(float(v), 2) for v in b] for b in whole]
    return out


def _keyframes_of(shots: list[tuple[int, int]]) -> list[int]:
    """About two a second, plus the second frame of each shot (as the development clips are annotated)."""
    frames = set(range(6, N, FPS // 2))
    frames |= {a + 1 for a, _ in shots}
    return sorted(frames)


def _voice(turns: list[tuple[float, float, int]], seconds: float) -> np.ndarray:
    """A syllabic voice during each turn (four syllables a second), silence between."""
    rng = np.random.default_rng(5)
    t = np.arange(int(seconds * RATE)) / RATE
    loud = np.clip(np.sin(2 * np.pi * 4.0 * t), 0, None) * np.isin(_who(turns, t), [0, 1])
    voice = sum(a * np.sin(2 * np.pi * f * t) for f, a in ((220, 1.0), (660, 0.5), (1100, 0.3), (1700, 0.2)))
    wave = 0.25 * loud * voice + 0.002 * rng.normal(size=t.size)
    return (np.clip(wave, -1, 1) * 32767).astype(np.int16)


def _who(turns, t: np.ndarray) -> np.ndarray:
    out = np.full(len(t), -1)
    for a, b, k in turns:
        out[(t >= a) & (t < b)] = k
    return out


def _mouth(img: np.ndarray, head: np.ndarray, mirrored: bool, opening: float) -> None:
    """Paint an open mouth on a composited astronaut's head box (``x, y, w, h``)."""
    import cv2

    x, y, w, h = head
    s = h / media.ASTRONAUT_HEAD[3]
    dx = (223 - 227.5) * s
    cx = x + w / 2 + (-dx if mirrored else dx)
    cy = y + h / 2 + (145 - 96.5) * s
    axes = (int(h * 0.12), max(1, int(h * 0.07 * opening)))
    cv2.ellipse(img, (int(cx), int(cy)), axes, 0, 0, 360, (70, 25, 30), -1)


def _people(stem: str, out: Path, heads_at, *, turns=None, background="grass") -> list[np.ndarray]:
    """Write a clip of the people ``heads_at(i)`` places (``[(cx, cy, hh), ...]``) on frame ``i``;
    mouths move during ``turns``. Returns the head boxes of every frame."""
    boxes: list[np.ndarray] = []

    def frames():
        for i in range(N):
            heads = heads_at(i)
            mirror = [k % 2 == 1 for k in range(len(heads))]
            still = media.compose_frame(W, H, heads, background=background, mirror=mirror, seed=i)
            img = still.image.copy()
            boxes.append(still.head_boxes)
            if turns is not None:
                who = _who(turns, np.array([i / FPS]))[0]
                if who >= 0:
                    opening = float(np.clip(np.sin(2 * np.pi * 4.0 * i / FPS), 0, None))
                    _mouth(img, still.head_boxes[who], mirror[who], opening)
            yield img

    pcm = _voice(turns, SECONDS) if turns is not None else None
    media.encode(out / f"{stem}.mp4", frames(), width=W, height=H, fps=Fraction(FPS), audio=pcm, sample_rate=RATE)
    return boxes


def _sway(x: float, i: int, k: int) -> float:
    return x + 12 * np.sin(i / 11 + k)


def closeup(out: Path) -> dict:
    # A head 1.3 window widths wide: a normal close-up of a 16:9 picture.
    hh = 640.0
    turns = [(0.3, 5.5, 0)]
    boxes = _people("case_closeup", out, lambda i: [(_sway(700, i, 0), 330, hh)], turns=turns)
    shots = [(0, N - 1)]
    keys = [_key(f, [boxes[f][0]], note="close-up wider than the window") for f in _keyframes_of(shots)]
    return _annotation("case_closeup", shots, keys)


def two_close(out: Path) -> dict:
    hh = 0.28 * H
    boxes = _people("case_two_close", out, lambda i: [(_sway(500, i, 0), 250, hh), (_sway(780, i, 1), 250, hh)])
    shots = [(0, N - 1)]
    return _annotation("case_two_close", shots, [_key(f, boxes[f]) for f in _keyframes_of(shots)])


def two_apart(out: Path) -> dict:
    boxes = _people("case_two_apart", out,
                    lambda i: [(_sway(300, i, 0), 250, 0.3 * H), (_sway(1000, i, 1), 260, 0.27 * H)])
    shots = [(0, N - 1)]
    keys = [_key(f, [boxes[f][0]], [boxes[f][1]], "the nearer person principal") for f in _keyframes_of(shots)]
    return _annotation("case_two_apart", shots, keys)


def dialogue(out: Path) -> dict:
    turns = [(0.2, 2.6, 1), (2.6, 4.4, 0), (4.4, 6.0, 1)]
    boxes = _people("case_dialogue", out, lambda i: [(_sway(300, i, 0), 250, 0.28 * H), (_sway(1000, i, 1), 250, 0.28 * H)],
                    turns=turns)
    shots = [(0, N - 1)]
    keys = []
    for f in _keyframes_of(shots):
        # Whoever speaks is principal; between turns, who spoke last (the camera holds on them).
        t = f / FPS
        who = [k for a, _, k in turns if a <= t][-1] if t >= turns[0][0] else turns[0][2]
        # The camera needs a moment to reach a new speaker: the first half second of a turn is not judged.
        if any(a < t < a + 0.5 for a, _, _ in turns[1:]):
            continue
        keys.append(_key(f, [boxes[f][who]], [boxes[f][1 - who]], f"person {who} speaks"))
    return _annotation("case_dialogue", shots, keys)


def dissolve(out: Path, stem: str = "case_dissolve", through_black: bool = False) -> dict:
    """A person left of centre, then a 0.8 s cross-dissolve (or a fade out and in through
    black) to a closer shot right of centre."""
    a, b = 70, 90  # the transition's first and last frame; the annotated cut is at its midpoint
    heads: list[tuple[np.ndarray, np.ndarray]] = []  # each frame's head in the first and the second shot

    def frames():
        for i in range(N):
            first = media.compose_frame(W, H, [(_sway(420, i, 0), 260, 0.3 * H)], background="grass", seed=i)
            second = media.compose_frame(W, H, [(_sway(860, i, 1), 300, 0.4 * H)], background="rocket",
                                         mirror=[True], seed=i + N)
            heads.append((first.head_boxes[0], second.head_boxes[0]))
            alpha = float(np.clip((i - a) / (b - a), 0.0, 1.0))
            if through_black:  # down to black by the middle, up from it after
                shot = first if alpha < 0.5 else second
                img = abs(1 - 2 * alpha) * shot.image.astype(np.float32)
            else:
                img = (1 - alpha) * first.image.astype(np.float32) + alpha * second.image.astype(np.float32)
            yield np.clip(img + 0.5, 0, 255).astype(np.uint8)

    media.encode(out / f"{stem}.mp4", frames(), width=W, height=H, fps=Fraction(FPS), audio=None)
    mid = (a + b) // 2
    shots = [(0, mid - 1), (mid, N - 1)]
    keys = []
    for f in _keyframes_of(shots):
        if a <= f <= b:
            continue  # mid-dissolve both pictures are half there: nothing to judge
        keys.append(_key(f, [heads[f][0 if f < mid else 1]]))
    return _annotation(stem, shots, keys)


def fade(out: Path) -> dict:
    return dissolve(out, "case_fade", through_black=True)


def title(out: Path) -> dict:
    """A title 1.15 times as wide as the 9:16 window, over slowly panning footage, no people."""
    from reframe.testing import textcards

    words, window = "THE LAST HARBOUR", H * 9 / 16
    size = 40
    while True:  # the font size whose title is 1.15 windows wide
        probe = np.zeros((H, W, 3), np.uint8)
        x1, y1, x2, y2 = textcards.draw_text(probe, words, size, (W / 2, H / 2))
        if x2 - x1 >= 1.15 * window:
            break
        size += 2
    box = (x1, y1, x2 - x1, y2 - y1)

    def frames():
        for i in range(N):
            frame = textcards.background("rocket", W, H, offset=12.0 * i / N)
            textcards.draw_text(frame, words, size, (W / 2, H / 2))
            yield frame

    media.encode(out / "case_title.mp4", frames(), width=W, height=H, fps=Fraction(FPS), audio=None)
    shots = [(0, N - 1)]
    keys = [_key(f, [box], note="a title card: shown whole", whole=[box]) for f in _keyframes_of(shots)]
    return _annotation("case_title", shots, keys)


CASES = (closeup, two_close, two_apart, dialogue, dissolve, fade, title)


def make_cases(out: Path) -> Path:
    """Write every case's clip into ``out`` and its annotation into ``out/annotations``; return ``out``."""
    (out / "annotations").mkdir(parents=True, exist_ok=True)
    for case in CASES:
        ann = case(out)
        stem = Path(ann["clip"]).stem
        (out / "annotations" / f"{stem}.json").write_text(json.dumps(ann, indent=1) + "\n", encoding="utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    make_cases(ap.parse_args().out)


if __name__ == "__main__":
    main()
