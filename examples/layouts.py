"""A two-person clip converted with each layout, and a contact sheet of the results.

The clip is composited here from public-domain material (the NASA portrait
of astronaut Eileen Collins and the backgrounds bundled with scikit-image,
see LICENSE-demo.md), with the code the tests use (``reframe/testing/``): two
shots, 1280x720, 25 fps, 6 s. In the first the two people stand far apart
(no 9:16 window holds both); after a cut they stand close together.

The clip is analysed once and planned with each layout, then rendered:

- ``auto``: split for the first shot, a slightly zoomed-out window for the second;
- ``follow``: one window: the first shot follows one person and keeps the other wholly out;
- ``split``: a panel per person in both shots;
- ``fit``: the whole picture over a blurred copy of itself.

It writes ``two_people.mp4``, ``two_people_<layout>.mp4``, the crop paths
``two_people_<layout>.json`` and ``layouts_sheet.png`` (one row per layout,
frames from both shots) into the output folder. Needs the test extra (for
scikit-image)::

    pip install -e '.[test]'
    python examples/layouts.py [OUTPUT_FOLDER]      # default: ./layouts_example
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

import reframe
from reframe.testing import media

LAYOUTS = ("auto", "follow", "split", "fit")
TILE = (216, 384)  # contact sheet tile, 9:16


def frames_at(path: Path, wanted: list[int]) -> list[np.ndarray]:
    """BGR frames at these indices, in order."""
    cap = cv2.VideoCapture(str(path))
    out = []
    for i in wanted:
        cap.set(cv2.CAP_PROP_POS_FRAMES, i)
        ok, frame = cap.read()
        if not ok:
            raise RuntimeError(f"{path} has no frame {i}")
        out.append(frame)
    cap.release()
    return out


def label(image: np.ndarray, text: str) -> np.ndarray:
    cv2.putText(image, text, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 4, cv2.LINE_AA)
    cv2.putText(image, text, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 1, cv2.LINE_AA)
    return image


def main(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    clip = out_dir / "two_people.mp4"
    pair = media.two_people(
        clip, width=1280, height=720, fps=Fraction(25), seconds=6.0, shots=((0.18, 0.82), (0.4, 0.615)),
        head_frac=0.26, preset="medium", crf=23,
    )
    n = len(pair.head_boxes)
    wanted = [n // 4, n // 2 - 10, n // 2 + 25, n - 20]
    info = reframe.probe(clip)
    analysis = reframe.analyze(info)
    rows = []
    for layout in LAYOUTS:
        path = reframe.plan(analysis, reframe.PlanConfig(aspect="9:16", layout=layout))
        path.save(out_dir / f"two_people_{layout}.json")
        for shot in path.shots:
            print(f"{layout:6} frames {shot.start}-{shot.end - 1}: {shot.layout:6} {shot.reason}")
        dst = out_dir / f"two_people_{layout}.mp4"
        reframe.render(clip, path, dst, reframe.RenderConfig(overwrite=True), info=info)
        tiles = [cv2.resize(f, TILE, interpolation=cv2.INTER_AREA) for f in frames_at(dst, wanted)]
        rows.append(label(np.hstack(tiles), layout))
    source = [cv2.resize(f, (TILE[0], TILE[0] * 9 // 16), interpolation=cv2.INTER_AREA) for f in frames_at(clip, wanted)]
    sheet = np.vstack([label(np.hstack(source), "source")] + rows)
    target = out_dir / "layouts_sheet.png"
    cv2.imwrite(str(target), sheet)
    return target


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("layouts_example")
    print(f"wrote {main(folder)}")
