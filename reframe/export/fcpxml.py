"""FCPXML 1.10 for Final Cut Pro and Resolve: position and scale; crop and blur are not said."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .layers import _padded_or_split, _shot_list
from .writer import _num, _sub, _Writer


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
