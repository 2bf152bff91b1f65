"""Generate small test videos with the ffmpeg that imageio-ffmpeg ships.

Every clip is made from lavfi sources (testsrc2, sine, color) so tests need
no media files in the repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def ffmpeg(*args: str | Path) -> None:
    """Run ffmpeg quietly; fail the test with its message on error."""
    cmd = [FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *map(str, args)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"ffmpeg failed: {' '.join(cmd)}\n{done.stderr}")


def clip(
    path: Path,
    *,
    size: str = "320x180",
    rate: str = "30",
    duration: float = 1.0,
    audio: bool = True,
    extra: tuple[str, ...] = (),
    vf: str | None = None,
    audio_codec: str = "aac",
) -> Path:
    """A testsrc2 clip (H.264, yuv420p), with a 440 Hz tone unless ``audio`` is false."""
    args: list[str] = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={duration}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={duration}"]
    if vf:
        args += ["-vf", vf]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio:
        args += ["-c:a", audio_codec]
    args += [*extra, path]
    ffmpeg(*args)
    return path


def patches(path: Path, *, duration: float = 1.0, rate: int = 30) -> Path:
    """320x180 black with a red square at x 20-60 and a blue one at x 260-300 (y 70-110)."""
    ffmpeg(
        "-f", "lavfi", "-i", f"color=black:size=320x180:rate={rate}:duration={duration}",
        "-vf", "drawbox=x=20:y=70:w=40:h=40:color=red:t=fill,drawbox=x=260:y=70:w=40:h=40:color=blue:t=fill",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path,
    )
    return path


def vfr(path: Path) -> Path:
    """60 frames: 30 at 1/30 s steps, then 30 at 2/30 s steps."""
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=2",
        "-vf", "settb=1/30,setpts='if(lt(N,30),N,30+(N-30)*2)'",
        "-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "ultrafast",
        "-video_track_timescale", "30000", path,
    )
    return path


def vfr_times() -> np.ndarray:
    n = np.arange(60)
    return np.where(n < 30, n, 30 + (n - 30) * 2) / 30.0


def with_display(src: Path, dst: Path, rotation: int = 0, hflip: bool = False) -> Path:
    """Copy ``src`` with a display matrix (counter-clockwise ``rotation``, optional mirror)."""
    args: list[str] = ["-display_rotation", str(rotation)]
    if hflip:
        args.append("-display_hflip")
    ffmpeg(*args, "-i", src, "-c", "copy", dst)
    return dst


def decode_rgb(path: Path, width: int, height: int, frame: int = 0) -> np.ndarray:
    """Frame ``frame`` as ffmpeg itself displays it (autorotated), ``(height, width, 3)`` RGB."""
    cmd = [FFMPEG, "-v", "error", "-i", str(path), "-vf", f"select=eq(n\\,{frame})", "-frames:v", "1",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    out = subprocess.run(cmd, capture_output=True, check=True).stdout
    return np.frombuffer(out, np.uint8).reshape(height, width, 3)


def corrupt_copy(src: Path, dst: Path, spots: int = 3, length: int = 3000, seed: int = 0) -> Path:
    """``src`` with random bytes written over a few places of the middle of the file."""
    data = bytearray(src.read_bytes())
    rng = np.random.default_rng(seed)
    n = len(data)
    for k in range(1, spots + 1):
        off = n * k // (spots + 1)
        data[off : off + length] = rng.integers(0, 256, min(length, n - off), dtype=np.uint8).tobytes()
    dst.write_bytes(bytes(data))
    return dst


def tagged(path: Path, *, size: str = "320x180", duration: float = 1.0, pix_fmt: str = "yuv420p10le",
           params: str = "", vf: str = "") -> Path:
    """A silent testsrc2 clip in ``pix_fmt`` with ``setparams`` colour tags (e.g. ``color_trc=smpte2084``)."""
    chain = ",".join(f for f in (vf, f"setparams={params}" if params else "", f"format={pix_fmt}") if f)
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30:duration={duration}", "-vf", chain,
           "-c:v", "libx264", "-preset", "ultrafast", path)
    return path


def hdr_patches(path: Path, trc: str, white_code: int, frames: int = 6) -> Path:
    """160x90 10-bit BT.2020 clip tagged ``trc``: left half grey at Y code ``white_code``, right half black (64)."""
    y = np.full((90, 160), 64, np.uint16)
    y[:, :80] = white_code
    uv = np.full((45, 80), 512, np.uint16)
    raw = path.with_suffix(".yuv")
    raw.write_bytes((y.tobytes() + uv.tobytes() * 2) * frames)
    ffmpeg("-f", "rawvideo", "-pix_fmt", "yuv420p10le", "-video_size", "160x90", "-framerate", "30", "-i", raw,
           "-vf", f"setparams=color_primaries=bt2020:color_trc={trc}:colorspace=bt2020nc:range=tv",
           "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", path)
    raw.unlink()
    return path


def interlaced(path: Path, duration: float = 1.0) -> Path:
    """Interlaced H.264 (two fields a frame, top first) of a moving testsrc2 at 320x180."""
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=60:duration={duration}",
           "-vf", "interlace=scan=tff", "-c:v", "libx264", "-preset", "ultrafast", "-flags", "+ilme+ildct", path)
    return path
