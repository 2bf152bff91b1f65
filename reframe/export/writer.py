"""What the format writers share: the sequence's facts and its layers, and XML helpers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from ..croppath import CropPath, Shot
from ..probe import VideoInfo
from .layers import Layer, shot_layers


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

