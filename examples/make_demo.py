"""Compose the bundled demo clip ``examples/demo.mp4``.

A 9 s, 1280x720, 25 fps landscape clip with two shots: a medium shot of the
astronaut left of centre, swaying in front of a launch pad while the camera
pans, then a hard cut to a wide shot with her smaller on the right in front of
the Hubble deep field. The soundtrack is a melody synthesised here. Every
ingredient is public domain or CC0 (see LICENSE-demo.md), so the clip is too.

The compositing lives in ``reframe/testing/`` so the demo and the tests share
one implementation. Run from anywhere::

    python examples/make_demo.py [output.mp4]
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
from reframe.testing import media

WIDTH, HEIGHT = 1280, 720
FPS = Fraction(25)
SECONDS = 9.0
CUT_SECONDS = 5.0
SAMPLE_RATE = 44100


def melody(seconds: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    """A calm stereo tune: a pentatonic line over a two-chord drone, as int16 ``(samples, 2)``.

    Synthesised from sines with soft attack/decay, so it has no author but this script.
    """
    beat = 0.375  # seconds per eighth note, 80 bpm
    # Scale degrees of A minor pentatonic (semitones above A3); None is a rest.
    line = [0, 3, 5, 7, 10, 7, 5, None, 3, 5, 7, 12, 10, 7, None, None,
            5, 7, 10, 12, 15, 12, 10, None, 7, 5, 3, 5, 0, None, None, None]
    n = int(round(seconds * rate))
    t = np.arange(n) / rate
    lead = np.zeros(n)
    for k in range(int(seconds / beat) + 1):
        step = line[k % len(line)]
        if step is None:
            continue
        start = int(k * beat * rate)
        length = min(n - start, int(2 * beat * rate))
        if length <= 0:
            break
        tt = np.arange(length) / rate
        freq = 220.0 * 2 ** (step / 12)
        env = np.minimum(1, tt / 0.01) * np.exp(-tt / 0.35)  # plucked: 10 ms attack, ringing decay
        lead[start : start + length] += env * (np.sin(2 * np.pi * freq * tt) + 0.3 * np.sin(4 * np.pi * freq * tt))
    # Drone alternating A and F every two bars, faded at both ends of the clip.
    root = np.where((t // (8 * beat)) % 2 == 0, 110.0, 87.31)
    phase = 2 * np.pi * np.cumsum(root) / rate
    pad = 0.25 * (np.sin(phase) + 0.5 * np.sin(1.5 * phase))
    fade = np.clip(np.minimum(t / 0.5, (seconds - t) / 1.0), 0, 1)
    left = (0.8 * lead + pad) * fade
    right = (0.6 * lead + 1.1 * pad) * fade  # slight stereo spread
    stereo = np.stack([left, right], axis=1)
    stereo *= 0.5 / np.abs(stereo).max()
    return (stereo * 32767).astype(np.int16)


def subject_path() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Head-centre x, y and head height per frame for the two shots."""
    n = int(SECONDS * FPS)
    cut = int(CUT_SECONDS * FPS)
    t = np.arange(n) / float(FPS)
    xs = np.empty(n)
    hh = np.empty(n)
    # Shot 1, medium shot: she drifts right from a third of the frame and sways.
    s1 = t[:cut]
    xs[:cut] = 0.30 * WIDTH + 18 * s1 + 14 * np.sin(2 * np.pi * s1 / 3.1)
    hh[:cut] = 210 + 4 * np.sin(2 * np.pi * s1 / 4.3)  # breathing-sized scale change
    # Shot 2, wide shot: smaller, on the right, drifting slowly left.
    s2 = t[cut:] - CUT_SECONDS
    xs[cut:] = 0.76 * WIDTH - 10 * s2 + 6 * np.sin(2 * np.pi * s2 / 2.7)
    hh[cut:] = 120.0
    ys = np.asarray(media.default_head_y(WIDTH, HEIGHT, hh), dtype=np.float64)
    ys[:cut] += 5 * np.sin(2 * np.pi * t[:cut] / 1.7)  # a little vertical bob
    return xs, ys, hh


def main(out: Path = HERE / "demo.mp4") -> media.Truth:
    xs, ys, hh = subject_path()
    truth = media.make_clip(
        out,
        width=WIDTH,
        height=HEIGHT,
        fps=FPS,
        seconds=SECONDS,
        path_x=xs,
        path_y=ys,
        head_height=hh,
        cut_frames=(int(CUT_SECONDS * FPS),),
        background=("rocket", "hubble"),
        pan_px_per_s=30.0,
        shake=media.handheld_shake(len(xs), amplitude=2.0, seed=7),
        noise=1.5,
        bg_blur=2.0,
        audio=melody(SECONDS),
        sample_rate=SAMPLE_RATE,
        preset="slow",
        crf=24,
        keyint=50,
        extra_ffmpeg=("-movflags", "+faststart", "-metadata", "title=reframe demo (public domain)"),
    )
    return truth


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "demo.mp4"
    truth = main(target)
    print(f"wrote {target}: {truth.width}x{truth.height}, {truth.fps} fps, {truth.n_frames} frames, cut at {truth.cut_frames}")
