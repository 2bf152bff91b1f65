"""The encoding loop: decode the source once, compose and encode each output's frames.

Every source frame keeps its own presentation time (variable frame rates
stay exact); audio is muxed alongside as the video advances.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

from ..config import ProgressCallback, RenderConfig
from ..errors import InputError
from ..frames import plane_array
from ..probe import AudioStreamInfo, VideoInfo
from .audio import _AudioTracks, _held_lead, _kept_audio
from .compose import Compositor
from .encoder import add_video_stream
from .output import _Target, close_quietly, open_container, output_errors
from .warp import _Warper


def _encode(
    targets: list[_Target], info: VideoInfo, pix_fmt: str, config: RenderConfig, progress: ProgressCallback | None
) -> list[tuple[int, float, str | None, tuple[AudioStreamInfo, ...]]]:
    """Decode ``info``'s video once and write every target from it: per target,
    the frames encoded, the duration, the audio codec and the audio streams kept."""
    from ..frames import FrameReader

    n = info.frame_count
    step = max(1, n // 200)
    pause_after = _test_pause_after()
    with FrameReader(info) as reader:
        outputs: list[_Output] = []
        try:
            for target in targets:
                outputs.append(_Output(target, info, pix_fmt, config))
            if progress:
                progress("render", 0.0)
            # Warping the next frame (OpenCV, without the GIL) overlaps with
            # encoding this one: together they would otherwise take turns.
            with ThreadPoolExecutor(max_workers=1) as pool:
                pending = None
                count = 0
                for frame in reader:
                    if frame.index >= n:
                        raise InputError(f"{info.path} has more frames than its index lists ({n}); remux it first")
                    job = (frame, [pool.submit(o.make_frame, frame) for o in outputs])
                    if pending is not None:
                        for o, made in zip(outputs, pending[1]):
                            o.encode(pending[0], made.result())
                    pending = job
                    count += 1
                    if count == pause_after:
                        _test_pause()
                    if progress and count % step == 0:
                        progress("render", min(0.999, count / n))
                if pending is not None:
                    for o, made in zip(outputs, pending[1]):
                        o.encode(pending[0], made.result())
            reader.check()
            for o in outputs:
                o.finish()
        except BaseException:
            for o in outputs:
                o.close_quietly()
            raise
    if progress:
        progress("render", 1.0)
    return [(o.count, o.duration, o.audio.codec, o.audio.kept) for o in outputs]


def _test_pause_after() -> int | None:
    """For tests only: ``REFRAME_TEST_PAUSE_AFTER_FRAMES=N`` with ``REFRAME_TEST_PAUSE_MARKER=FILE``
    makes the first render (of any process) that reaches N frames create FILE
    and wait there for a signal, so a test can interrupt it at a known point."""
    value = os.environ.get("REFRAME_TEST_PAUSE_AFTER_FRAMES")
    return int(value) if value and os.environ.get("REFRAME_TEST_PAUSE_MARKER") else None


def _test_pause() -> None:
    try:  # created exclusively: only the first render to get here pauses
        os.close(os.open(os.environ["REFRAME_TEST_PAUSE_MARKER"], os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    deadline = time.monotonic() + 300  # a forgotten test goes on rather than hangs
    while time.monotonic() < deadline:
        time.sleep(0.05)


class _Output:
    """One output file being written: its container, video stream, audio tracks and compositor."""

    def __init__(self, target: _Target, info: VideoInfo, pix_fmt: str, config: RenderConfig) -> None:
        import av

        self._av = av  # imported here, as everywhere in this package, to keep importing reframe fast
        self.dst, self.pix_fmt = target.dst, pix_fmt
        self.out_w, self.out_h = target.size
        self.tb = info.time_base
        kept = _kept_audio(info, config)
        # Audio that starts before the picture is kept: the output starts with
        # it, holding the first picture for whole frames until the source's
        # first frame. Audio and picture move by the same amount.
        self.frame_ticks = max(1, round(1 / (info.fps * self.tb)))  # one nominal frame
        self.lead = _held_lead(info, kept, self.frame_ticks)
        self.origin_ticks = round(info.start_time / self.tb) - self.lead
        origin = float(self.origin_ticks * self.tb)
        self.duration = info.duration + float(self.lead * self.tb)
        self.out = open_container(target)
        self.audio: _AudioTracks | None = None
        with output_errors(self.dst):
            self.vs = add_video_stream(self.out, info, config, pix_fmt, target.size)
            # end_time: output seconds; audio past the last frame is dropped
            self.audio = _AudioTracks(info, self.out, config, kept, origin, self.duration)
        self.compositor = Compositor(target.crop_path, info, self.out_w, self.out_h, _Warper(info))
        self.last_pts: int | None = None
        self.durations: dict[int, int] = {}  # output pts -> source frame duration
        self.count = 0

    def make_frame(self, frame):
        """The output picture of source ``frame``, composed straight into the frame the encoder takes."""
        vf = self._av.VideoFrame(self.out_w, self.out_h, "yuv420p")
        self.compositor.frame(frame.to_yuv420p(), frame.index, tuple(plane_array(p) for p in vf.planes[:3]))
        return vf if self.pix_fmt == "yuv420p" else vf.reformat(format=self.pix_fmt)

    def encode(self, frame, vf) -> None:
        """Encode ``vf``, the output picture of source ``frame``, at the source frame's time."""
        if self.count == 0 and self.lead:
            for held in range(0, self.lead, self.frame_ticks):  # the first picture, held until it starts
                self._encode_at(vf, held, self.frame_ticks)
        pts = frame.pts if frame.pts is not None else round(frame.time / self.tb)
        pts -= self.origin_ticks
        if self.last_pts is not None and pts <= self.last_pts:
            pts = self.last_pts + 1  # the encoder needs strictly increasing times
        self._encode_at(vf, pts, frame.av_frame.duration)

    def _encode_at(self, vf, pts: int, duration: int) -> None:
        vf.pts = self.last_pts = pts
        vf.time_base = self.tb
        self.durations[pts] = duration
        with output_errors(self.dst):
            for packet in self.vs.encode(vf):
                _mux_video(self.out, packet, self.durations, self.audio, self.tb)
        self.count += 1

    def finish(self) -> None:
        """Flush the encoder, mux the rest of the audio and close the file."""
        with output_errors(self.dst):
            for packet in self.vs.encode(None):
                _mux_video(self.out, packet, self.durations, self.audio, self.tb)
            self.audio.finish()
            self.out.close()

    def close_quietly(self) -> None:
        close_quietly(self.audio, self.out)


def _mux_video(out, packet, durations: dict[int, int], audio: _AudioTracks, tb: Fraction) -> None:
    # The encoder drops frame durations; the muxer then guesses the last
    # frame's from the previous interval, which is wrong for VFR sources.
    if packet.pts is not None:
        d = durations.pop(packet.pts, 0)
        if d:
            packet.duration = d
        audio.feed_until(float(packet.pts * tb))
    out.mux(packet)
