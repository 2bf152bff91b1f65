"""On-screen text and burned-in subtitles: which text shapes framing, the
layout of a shot about a title, and what a subtitle band asks of a plan."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..analysis import Analysis
from ..config import PlanConfig
from ..detections import Detections, Kind
from ..subtitle_place import MovedBand, place_for, rows_clear_of, shot_band
from ..geometry import bounding_box, from_xywh, smaller_share, to_xywh
from .layouts import GROUP_FILL, ShotLayout, zoom_for
from .readings import Reading, Subject, SubjectKind

# -- on-screen text -----------------------------------------------------------

# Text lines this close (in line heights) belong to one block: words of a
# line, lines of a title.
_TEXT_GAP = 1.0
# Text lines less tall than this share of the picture height (a watermark, a
# logo, a copyright line) do not shape framing.
_TEXT_MIN_HEIGHT = 0.05
# A block this wide (share of the picture width) or tall (of its height) is
# a title or a sign: with no people or animal, the shot is about it when it
# is on screen on this share of the shot's samples.
_TITLE_WIDTH = 0.3
_TITLE_HEIGHT = 0.1
_TITLE_PRESENCE = 0.5
# Cost of cutting a text block, against 1 for a face: text gives way to people.
_TEXT_AVOID = 0.5
# Room kept beside a text block, in its heights: the detector's box edges
# are those of a coarse map, and a title touching the frame edge looks cut.
_TEXT_ROOM = 0.2
# Text whose centre lies in this share of the picture height at its top or
# bottom, at the same place in several shots, is an overlay of the whole
# video (a copyright line, a channel's name), not a shot's subject; so is
# text there within this share of the width from a side edge, outside where
# titles are set: a logo in a corner.
_OVERLAY_BAND = 0.2
_CORNER = 0.03
_SAME_PLACE = 0.5  # share of the smaller of two sightings of one overlay inside the other


def video_overlays(analysis: Analysis) -> np.ndarray:
    """Text lines (``(n, 4)`` boxes) near the top or bottom edge seen at the same place in several shots."""
    cuts = np.array(analysis.cuts, np.int64)
    height = analysis.info.height
    boxes, shots = [], []
    for f, d in analysis.samples.items():
        t = d.xyxy[d.kind == Kind.TEXT]
        cy = (t[:, 1] + t[:, 3]) / 2
        t = t[(cy < _OVERLAY_BAND * height) | (cy > (1 - _OVERLAY_BAND) * height)]
        boxes += list(t)
        shots += [int(np.searchsorted(cuts, f, side="right"))] * len(t)
    if not boxes:
        return np.zeros((0, 4))
    # Text is carried between the passes that found it: each sighting once per shot.
    seen = np.unique(np.column_stack([shots, np.round(np.array(boxes) / 4)]), axis=0)
    boxes, shots = seen[:, 1:] * 4, seen[:, 0]
    elsewhere = [np.any((smaller_share(boxes, b) >= _SAME_PLACE) & (shots != s)) for b, s in zip(boxes, shots)]
    return boxes[np.array(elsewhere)]


def with_framing_text(
    samples: list[Detections], frames: np.ndarray, subtitles, frame: tuple[int, int], overlays=np.zeros((0, 4))
) -> list[Detections]:
    """A shot's samples with their text lines made blocks, leaving out the
    text that does not shape framing: lines in a burned-in subtitle band
    (shown apart), ``overlays`` (see :func:`video_overlays`), logos in a corner
    and small text."""
    out = []
    for f, d in zip(frames, samples):
        is_text = d.kind == Kind.TEXT
        if not is_text.any():
            out.append(d)
            continue
        lines = d[is_text]
        x1, y1, x2, y2 = lines.xyxy.T
        keep = y2 - y1 >= _TEXT_MIN_HEIGHT * frame[1]
        edge = (y1 + y2 < 2 * _OVERLAY_BAND * frame[1]) | (y1 + y2 > 2 * (1 - _OVERLAY_BAND) * frame[1])
        keep &= ~(edge & ((x1 < _CORNER * frame[0]) | (x2 > (1 - _CORNER) * frame[0])))
        for band in subtitles:
            if band.start <= f < band.end:
                x, y, w, h = band.box
                c = lines.center
                keep &= ~((c[:, 0] >= x) & (c[:, 0] <= x + w) & (c[:, 1] >= y) & (c[:, 1] <= y + h))
        for box in overlays:
            keep &= smaller_share(lines.xyxy, box) < _SAME_PLACE
        blocks = _text_blocks(lines[keep])
        room = _TEXT_ROOM * (blocks.xyxy[:, 3] - blocks.xyxy[:, 1])
        grown = blocks.xyxy + np.stack([-room, 0 * room, room, 0 * room], axis=1)
        blocks = Detections(np.clip(grown, 0, [frame[0], frame[1]] * 2), blocks.confidence, blocks.kind)
        out.append(Detections.concat([d[~is_text], blocks]))
    return out


def _text_blocks(lines: Detections) -> Detections:
    """Text lines merged into blocks: the words of a line, the lines of a title.

    >>> lines = Detections(np.array([[0, 0, 40, 10], [48, 1, 90, 11], [5, 14, 80, 24], [300, 0, 340, 10]],
    ...                    np.float32), np.full(4, 0.9, np.float32), np.full(4, Kind.TEXT, np.int8))
    >>> _text_blocks(lines).xyxy.tolist()
    [[0.0, 0.0, 90.0, 24.0], [300.0, 0.0, 340.0, 10.0]]
    """
    n = len(lines)
    if n < 2:
        return lines
    group = list(range(n))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    b = lines.xyxy
    h = b[:, 3] - b[:, 1]
    for i in range(n):
        for j in range(i + 1, n):
            reach = _TEXT_GAP * min(h[i], h[j])
            gap_x = max(b[i, 0], b[j, 0]) - min(b[i, 2], b[j, 2])
            gap_y = max(b[i, 1], b[j, 1]) - min(b[i, 3], b[j, 3])
            if gap_x <= reach and gap_y <= reach:
                group[root(j)] = root(i)
    roots = np.array([root(i) for i in range(n)])
    ids = sorted(set(roots.tolist()))
    xyxy = np.array([[*b[roots == r, :2].min(axis=0), *b[roots == r, 2:].max(axis=0)] for r in ids], np.float32)
    conf = np.array([lines.confidence[roots == r].max() for r in ids], np.float32)
    return Detections(xyxy, conf, np.full(len(ids), Kind.TEXT, np.int8))


def _titles(dets: Detections, frame: tuple[int, int]) -> np.ndarray:
    """Which text blocks of a sample are large enough to be what a shot is about."""
    text = dets[dets.kind == Kind.TEXT]
    w, h = text.xyxy[:, 2] - text.xyxy[:, 0], text.xyxy[:, 3] - text.xyxy[:, 1]
    return (w >= _TITLE_WIDTH * frame[0]) | (h >= _TITLE_HEIGHT * frame[1])


def about_text(samples: list[Detections], frame: tuple[int, int]) -> bool:
    """Whether a title or sign is on screen on most of these samples."""
    return bool(np.mean([bool(_titles(d, frame).any()) for d in samples]) >= _TITLE_PRESENCE)


def text_companions(dets: Detections, subject: SubjectKind) -> list[Subject]:
    """Text blocks beside another subject: framed with it when they fit in the
    window, else kept wholly out (at a lower cost than a face); never followed."""
    if subject == SubjectKind.TEXT:
        return []
    text = dets[dets.kind == Kind.TEXT]
    return [Subject(b, 0.0, lead=False, avoid=_TEXT_AVOID, steer=False) for b in text.xyxy]


def text_layout(
    readings: list[Reading], window: float, max_zoom: float, forced: str
) -> tuple[ShotLayout, list[Reading]]:
    """The layout of a shot about on-screen text, and the readings it is
    planned on: every block whole, in a window zoomed out within
    ``max_zoom`` if need be, or the whole picture. The room beside a block
    is kept when that zoom allows it, and given up before the block is."""
    zoom = zoom_for(_text_need(readings, window))
    tight = ""
    if zoom > max_zoom:
        bare = _without_room(readings)
        if zoom_for(_text_need(bare, window)) <= max_zoom:
            readings, zoom, tight = bare, zoom_for(_text_need(bare, window)), ", without room beside it"
    if forced == "fit":
        return ShotLayout("fit", "fit chosen for every shot"), readings
    if zoom <= 1.0:
        layout = ShotLayout("follow", "on-screen text framed whole")
    elif zoom <= max_zoom:
        why = f"a title a little wider than the window: zoomed out {zoom:.2f}x to keep it whole{tight}"
        layout = ShotLayout("follow", why, zoom)
    else:
        layout = ShotLayout("fit", "a title wider than the window: the whole picture")
    if forced in ("follow", "split") and layout.layout == "fit":
        chosen = "follow chosen for every shot" if forced == "follow" else "split chosen, but not two people: followed"
        layout = ShotLayout("follow", f"{chosen} (a title wider than the window)")
    return layout, readings


def _text_need(readings: list[Reading], window: float) -> list[float]:
    """The zoom each sample of a text shot needs: a block alone (its box
    has room around it already), several as _group frames them together."""
    need = []
    for r in readings:
        blocks = np.array([c.box for c in r.subjects if c.lead and r.kind == SubjectKind.TEXT]).reshape(-1, 4)
        if len(blocks):
            span = float(blocks[:, 2].max() - blocks[:, 0].min())
            need.append(span / window if len(blocks) == 1 else span / (GROUP_FILL * window))
    return need


def _without_room(readings: list[Reading]) -> list[Reading]:
    """Text readings with their blocks back to the detector's boxes, without
    the room :func:`with_framing_text` gave them."""
    def bare(c: Subject) -> Subject:
        room = _TEXT_ROOM * (c.box[3] - c.box[1])
        return replace(c, box=c.box + np.array([room, 0, -room, 0], c.box.dtype))

    return [
        replace(r, subjects=tuple(bare(c) if c.lead and r.kind == SubjectKind.TEXT else c for c in r.subjects))
        for r in readings
    ]


# -- burned-in subtitles --------------------------------------------------------


@dataclass(frozen=True)
class SubtitleRule:
    """What a shot's subtitle band asks of its plan: the layout, the rows
    ``(y, h)`` windows and panels move in, the band moved to its own place
    (``move``) or the box every window must hold (``keep``)."""

    layout: ShotLayout
    rows: tuple[float, float]
    moved: MovedBand | None = None
    keep: tuple[float, float, float, float] | None = None


def subtitle_rule(config: PlanConfig, analysis: Analysis, start: int, end: int, layout: ShotLayout,
                   window: float, max_zoom: float, text_width: float) -> SubtitleRule:
    """The shot's :class:`SubtitleRule` under ``config.subtitles`` (see :mod:`reframe.subtitle_place`).

    ``move``: the picture need not show the band rows, so windows and
    panels short enough move in the rows clear of it (the renderer covers
    them where a window still shows them). ``keep``: the band must stay
    whole in the picture: a window widened within ``max_zoom`` to hold it,
    otherwise the whole picture.
    """
    content = analysis.content_box
    band = None
    if config.subtitles != "crop":
        info = analysis.info
        band = shot_band(analysis.subtitles, start, end, (0, 0, info.width, info.height), float(info.fps))
    if band is None:
        return SubtitleRule(layout, (content[1], content[3]))
    if config.subtitles == "keep":
        need = float(np.ceil(band[2] / window * 100) / 100)  # the zoom whose window holds the band's width
        if layout.layout == "follow" and need > layout.zoom:
            if need <= max_zoom:
                why = f"{layout.reason}; zoomed out {need:.2f}x to keep the subtitles whole"
                layout = replace(layout, zoom=need, reason=why)
            else:
                why = "subtitles wider than any window: the whole picture"
                layout = replace(layout, layout="fit", zoom=1.0, reason=why)
        elif layout.layout == "split":
            layout = replace(layout, layout="fit", zoom=1.0, reason="subtitles kept whole: the whole picture")
        return SubtitleRule(layout, (content[1], content[3]), keep=band)
    place = place_for(band, text_width, window, float(config.aspect.ratio))
    return SubtitleRule(layout, rows_clear_of(band, content[1], content[3]), moved=MovedBand(band, place))


def with_kept_bands(analysis: Analysis) -> Analysis:
    """``analysis`` with its picture (the content inside any bars) grown over
    the subtitle bands printed on the bars: under ``keep`` the lines stay in
    the picture, so the bar rows they sit on are shown too."""
    if analysis.content is None or not analysis.subtitles:
        return analysis
    boxes = from_xywh([analysis.content, *(b.box for b in analysis.subtitles)])
    return replace(analysis, content=tuple(float(v) for v in to_xywh(bounding_box(boxes))))


def holding(xs: np.ndarray, ys: np.ndarray, box, w: float, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Window centres moved the least so that each ``w`` x ``h`` window holds ``box`` whole."""
    bx, by, bw, bh = box
    if w >= bw:
        xs = np.clip(xs, bx + bw - w / 2, bx + w / 2)
    if h >= bh:
        ys = np.clip(ys, by + bh - h / 2, by + h / 2)
    return xs, ys
