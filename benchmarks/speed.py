"""Speed and memory of reframe against ffmpeg's own static centre crop, in one run.

    python benchmarks/speed.py [CLIP] [--size 1920x1080] [--seconds 24] [--aspect 9:16]
                               [--preset veryfast] [--crf 20] [--encoder libx264] [--no-4k] [--repeat 1]
                               [--baseline-rev REV]

Without CLIP it generates a landscape clip of the given size (1080p30, 24 s
by default) with a moving face and two cuts. It then times, each in a fresh
process: ffmpeg's static centre crop scaled to the same output size with the
same encoder settings (the floor for a still camera: decode + scale +
encode), the full ``reframe convert``, ``reframe plan`` alone, ``reframe
render`` alone with the analysed path, the same render with every window
moved to the centre (the same picture ffmpeg encodes: x264 works harder on a
moving one), and ffmpeg's crop moved along the analysed path frame by frame
(its ``sendcmd`` filter, whole pixels: the floor for encoding the moving
picture reframe makes). It reports the ratios to the static crop's time,
the speed against real time, each run's CPU seconds (user + system, steadier
than wall time when other programs share the machine) and peak resident
memory. ``--repeat N`` runs every command N times, in rounds, and keeps each
one's fastest round. ``--baseline-rev REV`` also times the analysis
(``reframe analyze``, which also plans) of git revision REV, its package
exported to a temporary folder, in the same rounds, and reports this
revision's ``reframe plan`` against it. Unless ``--no-4k``, it then converts a generated
3840x2160 clip of 8 s and reports that run's peak memory. The machine may be
noisy: compare ratios measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident memory (MB) of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"command failed ({code}): {' '.join(cmd)}\n{err[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def make_clip(path: Path, width: int, height: int, seconds: float) -> None:
    from reframe.testing import media

    n = int(seconds * 30)
    third = n // 3
    media.make_clip(
        path, width=width, height=height, fps=Fraction(30), seconds=seconds,
        head_height=height * 0.18,
        path_x=lambda i: width * (0.25 + 0.5 * ((i % third) / third)),
        cut_frames=(third, 2 * third), preset="veryfast", crf=20, keyint=60,
    )


def export_revision(rev: str, dst: Path) -> Path:
    """The package of git revision ``rev``, with its shipped models, exported under ``dst`` (for PYTHONPATH)."""
    dst.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "reframe", "models"], capture_output=True)
    if archive.returncode != 0:
        sys.exit(f"cannot export revision {rev}: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(dst)], input=archive.stdout, check=True)
    # Installed, the models are the package reframe.models.
    (dst / "models").rename(dst / "reframe" / "models")
    return dst


def centre_path(src: Path, dst: Path) -> Path:
    """A copy of the crop path ``src`` with every window at the centre of the frame (written to ``dst``)."""
    from reframe.croppath import CropPath

    path = CropPath.load(src)
    windows = path.windows.copy()
    windows[:, 0] = (path.source.width - windows[:, 2]) / 2
    windows[:, 1] = (path.source.height - windows[:, 3]) / 2
    path.with_windows(windows).save(dst)
    return dst


def path_commands(path_json: Path, info, dst: Path, crop_w: int, crop_h: int) -> Path:
    """An ffmpeg ``sendcmd`` file that moves a ``crop_w`` x ``crop_h`` crop to the
    centre of each window of the crop path, at each frame's time in the video
    ``info`` describes (written to ``dst``)."""
    import numpy as np

    from reframe.croppath import CropPath

    w = CropPath.load(path_json).windows
    xs = np.clip(np.round(w[:, 0] + (w[:, 2] - crop_w) / 2), 0, info.width - crop_w).astype(int)
    ys = np.clip(np.round(w[:, 1] + (w[:, 3] - crop_h) / 2), 0, info.height - crop_h).astype(int)
    times = info.timestamps[: len(w)] - info.start_time
    dst.write_text("".join(f"{t:.6f} crop x {x}, crop y {y};\n" for t, x, y in zip(times, xs, ys)))
    return dst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("clip", nargs="?", type=Path)
    ap.add_argument("--size", default="1920x1080", help="generated clip size (default 1920x1080)")
    ap.add_argument("--seconds", type=float, default=24.0)
    ap.add_argument("--aspect", default="9:16")
    ap.add_argument("--preset", default="veryfast")
    ap.add_argument("--crf", type=int, default=20)
    ap.add_argument("--encoder", default="libx264", help="reframe's encoder (ffmpeg's crop always uses libx264)")
    ap.add_argument("--no-4k", dest="four_k", action="store_false", help="skip the 4K memory run")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of every command; each keeps its fastest")
    ap.add_argument("--baseline-rev", metavar="REV", help="also time `reframe analyze` of git revision REV")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    import imageio_ffmpeg

    import reframe
    from reframe.config import RenderConfig
    from reframe.croppath import window_size

    work = Path(tempfile.mkdtemp(prefix="reframe-speed-"))
    clip = args.clip
    if clip is None:
        w, h = (int(v) for v in args.size.lower().split("x"))
        clip = work / f"bench_{w}x{h}.mp4"
        print(f"generating {clip.name} ({w}x{h}, {args.seconds:.0f} s, moving face, 2 cuts)...", flush=True)
        make_clip(clip, w, h, args.seconds)
    info = reframe.probe(clip)
    aspect = reframe.Aspect.parse(args.aspect)
    cw, ch = window_size(info.width, info.height, aspect)
    ow, oh = RenderConfig().output_size(cw, ch)
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    crop = f"crop={int(cw) // 2 * 2}:{int(ch) // 2 * 2},scale={ow}:{oh}"
    enc = ["-c:v", "libx264", "-preset", args.preset, "-crf", str(args.crf), "-pix_fmt", "yuv420p",
           "-c:a", "copy", "-movflags", "+faststart"]
    cli = [sys.executable, "-m", "reframe"]
    runs = {
        "ffmpeg centre crop": [ffmpeg, "-v", "error", "-y", "-i", str(clip), "-vf", crop, *enc, str(work / "centre.mp4")],
        "reframe convert": [*cli, "convert", str(clip), "-o", str(work / "reframed.mp4"), "--aspect", str(aspect),
                            "--preset", args.preset, "--crf", str(args.crf), "--encoder", args.encoder,
                            "--overwrite", "-q"],
        "reframe plan": [*cli, "plan", str(clip), "-o", str(work / "path.json"), "--aspect", str(aspect),
                            "--overwrite", "-q"],
    }
    render = [*cli, "render", str(clip), "--preset", args.preset, "--crf", str(args.crf), "--encoder", args.encoder,
              "--overwrite", "-q"]
    cwds = {"ffmpeg along path": work}  # where each command runs (default: the repository)
    if args.baseline_rev:
        older = export_revision(args.baseline_rev, work / "baseline")
        # Run from the export: `python -m` puts the working folder first on the import path.
        name = f"analyze @{args.baseline_rev}"
        runs[name] = [*cli, "analyze", str(clip), "-o", str(work / "path_baseline.json"), "--aspect", str(aspect),
                      "--overwrite", "-q"]
        cwds[name] = older
    os.chdir(ROOT)
    # One analysis first, untimed: it writes the path the renders below use
    # (and reads the clip into the page cache for every command alike).
    timed(runs["reframe plan"])
    # Rendering alone, with the planned path and with every window moved to the
    # centre: the second encodes the same picture as ffmpeg's crop, so it shows
    # the pipeline's own cost apart from the encoder's extra work on a moving picture.
    centred = centre_path(work / "path.json", work / "centre_path.json")
    for name, path in (("reframe render", work / "path.json"), ("render, centre path", centred)):
        runs[name] = [*render, "-p", str(path), "-o", str(work / f"{path.stem}.mp4")]
    # ffmpeg's crop moved along the same path: what encoding this moving picture costs ffmpeg itself.
    cmds = path_commands(work / "path.json", info, work / "path_commands.txt", int(cw) // 2 * 2, int(ch) // 2 * 2)
    runs["ffmpeg along path"] = [ffmpeg, "-v", "error", "-y", "-i", str(clip), "-vf", f"sendcmd=f={cmds.name},{crop}",
                                 *enc, str(work / "along.mp4")]
    # Each round runs every command once; each keeps its fastest round, so a
    # burst of load on the shared machine spoils one round, not the ratios.
    results: dict[str, tuple[float, float, float]] = {}
    for round_ in range(args.repeat):
        for name, cmd in runs.items():
            t = timed(cmd, cwd=cwds.get(name))
            print(f"  round {round_ + 1}, {name}: {t[0]:.1f} s", flush=True)
            if name not in results or t[0] < results[name][0]:
                results[name] = t
    four_k = None
    if args.four_k:
        big = work / "bench_3840x2160.mp4"
        print(f"generating {big.name} (3840x2160, 8 s, moving face, 2 cuts)...", flush=True)
        make_clip(big, 3840, 2160, 8.0)
        four_k = timed([*cli, "convert", str(big), "-o", str(work / "reframed_4k.mp4"), "--aspect", str(aspect),
                        "--preset", args.preset, "--crf", str(args.crf), "--encoder", args.encoder,
                        "--overwrite", "-q"])
        print(f"  reframe convert 4K: {four_k[0]:.1f} s", flush=True)
    base, base_cpu = results["ffmpeg centre crop"][:2]
    print(f"\n{clip.name}: {info.width}x{info.height} at {float(info.fps):.3g} fps, {info.duration:.1f} s -> {ow}x{oh}"
          f" ({args.preset}, crf {args.crf}, reframe with {args.encoder}) on {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'run':<20} {'seconds':>8} {'x ffmpeg':>9} {'x real time':>12} {'CPU s':>7} {'CPU x ffmpeg':>13} {'peak MB':>8}")
    for name, (secs, cpu, mb) in results.items():
        print(f"{name:<20} {secs:8.1f} {secs / base:9.2f} {info.duration / secs:12.2f} {cpu:7.1f} {cpu / base_cpu:13.2f}"
              f" {mb:8.0f}")
    if args.baseline_rev:
        (now, now_cpu, _), (then, then_cpu, _) = results["reframe plan"], results[f"analyze @{args.baseline_rev}"]
        print(f"analysis against {args.baseline_rev}: {now / then:.3f}x the time, {now_cpu / then_cpu:.3f}x the CPU")
    floor = results["ffmpeg along path"][0]
    print(f"against ffmpeg's crop along the same path: convert {results['reframe convert'][0] / floor:.2f}x, "
          f"render {results['reframe render'][0] / floor:.2f}x")
    if four_k is not None:
        secs, cpu, mb = four_k
        print(f"{'reframe convert 4K':<20} {secs:8.1f} {'':>9} {8.0 / secs:12.2f} {cpu:7.1f} {'':>13} {mb:8.0f}"
              "   (3840x2160, 8 s)")


if __name__ == "__main__":
    main()
