"""Generated clips with burned-in subtitles (and text that is not subtitles), with exact ground truth.

Subtitle lines are drawn with PIL in real fonts: DejaVu Sans and Serif from
matplotlib's wheel (Latin) and WenQuanYi Micro Hei (Chinese) from the
``paperang-p2-fonts-cjk`` wheel, with or without outline, drop shadow and
background box, one or two lines, at the bottom or top, and composited onto
the scenes of :mod:`.media` (the astronaut over panning backgrounds, with
cuts). The truth of every frame is the box of each line shown (the ink
extent, outline and shadow included, or the background box when there is
one) and its text.

Text that is not subtitles, for the negatives: a sign in the scene, a corner
logo, a scrolling ticker, karaoke lines whose colour is wiped while shown, a
lower-third name caption that stays once it appeared, and no text at all.

:func:`subtitled_clip` writes a clip from a :class:`Style` and a list of
:class:`Cue`; :func:`render_cue` draws one cue onto an RGB frame (used to
put subtitles on real footage too); :data:`POSITIVES` and :data:`NEGATIVES`
name ready-made clips for :func:`make`.

:func:`find_line` looks for a line's own source pixels in an output frame
(template matching at given scales, refined) and says whether the whole
line shows there, above the bottom fifth that phone apps cover: the check
of the end-to-end tests and of the subtitle evaluation.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from .. import geometry
from . import media, people
from .subtitle_text import Cue, Drawn, Style, composite, font_path, render_cue

@dataclass(frozen=True)
class SubtitleTruth:
    """A generated clip and what text it shows, frame by frame.

    ``boxes[i]`` lists the line boxes ``(x, y, w, h)`` shown on frame ``i``
    and ``texts[i]`` their text; ``subtitles`` says whether the text is
    subtitles (False for the negatives).
    """

    path: Path
    width: int
    height: int
    fps: Fraction
    n_frames: int
    cues: tuple[Cue, ...]
    boxes: tuple[tuple[tuple[float, float, float, float], ...], ...]
    texts: tuple[tuple[str, ...], ...]
    subtitles: bool
    cut_frames: tuple[int, ...] = ()
    name: str = ""

    def stretches(self, gap_frames: int) -> list[tuple[int, int, tuple[float, float, float, float]]]:
        """``(start, end, union box)`` of runs of cues at most ``gap_frames`` apart."""
        out: list[list] = []
        for cue in sorted(self.cues, key=lambda c: c.start):
            box = _union([b for i in range(cue.start, cue.end) for b in self.boxes[i]])
            if box is None:
                continue
            if out and cue.start - out[-1][1] <= gap_frames:
                out[-1][1] = max(out[-1][1], cue.end)
                out[-1][2] = _union([out[-1][2], box])
            else:
                out.append([cue.start, cue.end, box])
        return [(a, b, box) for a, b, box in out]

    @property
    def shown(self) -> np.ndarray:
        """Per frame: whether a line is on screen."""
        return np.array([bool(b) for b in self.boxes])


def _union(boxes):
    """The ``x, y, w, h`` box around ``boxes`` (``x, y, w, h``; None ones left out), None without any."""
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    x, y, w, h = geometry.to_xywh(geometry.bounding_box(geometry.from_xywh(np.asarray(boxes, float)))).tolist()
    return (x, y, w, h)


def iou(a, b) -> float:
    """IoU of two ``x, y, w, h`` boxes."""
    return float(geometry.iou(geometry.from_xywh(np.asarray(a, float)), geometry.from_xywh(np.asarray(b, float))))


# ---------------------------------------------------------------- scenes


def scene_frames(width: int, height: int, n: int, *, cut_frames: Sequence[int] = (), seed: int = 0,
                 pan_px_per_s: float | Sequence[float] = 14.0, fps: Fraction = Fraction(25), person: bool = True,
                 background: Sequence[str] = ("rocket", "brick", "coffee", "hubble"),
                 sign: Callable[[np.ndarray, int, int], None] | None = None):
    """Float32 RGB frames of :mod:`media`'s scenes: the astronaut swaying over a panning background.

    ``sign`` draws onto each shot's background plate (so it pans with the
    scene); it is given the plate, the pan margin and the shot number.
    ``pan_px_per_s`` may give one speed per shot (cycling).
    """
    bounds = [0, *cut_frames, n]
    seconds = n / float(fps)
    pans = [float(p) for p in np.atleast_1d(pan_px_per_s)]
    margin = max(abs(p) for p in pans) * seconds / 2 + 8
    grain = people.Grain(width, height, 2.0, np.random.default_rng(seed))
    for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        plate = people.background_plate(background[k % len(background)], width, height, margin, 1.5)
        if sign is not None:
            plate = plate.copy()
            sign(plate, int(margin), k)
        direction = 1 if k % 2 == 0 else -1
        x_frac = (0.3, 0.66, 0.5)[k % 3]
        for i in range(a, b):
            t = (i - a) / float(fps)
            pan = direction * pans[k % len(pans)] * (t - (b - a) / float(fps) / 2)
            frame = people.shift(plate, width, height, margin + pan, margin)
            if person:
                hh = 0.32 * height
                cx = x_frac * width + 0.04 * width * math.sin(2 * math.pi * t / 2.7)
                people.paste_person(frame, cx, float(people.default_head_y(width, height, hh)), hh)
            yield i, frame, grain


def _finish(frame: np.ndarray, grain) -> np.ndarray:
    return people.finish(frame, grain)


def dialogue_cues(n: int, fps: Fraction, *, texts: Sequence[tuple[str, ...]], first: float = 0.4,
                  shown: float = 1.8, gap: float = 0.35, seed: int = 0) -> tuple[Cue, ...]:
    """Cues one after another like dialogue: ``shown`` seconds each (±30 %), ``gap`` seconds between (0: back to back)."""
    rng = np.random.default_rng(seed)
    f = float(fps)
    cues, t, k = [], first, 0
    while True:
        length = shown * rng.uniform(0.7, 1.3)
        start, end = int(round(t * f)), int(round((t + length) * f))
        if end > n - 1:
            break
        cues.append(Cue(start, end, tuple(texts[k % len(texts)])))
        k += 1
        t += length + (gap * rng.uniform(0.5, 1.5) if gap else 0)
    return tuple(cues)


LATIN = [("Where were you last night?",), ("I told you, I was at the harbour.",),
         ("Nobody saw you there.",), ("Then nobody was looking.",), ("Fine. Let's go.",),
         ("It's getting late, we should head back",), ("Not yet.",)]
LATIN_TWO = [("Where were you last night?", "I waited for hours."), ("At the harbour.",),
             ("Nobody saw you there,", "not even the guard."), ("Then he was asleep.", "Again.")]
CJK = [("你昨晚去哪儿了？",), ("我在港口，我告诉过你。",), ("没有人看见你。",), ("那就是没人在看。",),
       ("好吧，我们走。",), ("天色已晚，我们该回去了",)]


def subtitled_clip(path: str | Path, style: Style, *, texts=LATIN, width: int = 640, height: int = 360,
                   fps: Fraction | int = Fraction(25), seconds: float = 9.0, cut_frames: Sequence[int] = (),
                   cues: Sequence[Cue] | None = None, shown: float = 1.8, gap: float = 0.35, seed: int = 0,
                   name: str = "") -> SubtitleTruth:
    """Write a clip of the scene with subtitle ``cues`` (default: dialogue of ``texts``) in ``style``."""
    fps = Fraction(fps)
    n = int(round(seconds * fps))
    cues = tuple(cues) if cues is not None else dialogue_cues(n, fps, texts=texts, shown=shown, gap=gap, seed=seed)
    drawn = [render_cue(c.lines, style, width, height) for c in cues]
    boxes: list[tuple] = [()] * n
    shown_texts: list[tuple] = [()] * n
    for c, d in zip(cues, drawn):
        for i in range(c.start, min(c.end, n)):
            boxes[i] = d.boxes
            shown_texts[i] = c.lines

    def frames():
        for i, frame, grain in scene_frames(width, height, n, cut_frames=cut_frames, seed=seed, fps=fps):
            for c, d in zip(cues, drawn):
                if c.start <= i < c.end:
                    composite(frame, d)
            yield _finish(frame, grain)

    media.encode(path, frames(), width=width, height=height, fps=fps)
    return SubtitleTruth(Path(path), width, height, fps, n, cues, tuple(boxes), tuple(shown_texts), True,
                         tuple(cut_frames), name)


# ---------------------------------------------------------------- text that is not subtitles


def text_clip(path: str | Path, kind: str, *, width: int = 640, height: int = 360,
              fps: Fraction | int = Fraction(25), seconds: float = 9.0, seed: int = 0) -> SubtitleTruth:
    """A negative: ``kind`` is sign, logo, ticker, karaoke, lower_third or none."""
    fps = Fraction(fps)
    n = int(round(seconds * fps))
    f = float(fps)
    pan: float | tuple[float, ...] = 14.0
    sign = None
    overlay: Callable[[np.ndarray, int], None] | None = None
    if kind == "sign":
        # Shop signs on the wall behind, panning with it (and standing still in the second shot).
        def sign(plate: np.ndarray, margin: int, shot: int) -> None:
            words = ("OPEN 24 HOURS", "HOTEL CENTRAL")[shot % 2]
            st = Style(font="sans-bold", size=0.07, colour=(250, 240, 200), outline=0,
                       box=(90, 20, 20, 255), margin=0.12)
            d = render_cue((words,), st, width, height)
            view = plate[margin : margin + height, margin : margin + width].astype(np.float32)
            composite(view, d)
            plate[margin : margin + height, margin : margin + width] = np.clip(view + 0.5, 0, 255)
        pan = (14.0, 0.0)
    elif kind == "logo":
        logo = render_cue(("NEWS 24",), Style(font="sans-bold", size=0.05, outline=0, box=(200, 30, 30, 170),
                                               margin=0.05), width, height)
        logo = replace(logo, origin=(width - logo.layer.shape[1] - 16, height - logo.layer.shape[0] - 14))

        def overlay(frame: np.ndarray, i: int) -> None:
            composite(frame, logo)
    elif kind == "ticker":
        text = "  +++  Markets close higher  +++  Storm warning for the coast  +++  Football: 2-1  " * 3
        st = Style(font="sans-bold", size=0.05, outline=0, box=(10, 10, 60, 255), margin=0.03)
        strip = render_cue((text,), replace(st, align="left"), width * 8, height)
        speed = 90.0  # px/s

        def overlay(frame: np.ndarray, i: int) -> None:
            shift = int(round(i / f * speed))
            x0, y0 = strip.origin
            d = replace(strip, layer=strip.layer[:, shift : shift + width], origin=(0, y0))
            composite(frame, d)
    elif kind == "karaoke":
        st = Style(font="sans-bold", size=0.065, outline=2)
        cues = dialogue_cues(n, fps, texts=LATIN, shown=2.6, gap=0.3, seed=seed)

        def overlay(frame: np.ndarray, i: int) -> None:
            for c in cues:
                if c.start <= i < c.end:
                    # The colour sweeps across the line from a quarter of a second in to its end.
                    done = np.clip((i - c.start - 0.25 * f) / (c.end - c.start - 0.4 * f), 0, 1)
                    composite(frame, _karaoke(c.lines, st, width, height, round(float(done), 2)))
    elif kind == "lower_third":
        st = Style(font="sans", size=0.055, outline=0, box=(20, 40, 90, 220), align="left", margin=0.14)
        name_tag = render_cue(("Dr. Eileen Collins, astronaut",), st, width, height)
        appear = int(round(0.5 * f))

        def overlay(frame: np.ndarray, i: int) -> None:
            if i >= appear:
                composite(frame, name_tag)
    elif kind != "none":
        raise ValueError(f"unknown kind {kind!r}")

    def frames():
        for i, frame, grain in scene_frames(width, height, n, seed=seed, fps=fps, sign=sign,
                                            pan_px_per_s=pan, cut_frames=(n // 2,) if kind == "sign" else ()):
            if overlay is not None:
                overlay(frame, i)
            yield _finish(frame, grain)

    media.encode(path, frames(), width=width, height=height, fps=fps)
    empty = tuple(() for _ in range(n))
    return SubtitleTruth(Path(path), width, height, fps, n, (), empty, empty, False,
                         (n // 2,) if kind == "sign" else (), kind)


@functools.lru_cache(maxsize=256)
def _karaoke(lines: tuple[str, ...], style: Style, width: int, height: int, done: float) -> Drawn:
    return render_cue(lines, style, width, height, colour_split=[done] * len(lines))


# ---------------------------------------------------------------- ready-made clips

# name: (style, texts, extra keyword arguments of subtitled_clip)
POSITIVES: dict[str, tuple[Style, list, dict]] = {
    "sans_outline": (Style(), LATIN, {}),
    "serif_yellow_shadow_two_lines": (Style(font="serif-bold", colour=(255, 230, 60), outline=1, shadow=2,
                                            size=0.055), LATIN_TWO, {"shown": 2.4}),
    "box_two_lines": (Style(font="sans", outline=0, box=(0, 0, 0, 190), size=0.055), LATIN_TWO, {"gap": 0.0}),
    "cjk_outline": (Style(font="cjk", outline=2, size=0.065), CJK, {}),
    "top_small": (Style(font="sans", size=0.045, outline=2, position="top", margin=0.05), LATIN, {}),
    "across_cuts": (Style(font="sans-bold", size=0.06, outline=2, shadow=1), LATIN,
                    {"cut_frames": (70, 150), "gap": 0.0, "shown": 2.2}),
    "no_outline_shadow": (Style(font="sans-bold", size=0.065, outline=0, shadow=2), LATIN, {}),
}
NEGATIVES: tuple[str, ...] = ("sign", "logo", "ticker", "karaoke", "lower_third", "none")


def make(name: str, folder: str | Path, **kwargs) -> SubtitleTruth:
    """The ready-made clip ``name`` (from :data:`POSITIVES` or :data:`NEGATIVES`) written into ``folder``."""
    path = Path(folder) / f"{name}.mp4"
    if name in POSITIVES:
        style, texts, extra = POSITIVES[name]
        return subtitled_clip(path, style, texts=texts, name=name, **{**extra, **kwargs})
    return text_clip(path, name, **kwargs)


__all__ = ["BOTTOM_FIFTH", "Cue", "Drawn", "LineMatch", "POSITIVES", "NEGATIVES", "Style", "SubtitleTruth", "composite", "find_line", "font_path", "iou", "line_pixels", "make",
           "render_cue", "subtitled_clip", "text_clip"]

# ---------------------------------------------------------------- finding lines in an output frame

# Phone apps cover the output below this share of its height with their own interface.
BOTTOM_FIFTH = 0.8
# A line counts as shown whole when its pixels correlate at least this well at its best place
# (WHOLE_SCORE) and so does each of its pieces, left to right, about as wide as the line is high
# (a character or two; PIECE_SCORE): a line cut at one end, or partly covered, loses a piece.
# Pieces with too little contrast to correlate (a space inside a background box) are left out.
WHOLE_SCORE = 0.8
PIECE_SCORE = 0.75
PIECE_MIN_STD = 10.0


@dataclass(frozen=True)
class LineMatch:
    """Where a line's pixels match best in an output frame.

    ``score`` is the normalised correlation of the whole line there,
    ``weakest`` the lowest of its pieces' at the same place,
    ``box`` the place ``(x, y, w, h)`` in output pixels, ``scale`` output
    pixels per source pixel.
    """

    score: float
    weakest: float
    box: tuple[int, int, int, int]
    scale: float

    def whole(self, out_height: int, bottom: float = BOTTOM_FIFTH) -> bool:
        """The whole line is shown, and above ``bottom`` (a share of the output height)."""
        return (self.score >= WHOLE_SCORE and self.weakest >= PIECE_SCORE
                and self.box[1] + self.box[3] <= bottom * out_height)


def line_pixels(gray: np.ndarray, box: tuple[float, float, float, float], pad: int = 2) -> np.ndarray:
    """The pixels of a line's box (and ``pad`` pixels around it) in a grey source frame."""
    x, y, w, h = box
    x0, y0 = max(0, math.floor(x) - pad), max(0, math.floor(y) - pad)
    x1 = min(gray.shape[1], math.ceil(x + w) + pad)
    y1 = min(gray.shape[0], math.ceil(y + h) + pad)
    return gray[y0:y1, x0:x1]


def _correlate(image: np.ndarray, template: np.ndarray) -> tuple[float, tuple[int, int]]:
    res = cv2.matchTemplate(image, template, cv2.TM_CCOEFF_NORMED)
    _, best, _, corner = cv2.minMaxLoc(res)
    return float(best), corner


def find_line(out: np.ndarray, line: np.ndarray, scales: Sequence[float],
              refine: Sequence[float] = (-0.01, -0.005, 0.005, 0.01)) -> LineMatch | None:
    """Search the grey output frame ``out`` for the grey source pixels ``line``.

    Each of ``scales`` (output pixels per source pixel) is searched over
    the whole frame; around the best, the scales ``best * (1 + r)`` for
    ``r`` in ``refine`` are searched near its place. The pieces are then
    correlated one by one at the best place. None when the line, at every
    scale, is larger than the frame (it cannot show whole).
    """
    best: tuple[float, tuple[int, int], float, np.ndarray] | None = None
    for s in scales:
        t = _scaled(line, s)
        if t is None or t.shape[0] > out.shape[0] or t.shape[1] > out.shape[1]:
            continue
        score, corner = _correlate(out, t)
        if best is None or score > best[0]:
            best = (score, corner, float(s), t)
    if best is None:
        return None
    _, (bx, by), s0, _ = best
    for r in refine:
        t = _scaled(line, s0 * (1 + r))
        if t is None:
            continue
        slack = max(4, int(abs(r) * max(t.shape) * 2) + 4)
        x0, y0 = max(0, bx - slack), max(0, by - slack)
        roi = out[y0 : by + t.shape[0] + 2 * slack, x0 : bx + t.shape[1] + 2 * slack]
        if t.shape[0] > roi.shape[0] or t.shape[1] > roi.shape[1]:
            continue
        score, (cx, cy) = _correlate(roi, t)
        if score > best[0]:
            best = (score, (x0 + cx, y0 + cy), s0 * (1 + r), t)
    score, (x, y), s, t = best
    found = out[y : y + t.shape[0], x : x + t.shape[1]]
    pieces = max(1, round(t.shape[1] / max(8, t.shape[0])))
    edges = np.linspace(0, t.shape[1], pieces + 1).round().astype(int)
    scores = [_correlate(found[:, a:b], t[:, a:b])[0] for a, b in zip(edges[:-1], edges[1:])
              if t[:, a:b].std() >= PIECE_MIN_STD]
    weakest = min(scores, default=score)
    return LineMatch(score, weakest, (int(x), int(y), int(t.shape[1]), int(t.shape[0])), s)


def _scaled(line: np.ndarray, s: float) -> np.ndarray | None:
    w, h = int(round(line.shape[1] * s)), int(round(line.shape[0] * s))
    if w < 8 or h < 4:
        return None
    return cv2.resize(line, (w, h), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)


__all__ = ["BOTTOM_FIFTH", "Cue", "Drawn", "LineMatch", "POSITIVES", "NEGATIVES", "Style", "SubtitleTruth",
           "composite", "find_line", "iou", "line_pixels", "make", "render_cue", "subtitled_clip", "text_clip"]
