"""The crop path's JSON object: writing it, and reading it back from any version this reframe reads
(version 1 files have no layouts, panels or content box; version 2 lacks only optional fields)."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from .. import jsonfile
from ..config import Aspect
from ..detections import Detections
from ..errors import CropPathError
from ..overrides import Overrides
from ..subtitle_place import MovedBand
from .keyframes import _expand, _expand_panel, _keyframes, _num
from .parts import FORMAT, READS, Shot, SourceRef

if TYPE_CHECKING:
    from .path import CropPath


def to_dict(path: CropPath, with_detections: bool = False) -> dict:
    """The JSON object of ``path``; ``with_detections`` adds the detections (when the path has them)."""
    src = path.source
    out = {
        "format": FORMAT,
        "version": path.version,
        "source": {
            "name": src.name,
            "width": src.width,
            "height": src.height,
            "fps": f"{src.fps.numerator}/{src.fps.denominator}",
            "frame_count": src.frame_count,
            "duration": round(src.duration, 6),
        },
        "aspect": str(path.aspect),
        "content": [_num(v) for v in path.content_box],
        "shots": [_shot_dict(path, s) for s in path.shots],
        "keyframes": [[f, *(_num(v) for v in path.windows[f])] for f in path.keyframes()],
    }
    if with_detections and path.detections is not None:
        out["detections"] = [
            {"frame": int(f), "items": d.to_list()} for f, d in sorted(path.detections.items()) if len(d)
        ]
    return out | ({"overrides": path.overrides.to_dict()} if path.overrides else {})


def _shot_dict(path: CropPath, s: Shot) -> dict:
    d = {"start": s.start, "end": s.end, "subject": s.subject, "layout": s.layout, "motion": s.motion,
         "reason": s.reason, "note": s.note}
    if s.start in path.panels:
        d["panels"] = [
            [[s.start + f, *(_num(v) for v in track[f])] for f in _keyframes(track, 0, len(s))]
            for track in path.panels[s.start]
        ]
    if s.subtitles is not None:
        d["subtitles"] = s.subtitles.to_dict()
    return d


def from_dict(cls: type[CropPath], data: dict) -> CropPath:
    """A crop path (of class ``cls``) from its JSON object, of any version in :data:`READS`."""
    jsonfile.check_format(data, FORMAT, READS, "crop path", CropPathError)
    with jsonfile.malformed("crop path", CropPathError):
        s = data["source"]
        source = SourceRef(
            str(s["name"]), int(s["width"]), int(s["height"]), Fraction(str(s["fps"])),
            int(s["frame_count"]), float(s["duration"]),
        )
        n = source.frame_count
        if "windows" in data:
            windows = np.asarray(data["windows"], dtype=np.float64).reshape(-1, 4)
        else:
            windows = _expand(np.asarray(data["keyframes"], dtype=np.float64).reshape(-1, 5), n)
        shots = tuple(
            Shot(
                int(d["start"]), int(d["end"]), str(d.get("subject", "none")), str(d.get("note", "")),
                str(d.get("motion", "calm")), str(d.get("layout", "follow")), str(d.get("reason", "")),
                _moved_band(d),
            )
            for d in data["shots"]
        )
        panels = {
            int(d["start"]): np.stack([_expand_panel(t, int(d["start"]), int(d["end"])) for t in d["panels"]])
            for d in data["shots"]
            if d.get("panels")
        }
        content = data.get("content")
        dets = None
        if data.get("detections") is not None:
            dets = {int(d["frame"]): Detections.from_list(d["items"]) for d in data["detections"]}
        return cls(
            source, Aspect.parse(data["aspect"]), windows, shots, dets,
            content=tuple(float(v) for v in content) if content is not None else None, panels=panels,
            overrides=Overrides.from_dict(data.get("overrides") or {}),
        )



def _moved_band(shot: dict) -> MovedBand | None:
    if shot.get("subtitles") is None:
        return None
    return MovedBand.from_dict(shot["subtitles"], f"shot [{shot.get('start')}, {shot.get('end')})")
