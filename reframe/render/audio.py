"""Audio: the source audio streams kept, muxed alongside the video.

Each kept stream is copied when MP4 can hold its codec and re-encoded to
AAC otherwise. Audio that starts before the picture is kept: the output
starts with it, the first picture held until the source's first frame.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction

from ..config import RenderConfig
from ..errors import InputError
from ..probe import AudioStreamInfo, VideoInfo
from .output import _reason

# Audio codecs the MP4 muxer accepts as they are; anything else is re-encoded to AAC.
MP4_AUDIO_CODECS = frozenset({"aac", "mp3", "ac3", "eac3", "alac", "opus", "flac"})

# Seconds of audio before the first video frame below which that audio is
# dropped rather than the first picture held: an AAC encoder's priming
# (about 21 ms) often shows as such a lead.
HELD_AUDIO_MIN = 0.05


def _held_lead(info: VideoInfo, kept: list[AudioStreamInfo], frame_ticks: int) -> int:
    """How long (``info.time_base`` ticks, whole frames of ``frame_ticks``) the first picture is held
    before the source's first frame, for the ``kept`` audio that starts earlier."""
    audio_start = min((a.start_time for a in kept if a.start_time is not None), default=info.start_time)
    lead = info.start_time - audio_start
    return frame_ticks * round(lead / float(frame_ticks * info.time_base)) if lead >= HELD_AUDIO_MIN else 0


def _kept_audio(info: VideoInfo, config: RenderConfig) -> list[AudioStreamInfo]:
    """The source audio streams the output keeps: the default one, or all with ``audio_tracks="all"``."""
    if config.audio == "none" or not info.audio:
        return []
    if config.audio_tracks == "all":
        return list(info.audio)
    return [info.default_audio]  # type: ignore[list-item]


class _AudioTracks:
    """The kept audio streams of one output, muxed alongside its video."""

    def __init__(
        self, info: VideoInfo, out, config: RenderConfig, chosen: list[AudioStreamInfo], origin: float,
        end_time: float,
    ) -> None:
        self.feeders: list[_AudioFeeder] = []
        try:
            for stream_info in chosen:
                self.feeders.append(_AudioFeeder(info, out, config, origin, end_time, stream_info))
        except BaseException:
            self.close()
            raise
        self.kept = tuple(chosen)
        self.codec = self.feeders[0].codec if self.feeders else None

    def feed_until(self, t: float) -> None:
        for feeder in self.feeders:
            feeder.feed_until(t)

    def finish(self) -> None:
        for feeder in self.feeders:
            feeder.finish()

    def close(self) -> None:
        for feeder in self.feeders:
            feeder.close()


class _AudioFeeder:
    """Mux one source audio stream alongside the video packets.

    Packets are read from a second handle on the source, a little ahead of
    the video, so the muxer can interleave without buffering the whole
    track. Stream copy when MP4 can hold the codec, AAC otherwise.
    """

    AHEAD = 0.5  # seconds of audio muxed ahead of the video

    def __init__(
        self, info: VideoInfo, out, config: RenderConfig, origin: float, end_time: float, stream_info: AudioStreamInfo
    ) -> None:
        import av

        self.codec: str | None = None
        self.path = info.path
        self.out = out
        self.origin = origin
        self.end_time = end_time
        self._packets: Iterator | None = None
        self._done = True
        self._container = None
        try:
            self._container = av.open(str(info.path), metadata_errors="ignore")
        except (av.error.FFmpegError, OSError) as e:
            raise InputError(f"cannot open {info.path} for its audio: {_reason(e)}") from e
        src = self._container.streams[stream_info.index]
        self.src = src
        self.tb = src.time_base
        self.copy = config.audio == "auto" and stream_info.codec in MP4_AUDIO_CODECS
        if self.copy:
            self.ost = out.add_stream_from_template(src)
            self.codec = stream_info.codec
        else:
            rate = stream_info.sample_rate or 48000
            layout = src.codec_context.layout.name if src.codec_context.layout else "stereo"
            self.ost = out.add_stream("aac", rate=rate, layout=layout)
            self.ost.bit_rate = 64000 * max(2, min(stream_info.channels or 2, 8))
            self.codec = "aac"
        try:  # the source's default track stays the one players pick
            self.ost.disposition = av.stream.Disposition.default if stream_info.default else av.stream.Disposition(0)
        except (AttributeError, TypeError, ValueError):
            pass
        self._packets = self._container.demux(src)
        self._done = False
        self._fed_until = -math.inf

    def feed_until(self, t: float) -> None:
        """Mux audio up to ``t + AHEAD`` output seconds."""
        if self._done or t + self.AHEAD <= self._fed_until:
            return
        self._feed(t + self.AHEAD)

    def finish(self) -> None:
        """Mux the rest of the audio (up to the video's end), then flush the encoder."""
        if self._packets is not None and not self._done:
            self._feed(math.inf)
        if self._packets is not None and not self.copy:
            for packet in self.ost.encode(None):
                self.out.mux(packet)
        self.close()

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None

    def _feed(self, limit: float) -> None:
        import av

        assert self._packets is not None
        while True:
            try:
                packet = next(self._packets)
            except StopIteration:
                break
            except av.error.FFmpegError as e:
                raise InputError(f"cannot read the audio of {self.path}: {_reason(e)}") from e
            if packet.size == 0 or packet.pts is None:
                continue
            t = float(packet.pts * self.tb) - self.origin
            self._fed_until = t
            if t >= self.end_time - 1e-6:
                self._done = True  # past the last video frame: keep durations equal
                return
            if self.copy:
                shift = round(self.origin / self.tb)
                packet.pts -= shift
                if packet.dts is not None:
                    packet.dts -= shift
                packet.stream = self.ost
                self.out.mux(packet)
            else:
                try:
                    frames = self.src.decode(packet)
                except av.error.FFmpegError:
                    continue  # one lost audio packet is a click, not a reason to fail
                for frame in frames:
                    start = (frame.time if frame.time is not None else t) - self.origin
                    if start + frame.samples / frame.sample_rate <= 0:
                        continue  # entirely before the first video frame
                    frame.pts = round(start * frame.sample_rate)
                    frame.time_base = Fraction(1, frame.sample_rate)
                    for out_packet in self.ost.encode(frame):
                        self.out.mux(out_packet)
            if t > limit:
                return
        self._done = True
