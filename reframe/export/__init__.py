"""Export a crop path to editing software, as keyframed position and scale.

Two formats, each a sequence of the output size that references the source
file, one clip per shot, the window as keyframed position and scale, with
keyframes exactly where the crop path has them (between two, every editor
interpolates linearly, as reframe does):

- ``premiere``: Final Cut Pro 7 XML (``xmeml`` version 4), which Premiere Pro
  and DaVinci Resolve import. The window is the Basic Motion filter: ``scale``
  in percent (100: the source at its own size) and ``center`` (the source's
  centre as an offset from the frame centre, in fractions of the frame width
  and height, +y down); keyframe times (``when``) are source frames, the
  domain of the clip's ``in`` and ``out``. Every layout can be said: a split
  shot is two clips on two tracks, each cropped to its panel (the Crop
  filter, in percent of the source) and placed in its half; a ``fit`` shot,
  and a ``follow`` window zoomed out beyond the picture, is the picture
  (cropped to the content box) over a copy of it that fills the frame, with
  FCP's Gaussian Blur filter.
- ``fcpxml``: FCPXML 1.10 for Final Cut Pro and Resolve. ``adjust-transform``
  ``position`` (the source's centre from the frame centre, in percent of the
  frame height, +y up) and ``scale`` (1: the source at its own size, with
  ``adjust-conform`` none so the editor does not fit the clip first); times
  are rational seconds in the clip's own timeline, which starts at its source
  time. Crop and blur are not said (their units and effect identifiers are
  not documented), so a split shot is exported as its ``follow`` window and a
  ``fit`` or zoomed-out shot as the picture over black; each such case is a
  warning naming the shots.

Frame times assume a constant frame rate (the source's nominal one).

>>> # export_path("talk.path.json", "premiere", "talk.xml").warnings
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import RenderConfig
from ..croppath import CropPath
from ..errors import OutputError, UsageError
from .fcpxml import _FcpXml
from .layers import Layer, placement, shot_layers, window_of
from .premiere import _Premiere, xmeml_rate

FORMATS = ("premiere", "fcpxml")


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_path` wrote, and what it could only approximate (``warnings``)."""

    path: Path
    format: str
    width: int
    height: int
    clips: int  # video clips written (a split shot counts two, a fit shot two in premiere)
    warnings: tuple[str, ...] = ()


def export_path(
    crop_path: CropPath | str | os.PathLike,
    fmt: str,
    dst: str | os.PathLike,
    *,
    source: str | os.PathLike | None = None,
    size: tuple[int, int] | str | None = None,
    overwrite: bool = False,
) -> ExportResult:
    """Write ``crop_path`` (a :class:`CropPath` or its JSON file) as an editor's sequence.

    ``fmt`` is ``premiere`` (FCP 7 XML) or ``fcpxml``. ``source`` is the video
    the clips reference (default: the path's ``source.name`` beside the JSON
    file, or in the current folder); when it exists it is checked against the
    path and its audio is added, when it does not the sequence still refers to
    it (the editor asks to relink) and a warning says so. ``size`` is the
    sequence size (default: 1080 wide at the path's aspect, as ``render``).
    Raises :class:`UsageError` for an unknown format, :class:`CropPathError`
    for a path of another video, :class:`OutputError` when ``dst`` exists
    (unless ``overwrite``) or cannot be written; nothing is left under
    ``dst`` on failure.
    """
    from ..atomic import partial_path
    from ..probe import probe
    from ..render import check_output

    if fmt not in FORMATS:
        raise UsageError(f"export format {fmt!r} is not one of: {', '.join(FORMATS)}")
    json_file = None
    if not isinstance(crop_path, CropPath):
        json_file = Path(crop_path)
        crop_path = CropPath.load(json_file)
    src = Path(source) if source is not None else (json_file.parent if json_file else Path()) / crop_path.source.name
    dst = check_output(src, dst, overwrite)
    if json_file is not None:
        check_output(json_file, dst, overwrite)
    # The size render would encode (``native``: the window's own pixels).
    windows = crop_path.windows
    out_w, out_h = RenderConfig(size=size).output_size(float(np.median(windows[:, 2])), float(np.median(windows[:, 3])))
    warnings: list[str] = []
    info = None
    if src.is_file():
        info = probe(src)
        crop_path.check_video(info)
    else:
        warnings.append(f"source {src} not found: the sequence refers to it, without audio; relink it in the editor")
    if info is not None and info.is_variable_frame_rate:
        warnings.append(f"{src.name} has a variable frame rate: clips are timed at {float(info.fps):.3f} fps")
    writer = _Premiere if fmt == "premiere" else _FcpXml
    doc = writer(crop_path, src, info, out_w, out_h, warnings)
    root = doc.build()
    ET.indent(root, space=" ")
    tmp = partial_path(dst)
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
            f.write(f"<!DOCTYPE {root.tag}>\n".encode())
            ET.ElementTree(root).write(f, encoding="utf-8", xml_declaration=False)
            f.write(b"\n")
        os.replace(tmp, dst)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {dst}: {e.strerror or e}") from e
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ExportResult(dst, fmt, out_w, out_h, doc.clip_count, tuple(warnings))



__all__ = ["FORMATS", "ExportResult", "Layer", "export_path", "placement", "shot_layers", "window_of", "xmeml_rate"]
