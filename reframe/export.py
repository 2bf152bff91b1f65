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
from fractions import Fraction
from pathlib import Path

import numpy as np

from .render.compose import _even_rects, background_window
from .config import RenderConfig
from .croppath import CropPath, Shot, _keyframes, panel_layout, window_size
from .errors import OutputError, UsageError
from .probe import VideoInfo

FORMATS = ("premiere", "fcpxml")
_BLUR_RADIUS = 40  # FCP's Gaussian Blur radius; the renderer blurs by about 40 output pixels


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_path` wrote, and what it could only approximate (``warnings``)."""

    path: Path
    format: str
    width: int
    height: int
    clips: int  # video clips written (a split shot counts two, a fit shot two in premiere)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layer:
    """One video clip of one shot: the source moved and scaled so ``windows`` fill ``rect``.

    ``frames`` are the keyframes (source frames), ``windows`` the ``[x, y, w, h]``
    source windows at those frames, ``rect`` the output rectangle they fill,
    ``crop`` the part of the source kept (``[x, y, w, h]`` per keyframe, or None:
    all of it), ``blur`` whether it is the blurred background.
    """

    track: int  # 0: background, 1: the picture (or top panel), 2: the second panel
    frames: np.ndarray
    windows: np.ndarray
    rect: tuple[int, int, int, int]
    crop: np.ndarray | None = None
    blur: bool = False
    name: str = ""

    def placement(self, src_w: float, src_h: float, out_w: float, out_h: float) -> np.ndarray:
        """Per keyframe ``(scale, dx, dy)``: the source's scale (1: its own size) and the
        offset of its centre from the output frame's centre in output pixels (+y down)."""
        return placement(self.windows, self.rect, src_w, src_h, out_w, out_h)


def placement(windows: np.ndarray, rect, src_w: float, src_h: float, out_w: float, out_h: float) -> np.ndarray:
    """``(n, 3)`` ``[scale, dx, dy]`` that put each source window exactly on ``rect`` of the output.

    >>> placement(np.array([[656.25, 0, 607.5, 1080]]), (0, 0, 1080, 1920), 1920, 1080, 1080, 1920).round(4).tolist()
    [[1.7778, 0.0, 0.0]]
    """
    w = np.asarray(windows, np.float64).reshape(-1, 4)
    rx, ry, rw, rh = rect
    k = rw / w[:, 2]
    cx, cy = w[:, 0] + w[:, 2] / 2, w[:, 1] + w[:, 3] / 2
    dx = rx + rw / 2 - out_w / 2 + (src_w / 2 - cx) * k
    dy = ry + rh / 2 - out_h / 2 + (src_h / 2 - cy) * k
    return np.stack([k, dx, dy], axis=1)


def window_of(scale: float, dx: float, dy: float, rect, src_w: float, src_h: float, out_w: float, out_h: float):
    """The source window ``[x, y, w, h]`` a placement shows on ``rect``: :func:`placement` inverted."""
    rx, ry, rw, rh = rect
    w, h = rw / scale, rh / scale
    cx = src_w / 2 - (dx - (rx + rw / 2 - out_w / 2)) / scale
    cy = src_h / 2 - (dy - (ry + rh / 2 - out_h / 2)) / scale
    return np.array([cx - w / 2, cy - h / 2, w, h])


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
    from .probe import probe
    from .atomic import partial_path
    from .render import check_output

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


# ---------------------------------------------------------------------------
# The layers of each shot, whatever the format


def shot_layers(crop_path: CropPath, shot: Shot, out_w: int, out_h: int, compose: bool) -> list[Layer]:
    """The clips that show ``shot`` as the renderer composes it.

    With ``compose`` false (a format without crop and blur) a split shot is
    its follow window and a padded window is shown alone, over black.
    """
    full = (0, 0, out_w, out_h)
    n = len(shot)
    main = np.array(_keyframes(crop_path.windows, shot.start, shot.end))
    if shot.layout == "split" and compose:
        rects = _even_rects(out_w, out_h, panel_layout(crop_path.aspect)[0])
        layers = []
        for i, (rect, track) in enumerate(zip(rects, crop_path.panels[shot.start])):
            frames = np.array(_keyframes(track, 0, n))
            layers.append(Layer(1 + i, shot.start + frames, track[frames], rect, crop=track[frames],
                                name=f"panel {i + 1}"))
        return layers
    if shot.layout == "fit":
        frames = np.array([shot.start, shot.end - 1] if n > 1 else [shot.start])
        windows = np.tile(crop_path.fit_window(), (len(frames), 1))
    else:
        frames, windows = main, crop_path.windows[main]
    content = crop_path.content_box
    plain = window_size(content[2], content[3], crop_path.aspect)
    padded = shot.layout == "fit" or bool(np.any(crop_path.windows[shot.start : shot.end, 2] > plain[0] + 0.5))
    if not padded or not compose:
        return [Layer(1, frames, windows, full)]
    # The renderer's blurred background: the plain (zoom 1) window at the same
    # centre, kept inside the picture (Compositor._padded).
    per_frame = windows if shot.layout == "fit" else crop_path.windows[shot.start : shot.end]
    back = np.array([background_window(w, content, plain) for w in per_frame])
    back_frames = frames if shot.layout == "fit" else shot.start + np.array(_keyframes(back, 0, len(back)))
    back_windows = back if shot.layout == "fit" else back[back_frames - shot.start]
    crop = np.tile(content, (len(frames), 1))
    return [
        Layer(0, back_frames, back_windows, full, blur=True, name="background"),
        Layer(1, frames, windows, full, crop=crop),
    ]


def _padded_or_split(crop_path: CropPath, out_w: int, out_h: int) -> tuple[list[int], list[int]]:
    """Numbers (1-based) of the split shots and of the shots shown over a blurred copy."""
    split, padded = [], []
    for i, shot in enumerate(crop_path.shots, 1):
        layers = shot_layers(crop_path, shot, out_w, out_h, compose=True)
        if shot.layout == "split":
            split.append(i)
        elif any(layer.blur for layer in layers):
            padded.append(i)
    return split, padded


def _shot_list(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers))


# ---------------------------------------------------------------------------
# Writers


class _Writer:
    def __init__(self, crop_path: CropPath, src: Path, info: VideoInfo | None, out_w: int, out_h: int,
                 warnings: list[str]) -> None:
        self.path = crop_path
        self.src = src
        self.info = info
        self.out_w, self.out_h = out_w, out_h
        self.warnings = warnings
        self.fps = crop_path.source.fps
        self.n = crop_path.source.frame_count
        self.url = src.resolve().as_uri()
        # FCP 7 XML names local files with the host spelled out, as Premiere writes them.
        self.pathurl = "file://localhost" + self.url[len("file://"):]
        self.name = f"{src.stem} {crop_path.aspect.w}x{crop_path.aspect.h}"
        self.clip_count = 0

    def layers(self, compose: bool) -> list[tuple[int, Shot, Layer]]:
        return [
            (i, shot, layer)
            for i, shot in enumerate(self.path.shots, 1)
            for layer in shot_layers(self.path, shot, self.out_w, self.out_h, compose)
        ]

    def place(self, layer: Layer) -> np.ndarray:
        s = self.path.source
        return layer.placement(s.width, s.height, self.out_w, self.out_h)


def _sub(parent: ET.Element, tag: str, text=None, **attrs) -> ET.Element:
    e = ET.SubElement(parent, tag, {k.rstrip("_"): str(v) for k, v in attrs.items()})
    if text is not None:
        e.text = str(text)
    return e


def _num(v: float, digits: int) -> str:
    text = f"{float(v):.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def xmeml_rate(fps: Fraction) -> tuple[int, bool, bool]:
    """FCP 7's ``(timebase, ntsc, exact)`` for a frame rate: NTSC rates are the
    timebase times 1000/1001.

    >>> xmeml_rate(Fraction(30000, 1001)), xmeml_rate(Fraction(25)), xmeml_rate(Fraction(25, 2))
    ((30, True, True), (25, False, True), (12, False, False))
    """
    base = round(fps * Fraction(1001, 1000))
    if base and fps == Fraction(base * 1000, 1001):
        return base, True, True
    if fps.denominator == 1:
        return int(fps), False, True
    return max(1, round(fps)), False, False


class _Premiere(_Writer):
    """Final Cut Pro 7 XML (xmeml version 4)."""

    def build(self) -> ET.Element:
        self.timebase, self.ntsc, exact = xmeml_rate(self.fps)
        if not exact:
            self.warnings.append(
                f"{float(self.fps):.3f} fps is not a rate FCP 7 XML can say: timed at {self.timebase} fps"
            )
        root = ET.Element("xmeml", version="4")
        seq = _sub(root, "sequence", id="sequence-1")
        _sub(seq, "name", self.name)
        _sub(seq, "duration", self.n)
        self._rate(seq)
        self._timecode(seq)
        media = _sub(seq, "media")
        video = _sub(media, "video")
        chars = _sub(_sub(video, "format"), "samplecharacteristics")
        self._rate(chars)
        _sub(chars, "width", self.out_w)
        _sub(chars, "height", self.out_h)
        _sub(chars, "pixelaspectratio", "square")
        self.file_written = False  # the file is described once, in its first clip, and referred to after
        layers = self.layers(True)
        for number in sorted({layer.track for _, _, layer in layers}):
            track = _sub(video, "track")
            for i, shot, layer in layers:
                if layer.track == number:
                    self._clip(track, i, shot, layer)
        audio = _sub(media, "audio")
        if self.info is not None:
            for stream in range(len(self.info.audio)):
                track = _sub(audio, "track")
                for i, shot in enumerate(self.path.shots, 1):
                    item = self._item(track, f"clipitem-a{stream + 1}-{i}", f"shot {i}", shot)
                    source = _sub(item, "sourcetrack")
                    _sub(source, "mediatype", "audio")
                    _sub(source, "trackindex", stream + 1)
        return root

    def _rate(self, parent: ET.Element) -> None:
        rate = _sub(parent, "rate")
        _sub(rate, "timebase", self.timebase)
        _sub(rate, "ntsc", "TRUE" if self.ntsc else "FALSE")

    def _timecode(self, parent: ET.Element) -> None:
        tc = _sub(parent, "timecode")
        self._rate(tc)
        _sub(tc, "string", "00:00:00:00")
        _sub(tc, "frame", 0)
        _sub(tc, "displayformat", "NDF")

    def _item(self, track: ET.Element, item_id: str, name: str, shot: Shot) -> ET.Element:
        item = _sub(track, "clipitem", id=item_id)
        _sub(item, "name", name)
        _sub(item, "enabled", "TRUE")
        _sub(item, "duration", self.n)
        self._rate(item)
        _sub(item, "start", shot.start)
        _sub(item, "end", shot.end)
        _sub(item, "in", shot.start)
        _sub(item, "out", shot.end)
        self._file(item)
        return item

    def _file(self, parent: ET.Element) -> None:
        f = _sub(parent, "file", id="file-1")
        if self.file_written:
            return
        self.file_written = True
        _sub(f, "name", self.src.name)
        _sub(f, "pathurl", self.pathurl)
        self._rate(f)
        _sub(f, "duration", self.n)
        self._timecode(f)
        media = _sub(f, "media")
        chars = _sub(_sub(media, "video"), "samplecharacteristics")
        self._rate(chars)
        _sub(chars, "width", self.path.source.width)
        _sub(chars, "height", self.path.source.height)
        _sub(chars, "pixelaspectratio", "square")
        for stream in self.info.audio if self.info is not None else ():
            audio = _sub(media, "audio")
            chars = _sub(audio, "samplecharacteristics")
            _sub(chars, "depth", 16)
            _sub(chars, "samplerate", stream.sample_rate or 48000)
            _sub(audio, "channelcount", stream.channels or 2)

    def _clip(self, track: ET.Element, number: int, shot: Shot, layer: Layer) -> None:
        what = layer.name or shot.layout
        item = self._item(track, f"clipitem-{layer.track}-{number}", f"shot {number} {what}", shot)
        self.clip_count += 1
        place = self.place(layer)
        effect = self._effect(item, "Basic Motion", "basic", "motion", "motion")
        scale = place[:, 0] * 100
        self._param(effect, "scale", "Scale", layer.frames, [_num(v, 4) for v in scale], 0, 1000)
        centers = [(_num(dx / self.out_w, 6), _num(dy / self.out_h, 6)) for _, dx, dy in place]
        self._param(effect, "center", "Center", layer.frames, centers)
        if layer.crop is not None:
            s = self.path.source
            x, y, w, h = np.asarray(layer.crop, np.float64).T
            edges = {"left": x / s.width, "right": (s.width - x - w) / s.width,
                     "top": y / s.height, "bottom": (s.height - y - h) / s.height}
            if any(np.any(np.abs(v) > 1e-6) for v in edges.values()):
                crop = self._effect(item, "Crop", "crop", "motion", "motion")
                for edge, share in edges.items():
                    values = [_num(100 * max(0.0, v), 4) for v in share]
                    self._param(crop, edge, edge, layer.frames, values, 0, 100)
        if layer.blur:
            blur = self._effect(item, "Gaussian Blur", "Gaussian Blur", "Blur", "filter")
            self._param(blur, "radius", "Radius", layer.frames[:1], [str(_BLUR_RADIUS)], 0, 100)

    @staticmethod
    def _effect(item: ET.Element, name: str, effect_id: str, category: str, kind: str) -> ET.Element:
        effect = _sub(_sub(item, "filter"), "effect")
        _sub(effect, "name", name)
        _sub(effect, "effectid", effect_id)
        _sub(effect, "effectcategory", category)
        _sub(effect, "effecttype", kind)
        _sub(effect, "mediatype", "video")
        return effect

    @staticmethod
    def _param(effect: ET.Element, pid: str, name: str, frames, values, lo=None, hi=None) -> None:
        """A parameter: its first value, and a keyframe per frame when there are several."""
        param = _sub(effect, "parameter", authoringApp="PremierePro")
        _sub(param, "parameterid", pid)
        _sub(param, "name", name)
        if lo is not None:
            _sub(param, "valuemin", lo)
            _sub(param, "valuemax", hi)

        def value(parent: ET.Element, v) -> None:
            if isinstance(v, tuple):
                e = _sub(parent, "value")
                _sub(e, "horiz", v[0])
                _sub(e, "vert", v[1])
            else:
                _sub(parent, "value", v)

        value(param, values[0])
        if len(set(values)) > 1:  # a value that never changes needs no keyframes
            for frame, v in zip(frames, values):
                key = _sub(param, "keyframe")
                _sub(key, "when", int(frame))
                value(key, v)


class _FcpXml(_Writer):
    """FCPXML 1.10."""

    def build(self) -> ET.Element:
        split, padded = _padded_or_split(self.path, self.out_w, self.out_h)
        if split:
            self.warnings.append(
                f"fcpxml cannot crop a clip to a panel: split shot(s) {_shot_list(split)} exported as their "
                "follow window"
            )
        if padded:
            self.warnings.append(
                f"fcpxml cannot blur: shot(s) {_shot_list(padded)} show the picture over black, "
                "not over a blurred copy"
            )
        s = self.path.source
        root = ET.Element("fcpxml", version="1.10")
        resources = _sub(root, "resources")
        _sub(resources, "format", id="r1", name=f"{self.out_w}x{self.out_h}", frameDuration=self._duration(),
             width=self.out_w, height=self.out_h)
        _sub(resources, "format", id="r2", frameDuration=self._duration(), width=s.width, height=s.height)
        asset_attrs = dict(id="r3", name=self.src.stem, start="0s", duration=self._time(self.n),
                           hasVideo=1, format="r2", videoSources=1)
        audio = self.info.default_audio if self.info is not None else None
        if audio is not None:
            asset_attrs.update(hasAudio=1, audioSources=len(self.info.audio), audioChannels=audio.channels or 2,
                               audioRate=audio.sample_rate or 48000)
        asset = _sub(resources, "asset", **asset_attrs)
        _sub(asset, "media-rep", kind="original-media", src=self.url)
        event = _sub(_sub(root, "library"), "event", name="reframe")
        project = _sub(event, "project", name=self.name)
        sequence = _sub(project, "sequence", format="r1", duration=self._time(self.n), tcStart="0s",
                        tcFormat="NDF")
        spine = _sub(sequence, "spine")
        for i, shot, layer in self.layers(False):
            clip = _sub(spine, "asset-clip", ref="r3", name=f"shot {i} {shot.layout}", offset=self._time(shot.start),
                        start=self._time(shot.start), duration=self._time(len(shot)), format="r2", tcFormat="NDF")
            self.clip_count += 1
            _sub(clip, "adjust-conform", type="none")
            place = self.place(layer)
            h = self.out_h
            positions = [f"{_num(dx / h * 100, 6)} {_num(-dy / h * 100, 6)}" for _, dx, dy in place]
            scales = [f"{_num(k, 6)} {_num(k, 6)}" for k, _, _ in place]
            transform = _sub(clip, "adjust-transform", position=positions[0], scale=scales[0])
            for name, values in (("position", positions), ("scale", scales)):
                if len(set(values)) > 1:  # a value that never changes needs no keyframes
                    anim = _sub(_sub(transform, "param", name=name), "keyframeAnimation")
                    for frame, v in zip(layer.frames, values):
                        # Straight between keyframes, as reframe moves (FCP's default curve is smooth).
                        _sub(anim, "keyframe", time=self._time(int(frame)), value=v, curve="linear")
        return root

    def _duration(self) -> str:
        return f"{self.fps.denominator}/{self.fps.numerator}s"

    def _time(self, frames: int) -> str:
        """``frames`` frames as FCPXML's rational seconds, in whole frame durations ("1001/30000s" per frame)."""
        if frames == 0:
            return "0s"
        return f"{frames * self.fps.denominator}/{self.fps.numerator}s"
