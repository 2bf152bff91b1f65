"""Final Cut Pro 7 XML (xmeml version 4), which Premiere Pro and DaVinci Resolve import: every
layout, with the Basic Motion, Crop and Gaussian Blur filters."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction

import numpy as np

from ..croppath import Shot
from .layers import Layer
from .writer import _num, _sub, _Writer

_BLUR_RADIUS = 40  # FCP's Gaussian Blur radius; the renderer blurs by about 40 output pixels


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
