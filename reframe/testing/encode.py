"""Writing generated frames and sound as an H.264/AAC MP4, with the ffmpeg of the imageio-ffmpeg wheel."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np


def tone_with_beeps(n_samples: int, rate: int, beep_times: Sequence[float]) -> np.ndarray:
    """Mono int16: a quiet 440 Hz tone with 50 ms 1 kHz beeps at ``beep_times``.

    The beeps let a test find audio/video offsets; the tone keeps the track
    from being digital silence, which some tools treat as absent.
    """
    t = np.arange(n_samples) / rate
    sig = 0.08 * np.sin(2 * np.pi * 440 * t)
    for start in beep_times:
        on = (t >= start) & (t < start + 0.05)
        sig[on] += 0.5 * np.sin(2 * np.pi * 1000 * (t[on] - start))
    return (np.clip(sig, -1, 1) * 32767).astype(np.int16)


def ffmpeg_exe() -> str:
    """The ffmpeg binary shipped with imageio-ffmpeg, so no system ffmpeg is needed."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def encode(
    path: str | Path,
    frames,
    *,
    width: int,
    height: int,
    fps: Fraction,
    audio: np.ndarray | None = None,
    sample_rate: int = 48000,
    preset: str = "ultrafast",
    crf: int = 20,
    keyint: int | None = None,
    audio_bitrate: str = "96k",
    extra: Sequence[str] = (),
) -> None:
    """Pipe RGB ``uint8`` frames (an iterable) to ffmpeg as H.264 yuv420p, with optional AAC audio.

    ``audio`` is int16 of shape ``(n,)`` or ``(n, channels)``. ``keyint`` is
    the keyframe interval in frames (default: one per second), so seeking
    tests have several keyframes to land on.
    """
    if width % 2 or height % 2:
        raise ValueError("yuv420p needs an even width and height")
    path = Path(path)
    fps = Fraction(fps)
    keyint = keyint or max(1, round(fps))
    with tempfile.TemporaryDirectory(prefix="reframe-media-") as tmp:
        cmd = [ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
               "-video_size", f"{width}x{height}", "-framerate", f"{fps.numerator}/{fps.denominator}", "-i", "pipe:0"]
        if audio is not None:
            pcm = Path(tmp) / "audio.s16"
            audio = np.ascontiguousarray(audio, dtype=np.int16)
            pcm.write_bytes(audio.tobytes())
            channels = 1 if audio.ndim == 1 else audio.shape[1]
            cmd += ["-f", "s16le", "-ar", str(sample_rate), "-ac", str(channels), "-i", str(pcm)]
        cmd += ["-map", "0:v:0"]
        if audio is not None:
            cmd += ["-map", "1:a:0", "-c:a", "aac", "-b:a", audio_bitrate]
        # Tag the colour matrix that swscale really uses, so players and decoders agree.
        matrix = "bt709" if height >= 720 else "smpte170m"
        cmd += ["-vf", f"scale=out_color_matrix={'bt709' if matrix == 'bt709' else 'bt601'}:out_range=tv,format=yuv420p",
                "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-g", str(keyint),
                "-colorspace", matrix, "-color_primaries", matrix, "-color_trc", matrix, "-color_range", "tv",
                *extra, str(path)]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdin is not None
        try:
            for frame in frames:
                proc.stdin.write(np.ascontiguousarray(frame, dtype=np.uint8).tobytes())
        except BrokenPipeError:
            pass  # ffmpeg died; its message is reported below
        finally:
            proc.stdin.close()
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.wait() != 0:
            raise RuntimeError(f"ffmpeg failed ({proc.returncode}): {err.strip()}")
