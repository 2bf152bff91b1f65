"""Use reframe as a library: stage by stage, with an edit of the crop path.

Run from the repository root:  python examples/library_example.py
"""

from pathlib import Path

import reframe

SRC = Path(__file__).with_name("demo.mp4")
OUT = Path("demo_library")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    info = reframe.probe(SRC)
    print(f"{info.path.name}: {info.width}x{info.height} at {info.fps} fps, {info.frame_count} frames")

    analysis = reframe.analyze(info, reframe.AnalyzeConfig(), progress=lambda stage, f: None)
    print(f"cuts at frames {list(analysis.cuts)}; detections on {len(analysis.samples)} sampled frames")

    # One analysis, several formats: planning is cheap, so plan each aspect.
    for aspect in ("9:16", "4:5"):
        path = reframe.plan(analysis, reframe.PlanConfig(aspect=aspect))
        for shot in path.shots:
            print(f"  {aspect} shot {shot.start}-{shot.end}: {shot.subject}, {shot.layout} ({shot.reason}; {shot.note})")
        json_file = OUT / f"demo_{aspect.replace(':', 'x')}.path.json"
        path.save(json_file)
        result = reframe.render(SRC, path, OUT / f"demo_{aspect.replace(':', 'x')}.mp4",
                                reframe.RenderConfig(preset="veryfast", overwrite=True))
        print(f"  wrote {result.path} {result.width}x{result.height} in {result.elapsed:.1f} s")

    # Edit the saved path: shift the first shot's window 40 px to the right
    # (clamped to the frame) and render it again without re-analysis.
    path = reframe.CropPath.load(OUT / "demo_9x16.path.json")
    windows = path.windows.copy()
    first = path.shots[0]
    max_x = path.source.width - windows[0, 2]
    windows[first.start:first.end, 0] = (windows[first.start:first.end, 0] + 40).clip(0, max_x)
    edited = path.with_windows(windows)
    try:
        reframe.render(SRC, edited, OUT / "demo_edited.mp4", reframe.RenderConfig(overwrite=True))
    except reframe.ReframeError as e:  # every expected failure is one of these
        print(f"render failed: {e}")


if __name__ == "__main__":
    main()
