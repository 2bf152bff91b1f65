"""Encoder set-up: which encoder, its options, and the video stream it writes.

``av`` is imported inside the functions, as everywhere in this package, to
keep importing reframe fast.
"""

from __future__ import annotations

import functools
from fractions import Fraction

from ..config import RenderConfig
from ..errors import UsageError
from ..probe import VideoInfo
from .output import _reason

# Each encoder's constant-quality option, fed from ``RenderConfig.crf`` (x264's scale, 0-51).
_QUALITY_OPTION = {"libx264": "crf", "libx265": "crf", "h264_nvenc": "cq", "hevc_nvenc": "cq",
                   "h264_qsv": "global_quality", "hevc_qsv": "global_quality", "h264_amf": "qp_i"}


@functools.lru_cache(maxsize=None)
def check_encoder(name: str) -> str:
    """The pixel format ``name`` is fed in; :class:`UsageError` if FFmpeg lacks
    this video encoder or it cannot start here (no such GPU, no driver).

    >>> check_encoder("libx264")
    'yuv420p'
    """
    import av

    try:
        codec = av.Codec(name, "w")
    except (av.error.FFmpegError, ValueError, KeyError):
        codec = None
    if codec is None or codec.type != "video":
        h264 = sorted(n for n in av.codecs_available if "264" in n and _is_encoder(n))
        raise UsageError(f"encoder {name} is not a video encoder of this FFmpeg; H.264 encoders here: {', '.join(h264)}")
    formats = [f.name for f in codec.video_formats or ()]
    fmt = next((f for f in ("yuv420p", "nv12") if f in formats), None)
    if fmt is None:
        raise UsageError(f"encoder {name} takes none of yuv420p or nv12 frames ({', '.join(formats)}); use libx264")
    if name != "libx264":
        # Hardware encoders are listed whether or not the device exists: open one to know.
        cc = av.CodecContext.create(codec)
        cc.width, cc.height, cc.pix_fmt, cc.time_base = 256, 256, fmt, Fraction(1, 25)
        try:
            cc.open()
        except av.error.FFmpegError as e:
            raise UsageError(f"encoder {name} cannot start on this machine ({_reason(e)}); use libx264") from None
    return fmt


def _is_encoder(name: str) -> bool:
    import av

    try:
        return av.Codec(name, "w").type == "video"
    except (av.error.FFmpegError, ValueError, KeyError):
        return False


def add_video_stream(out, info: VideoInfo, config: RenderConfig, pix_fmt: str, size: tuple[int, int]):
    """Add the output's video stream to the container ``out``: ``config``'s encoder at the source's
    rate and time base, fed ``pix_fmt`` frames of ``size``, tagged with the output's colours."""
    vs = out.add_stream(config.encoder, rate=info.fps)
    vs.width, vs.height = size
    vs.pix_fmt = pix_fmt
    vs.time_base = info.time_base
    vs.codec_context.time_base = info.time_base
    vs.codec_context.framerate = info.fps
    vs.codec_context.thread_count = 0
    # Frame threads, as ffmpeg's command line uses (PyAV defaults to
    # slice threads, which keep fewer frames in flight and stall more).
    vs.codec_context.thread_type = "FRAME"
    vs.options = _encoder_options(config)
    for name, value in colour_tags(info).items():
        try:
            setattr(vs.codec_context, name, value)
        except (AttributeError, ValueError, TypeError):
            pass
    return vs


def _encoder_options(config: RenderConfig) -> dict[str, str]:
    options = {}
    quality = _QUALITY_OPTION.get(config.encoder)
    if quality:
        options[quality] = str(config.crf)
    if config.encoder in ("libx264", "libx265"):
        options["preset"] = config.preset
    return options


def colour_tags(info: VideoInfo) -> dict[str, int]:
    """The colour tags (FFmpeg codes) of the pixels rendered from ``info``'s video, so players show them right.

    HDR sources are tone-mapped to BT.709 limited range when decoded
    (:mod:`reframe.colour`); SDR sources keep their matrix, primaries,
    transfer and range (8-bit conversion of a 10-bit source changes none).
    """
    if info.hdr:
        return {"colorspace": 1, "color_primaries": 1, "color_trc": 1, "color_range": 1}
    tags = {"colorspace": info.colorspace, "color_primaries": info.color_primaries, "color_trc": info.color_trc,
            "color_range": info.color_range}
    if info.full_range:  # yuvj formats carry full range in the pixel format, not the tag
        tags["color_range"] = 2
    return tags
