"""The analysis: what one decoding pass found in a video, as plain data.

:class:`Analysis` is what :mod:`reframe.analyze` produces and the planner
reads. It lives here, apart from the engine that makes it, so the planner,
the review and a saved analysis need no detector. It saves as JSON
(:meth:`Analysis.save`, versioned like the crop path) and loads back equal,
so a video can be planned again, in another aspect or with corrections,
without being analysed again.

JSON layout (``version`` 1)::

    {
      "format": "reframe.analysis",
      "version": 1,
      "video": {"path": "/clips/in.mp4", "width": 1920, "height": 1080, "fps": "30000/1001",
                "frame_count": 300, "timestamps": [0.0, 0.033367, ...], "audio": [{...}], ...},
      "cuts": [120, 245],
      "transitions": [{"first": 236, "last": 254, "kind": "dissolve"}],
      "content": [0, 140, 1920, 800],
      "subtitles": [{"start": 30, "end": 95, "box": [x, y, w, h]}],
      "speech": [[frame, probability], ...],
      "samples": [{"frame": 0, "items": [{"box": [x1, y1, x2, y2], "score": 0.93, "kind": "face",
                                          "activity": 0.12}]}, ...]
    }

``video`` holds every field of :class:`reframe.probe.VideoInfo` (fractions
as ``"num/den"``). ``samples`` lists every sampled frame, also those where
nothing was found (``"items": []``); boxes are in display pixels of the
source, written as the shortest decimals that read back to the very same
32-bit values, so a loaded analysis plans exactly as the original did.
``content`` and ``speech`` are ``null`` when the picture has no bars or
the video no audio.
"""

from __future__ import annotations

import json
import os
import typing
from dataclasses import dataclass, field, fields
from fractions import Fraction
from pathlib import Path
from typing import ClassVar

import numpy as np

from .detections import Detections, Kind
from . import jsonfile
from .errors import AnalysisFileError
from .probe import AudioStreamInfo, VideoInfo
from .subtitles import SubtitleBand
from .transitions import Transition

FORMAT = "reframe.analysis"
VERSION = 1
READS = (1,)  # versions this reframe can load


@dataclass(frozen=True)
class Analysis(jsonfile.JsonFile):
    """What the analysis found: cuts and per-sample detections.

    ``samples`` maps a frame index to the boxes found on that frame (source
    display pixels). ``cuts`` lists the first frame of every shot but the
    first: the hard cuts, and the middle of every gradual transition
    (dissolve, fade, wipe) without a hard cut in it. ``transitions`` lists
    those transitions, first and last frame, so the planner can hold the
    camera still through them.
    """

    info: VideoInfo
    cuts: tuple[int, ...]
    samples: dict[int, Detections] = field(repr=False)
    content: tuple[float, float, float, float] | None = None  # picture inside burned-in bars: x, y, w, h
    # Speech probability at each sampled frame (see reframe.speaker); None without audio.
    speech: dict[int, float] | None = None
    # Burned-in subtitle bands (see reframe.subtitles); empty when the picture carries none.
    subtitles: tuple[SubtitleBand, ...] = ()
    # Gradual transitions (see reframe.transitions); empty when the clip has none.
    transitions: tuple[Transition, ...] = ()

    WHAT: ClassVar[str] = "analysis"
    ERROR: ClassVar[type[AnalysisFileError]] = AnalysisFileError

    @property
    def content_box(self) -> tuple[float, float, float, float]:
        """The area holding picture (the whole frame unless bars were found)."""
        return self.content or (0.0, 0.0, float(self.info.width), float(self.info.height))

    @property
    def sample_frames(self) -> np.ndarray:
        return np.array(sorted(self.samples), dtype=np.int64)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Analysis):
            return NotImplemented
        return (
            self.info == other.info
            and np.array_equal(self.info.timestamps, other.info.timestamps)
            and tuple(self.cuts) == tuple(other.cuts)
            and self.content == other.content
            and self.speech == other.speech
            and tuple(self.subtitles) == tuple(other.subtitles)
            and tuple(self.transitions) == tuple(other.transitions)
            and self.samples.keys() == other.samples.keys()
            and all(_same(d, other.samples[f]) for f, d in self.samples.items())
        )

    def check_video(self, info: VideoInfo) -> None:
        """Raise :class:`AnalysisFileError` unless this analysis is of a video shaped like ``info``."""
        a = self.info
        if (a.width, a.height, a.frame_count) != (info.width, info.height, info.frame_count):
            raise AnalysisFileError(
                f"the analysis is of a {a.width}x{a.height} video of {a.frame_count} frames ({Path(a.path).name}), "
                f"but {Path(info.path).name} is {info.width}x{info.height} with {info.frame_count} frames"
            )

    # -- serialisation ----------------------------------------------------

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "video": _info_dict(self.info),
            "cuts": [int(c) for c in self.cuts],
            "transitions": [{"first": int(t.first), "last": int(t.last), "kind": str(t.kind)} for t in self.transitions],
            "content": None if self.content is None else [float(v) for v in self.content],
            "subtitles": [
                {"start": int(b.start), "end": int(b.end), "box": [float(v) for v in b.box]} for b in self.subtitles
            ],
            "speech": None if self.speech is None else [[int(f), float(p)] for f, p in sorted(self.speech.items())],
            "samples": [{"frame": int(f), "items": _items(d)} for f, d in sorted(self.samples.items())],
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def save(self, path: str | os.PathLike) -> None:
        """Write the JSON atomically (a partial file renamed into place, :mod:`reframe.atomic`)."""
        jsonfile.write(path, self.to_json() + "\n", "analysis")

    @classmethod
    def from_dict(cls, data: dict) -> Analysis:
        """An analysis from its JSON object (:meth:`from_json` and :meth:`load` read the text or file)."""
        jsonfile.check_format(data, FORMAT, READS, "analysis", AnalysisFileError)
        with jsonfile.malformed("analysis", AnalysisFileError):
            speech, content = data.get("speech"), data.get("content")
            return cls(
                _info_from(data["video"]),
                tuple(int(c) for c in data["cuts"]),
                {int(s["frame"]): Detections.from_list(s["items"]) for s in data["samples"]},
                content=None if content is None else tuple(float(v) for v in content),
                speech=None if speech is None else {int(f): float(p) for f, p in speech},
                subtitles=tuple(
                    SubtitleBand(int(b["start"]), int(b["end"]), tuple(float(v) for v in b["box"]))
                    for b in data.get("subtitles", [])
                ),
                transitions=tuple(
                    Transition(int(t["first"]), int(t["last"]), str(t["kind"])) for t in data.get("transitions", [])
                ),
            )



def _same(a: Detections, b: Detections) -> bool:
    return (
        np.array_equal(a.xyxy, b.xyxy)
        and np.array_equal(a.confidence, b.confidence)
        and np.array_equal(a.kind, b.kind)
        and np.array_equal(a.activity, b.activity, equal_nan=True)
    )


def _shortest(values: np.ndarray) -> list[float]:
    """32-bit ``values`` as the shortest decimals that read back to the same 32-bit values.

    >>> _shortest(np.array([0.1, 153.6], np.float32))
    [0.1, 153.6]
    """
    exact = np.asarray(values, np.float32).ravel()
    short = np.array([float(str(v)) for v in exact], np.float64)
    off = short.astype(np.float32) != exact  # never seen; kept exact (the 64-bit value) if it happens
    short[off] = exact[off]
    return short.tolist()


def _items(d: Detections) -> list[dict]:
    boxes = np.array(_shortest(d.xyxy)).reshape(-1, 4).tolist()
    out = []
    for box, score, kind, activity in zip(boxes, _shortest(d.confidence), d.kind, _shortest(d.activity)):
        item = {"box": box, "score": score, "kind": Kind(kind).name.lower()}
        if np.isfinite(activity):
            item["activity"] = activity
        out.append(item)
    return out


def _info_dict(info: VideoInfo) -> dict:
    out = {}
    for f in fields(VideoInfo):
        v = getattr(info, f.name)
        if isinstance(v, Fraction):
            v = f"{v.numerator}/{v.denominator}"
        elif isinstance(v, Path):
            v = str(v)
        elif isinstance(v, np.ndarray):
            v = v.astype(np.float64).tolist()
        elif f.name == "audio":
            v = [{k.name: getattr(a, k.name) for k in fields(AudioStreamInfo)} for a in v]
        elif isinstance(v, np.generic):
            v = v.item()
        out[f.name] = v
    return out


def _info_from(data: dict) -> VideoInfo:
    """A VideoInfo from :func:`_info_dict`; fields it lacks take their defaults, fields it does not know are left."""
    hints = typing.get_type_hints(VideoInfo)
    kwargs = {}
    for f in fields(VideoInfo):
        if f.name not in data:
            continue
        v, hint = data[f.name], hints[f.name]
        if hint is Fraction:
            v = Fraction(str(v))
        elif hint is Path:
            v = Path(v)
        elif hint is np.ndarray:
            v = np.asarray(v, np.float64)
        elif f.name == "audio":
            v = tuple(AudioStreamInfo(**a) for a in v)
        kwargs[f.name] = v
    return VideoInfo(**kwargs)


__all__ = ["Analysis", "FORMAT", "READS", "VERSION"]
