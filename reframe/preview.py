"""Preview a crop path on its source, without rendering the vertical video.

Two files show what the camera saw and why:

- ``OUT.mp4``: the source picture, smaller, with the window drawn on it (the
  two panels of a split shot, the fitted area of a ``fit`` shot), the
  detections stored in the crop path (a colour per kind; none for a path
  saved without them), who is followed
  (the lead subject nearest the window centre) and who speaks (faces whose
  mouth moves), a flash at every cut, and each shot's layout and reason as
  a caption; with the source's audio.
- ``OUT.png``: a contact sheet, a row per shot: its first, middle and last
  frames with the window drawn, each beside the vertical frame the renderer
  composes at that moment (the renderer's own compositor and warper), and a
  plot of the window centre over the shot.

One decoding pass writes both; the video is encoded as ``render`` encodes,
to hidden ``.partial`` files renamed into place when both are complete.
"""

from __future__ import annotations

import os
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .config import ProgressCallback, RenderConfig, even
from .croppath import CropPath, Shot
from .detections import Detections, Kind, between
from .errors import InputError, Interrupted, OutputError, ReframeError
from .geometry import points_in
from .probe import VideoInfo
from .atomic import partial_path, remove_quietly
from .render.compose import Compositor
from .render.encode import _Output
from .render.encoder import check_encoder
from .render.output import _Target, check_output
from .render.warp import _Warper
from .speaker import MIN_EVIDENCE

PREVIEW_WIDTH = 640  # the preview video's width (at most the source's)
# Colours (RGB) of what is drawn.
WINDOW = (255, 230, 0)
PANELS = ((0, 230, 255), (255, 60, 220))
KIND_COLOURS = {
    Kind.FACE: (60, 220, 60), Kind.PERSON: (70, 140, 255), Kind.ANIMAL: (255, 150, 40),
    Kind.OBJECT: (190, 110, 255), Kind.SALIENT: (170, 170, 170), Kind.TEXT: (255, 70, 70),
}
_SUBJECT_KINDS = {"people": (Kind.FACE, Kind.PERSON), "animal": (Kind.ANIMAL,), "object": (Kind.OBJECT,),
                  "salient": (Kind.SALIENT,)}
_CUT_FLASH = 6  # frames after a cut drawn with a white border
_FONT = cv2.FONT_HERSHEY_SIMPLEX

# Contact sheet geometry, in pixels.
TILE_HEIGHT = 180
SHEET_HEADER = 34
ROW_CAPTION = 22
ROW_GAP = 10
ROW_HEIGHT = ROW_CAPTION + TILE_HEIGHT + ROW_GAP
PLOT_WIDTH = 220
_TILE_GAP = 6
_SHEET_BACKGROUND = (28, 28, 28)


@dataclass(frozen=True)
class PreviewResult:
    """What :func:`preview` wrote."""

    video: Path
    sheet: Path
    width: int
    height: int
    frame_count: int
    shots: int
    elapsed: float


def preview_paths(out: str | os.PathLike) -> tuple[Path, Path]:
    """The video and the contact sheet for ``out`` (a ``.mp4`` or ``.png`` suffix is dropped).

    >>> [p.name for p in preview_paths("talk_preview.mp4")]
    ['talk_preview.mp4', 'talk_preview.png']
    """
    out = Path(out)
    if out.suffix.lower() in (".mp4", ".png"):
        out = out.with_suffix("")
    return out.with_name(out.name + ".mp4"), out.with_name(out.name + ".png")


def preview(
    crop_path: CropPath,
    src: str | os.PathLike,
    out: str | os.PathLike,
    *,
    info: VideoInfo | None = None,
    width: int = PREVIEW_WIDTH,
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
) -> PreviewResult:
    """Write ``OUT.mp4`` and ``OUT.png`` (see the module) for ``crop_path`` on ``src``.

    Errors as :func:`reframe.render`: :class:`CropPathError` for a path of
    another video, :class:`OutputError` for an existing output (unless
    ``overwrite``) or one that cannot be written, :class:`InputError` for a
    damaged source; nothing is left under the final names on failure.
    """
    from .frames import FrameReader
    from .probe import probe

    started = time.perf_counter()
    src = Path(src)
    video, sheet = preview_paths(out)
    for dst in (video, sheet):
        check_output(src, dst, overwrite)
    pix_fmt = check_encoder("libx264")
    info = info or probe(src)
    crop_path.check_video(info)
    w = even(min(width, info.width))
    h = even(w * info.height / info.width)
    try:
        video.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create output folder {video.parent}: {e.strerror or e}") from e
    target = _Target(crop_path, video, partial_path(video), (w, h))
    sheet_tmp = partial_path(sheet)
    overlay = Overlay(crop_path, w, h)
    contact = ContactSheet(crop_path, info)
    n = info.frame_count
    step = max(1, n // 100)
    output = None
    try:
        with FrameReader(info) as reader:
            output = _PreviewOutput(target, info, pix_fmt, RenderConfig(crf=23, overwrite=overwrite), overlay)
            for frame in reader:
                if frame.index >= n:
                    raise InputError(f"{info.path} has more frames than its index lists ({n}); remux it first")
                output.encode(frame, output.make_frame(frame))
                contact.offer(frame)
                if progress and frame.index % step == 0:
                    progress("preview", min(0.999, frame.index / n))
            reader.check()
            output.finish()
        ok, png = cv2.imencode(".png", cv2.cvtColor(contact.image(), cv2.COLOR_RGB2BGR))
        if not ok:
            raise OutputError(f"cannot encode the contact sheet {sheet}")
        sheet_tmp.write_bytes(png.tobytes())
        os.replace(target.tmp, video)
        os.replace(sheet_tmp, sheet)
    except KeyboardInterrupt:
        _clean(output, target.tmp, sheet_tmp)
        raise Interrupted("preview interrupted; no output was written") from None
    except ReframeError:
        _clean(output, target.tmp, sheet_tmp)
        raise
    except OSError as e:
        _clean(output, target.tmp, sheet_tmp)
        raise OutputError(f"cannot write {e.filename or video}: {e.strerror or e}") from e
    except BaseException:
        _clean(output, target.tmp, sheet_tmp)
        raise
    if progress:
        progress("preview", 1.0)
    return PreviewResult(video, sheet, w, h, output.count, len(crop_path.shots), time.perf_counter() - started)


def _clean(output, *tmps: Path) -> None:
    if output is not None:
        output.close_quietly()
    for tmp in tmps:
        remove_quietly(tmp)


class _PreviewOutput(_Output):
    """The renderer's output file (encoder, timestamps, audio), fed the annotated source picture."""

    def __init__(self, target: _Target, info: VideoInfo, pix_fmt: str, config: RenderConfig,
                 overlay: Overlay) -> None:
        super().__init__(target, info, pix_fmt, config)
        self.overlay = overlay

    def make_frame(self, frame):
        rgb = frame.to_rgb(self.out_w, self.out_h)
        self.overlay.draw(rgb, frame.index)
        return self._av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format=self.pix_fmt)


# ---------------------------------------------------------------------------
# What a frame shows, drawn


def shown_rects(crop_path: CropPath, shot: Shot, frame: int) -> list[tuple[np.ndarray, tuple[int, int, int]]]:
    """The source rectangles ``[x, y, w, h]`` the output shows at ``frame``, with their colours:
    the window, the two panels, or the fitted picture (the content box)."""
    if shot.layout == "split":
        return [(track[frame - shot.start], colour) for track, colour in zip(crop_path.panels[shot.start], PANELS)]
    if shot.layout == "fit":
        return [(np.array(crop_path.content_box), WINDOW)]
    return [(crop_path.windows[frame], WINDOW)]


def _draw_rect(rgb: np.ndarray, box, scale: float, colour, thickness: int) -> None:
    x, y, w, h = (float(v) * scale for v in box)
    x0, y0 = round(x), round(y)
    x1, y1 = round(x + w) - 1, round(y + h) - 1
    cv2.rectangle(rgb, (x0, y0), (x1, y1), colour, thickness, cv2.LINE_AA)


def _text(rgb: np.ndarray, text: str, org: tuple[int, int], colour=(255, 255, 255), size: float = 0.42) -> None:
    # The outline is the same text shifted: a thicker stroke is a wider font in OpenCV 5, misaligned.
    for dx, dy in ((-1, -1), (1, -1), (-1, 1), (1, 1), (0, 2)):
        cv2.putText(rgb, text, (org[0] + dx, org[1] + dy), _FONT, size, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.putText(rgb, text, org, _FONT, size, colour, 1, cv2.LINE_AA)


class Overlay:
    """Draws a frame's window, detections, lead, speakers, cut and caption on the preview picture."""

    def __init__(self, crop_path: CropPath, width: int, height: int) -> None:
        self.path = crop_path
        self.scale = width / crop_path.source.width
        self.width, self.height = width, height
        self.dets = crop_path.detections or {}
        self.samples = np.array(sorted(self.dets), dtype=np.int64)
        self.starts = np.array([shot.start for shot in crop_path.shots])

    def detections_at(self, frame: int) -> tuple[Detections, Detections]:
        """The detections at ``frame`` (moved linearly between the samples of its shot) and
        those of the nearest sample, which carry the mouth activity."""
        shot = self.path.shot_of(frame)
        dets = self.dets
        i = int(np.searchsorted(self.samples, frame, side="right")) - 1
        before = int(self.samples[i]) if i >= 0 and self.samples[i] >= shot.start else None
        after = int(self.samples[i + 1]) if i + 1 < len(self.samples) and self.samples[i + 1] < shot.end else None
        if before is not None and (before == frame or after is None):
            return dets[before], dets[before]
        if before is None:
            return (dets[after], dets[after]) if after is not None else (Detections.empty(), Detections.empty())
        t = (frame - before) / (after - before)
        return between(dets[before], dets[after], t), dets[before if t < 0.5 else after]

    def draw(self, rgb: np.ndarray, frame: int) -> None:
        number = int(np.searchsorted(self.starts, frame, side="right"))
        shot = self.path.shots[number - 1]
        s = self.scale
        found, measured = self.detections_at(frame)
        for box, kind in zip(found.xyxy, found.kind):
            _draw_rect(rgb, (box[0], box[1], box[2] - box[0], box[3] - box[1]), s, KIND_COLOURS[Kind(kind)], 1)
        speaking = measured[(measured.kind == Kind.FACE) & (np.nan_to_num(measured.activity) >= MIN_EVIDENCE)]
        for box in speaking.xyxy:  # a white bar under the mouth
            x1, x2, y2 = round(box[0] * s), round(box[2] * s), round(box[3] * s)
            cv2.rectangle(rgb, (x1, y2 + 2), (x2, y2 + 5), (255, 255, 255), -1)
            _text(rgb, "speaks", (x1, y2 + 17), size=0.38)
        rects = shown_rects(self.path, shot, frame)
        if shot.layout != "fit":
            for rect, colour in rects:
                lead = lead_subject(found, rect, shot.subject)
                if lead is not None:  # a dot on top of the lead's box, in its window's colour
                    x1, y1, x2, _ = found.xyxy[lead]
                    top = (round((x1 + x2) / 2 * s), max(8, round(y1 * s) - 2))
                    cv2.circle(rgb, top, 6, (0, 0, 0), -1, cv2.LINE_AA)
                    cv2.circle(rgb, top, 5, colour, -1, cv2.LINE_AA)
                    _text(rgb, "followed", (top[0] + 9, top[1] + 4), colour, 0.38)
        for i, (rect, colour) in enumerate(rects):
            _draw_rect(rgb, rect, s, colour, 3)
            if shot.layout == "split":
                _text(rgb, str(i + 1), (round(rect[0] * s) + 6, round(rect[1] * s) + 18), colour, 0.55)
        if shot.start > 0 and frame - shot.start < _CUT_FLASH:
            cv2.rectangle(rgb, (0, 0), (self.width - 1, self.height - 1), (255, 255, 255), 6)
            _text(rgb, "CUT", (self.width - 48, 24), size=0.55)
        self._caption(rgb, number, shot, frame)

    def _caption(self, rgb: np.ndarray, number: int, shot: Shot, frame: int) -> None:
        lines = [f"shot {number}/{len(self.path.shots)}  {shot.layout}  {shot.subject}  frame {frame}"]
        chars = max(20, self.width // 8)
        lines += textwrap.wrap("; ".join(t for t in (shot.reason, shot.note) if t), chars)[:2]
        band = 8 + 16 * len(lines)
        top = self.height - band
        rgb[top:] = (rgb[top:] * 0.45).astype(np.uint8)
        for i, line in enumerate(lines):
            _text(rgb, line, (8, top + 16 + 16 * i), WINDOW if i == 0 else (255, 255, 255), 0.42)


def lead_subject(found: Detections, window, subject: str) -> int | None:
    """The index of the subject the window follows: of the shot's subject kind (faces first
    for people), with its centre inside ``window``, the nearest to the window's centre."""
    kinds = _SUBJECT_KINDS.get(subject)
    if not kinds or not len(found):
        return None
    candidates = np.isin(found.kind, kinds)
    if subject == "people" and np.any(candidates & (found.kind == Kind.FACE)):
        candidates &= found.kind == Kind.FACE
    x, y, w, h = (float(v) for v in window)
    c = found.center
    candidates &= points_in(c, (x, y, x + w, y + h))
    if not candidates.any():
        return None
    distance = np.hypot(c[:, 0] - (x + w / 2), c[:, 1] - (y + h / 2))
    return int(np.argmin(np.where(candidates, distance, np.inf)))


# ---------------------------------------------------------------------------
# The contact sheet


class ContactSheet:
    """A row per shot: first, middle and last frame, each source beside its vertical frame, and a plot."""

    def __init__(self, crop_path: CropPath, info: VideoInfo) -> None:
        self.path = crop_path
        self.info = info
        src = crop_path.source
        self.tile_w = even(TILE_HEIGHT * src.width / src.height)
        out_w, out_h = RenderConfig().output_size(float(crop_path.aspect.w), float(crop_path.aspect.h))
        self.vert_w = even(TILE_HEIGHT * out_w / out_h)
        # Composed at twice the tile size, then reduced: the renderer's picture, scaled.
        self.compositor = Compositor(crop_path, info, 2 * self.vert_w, 2 * TILE_HEIGHT, _Warper(info))
        self.wanted: dict[int, list[tuple[int, int]]] = {}
        for row, shot in enumerate(crop_path.shots):
            for slot, frame in enumerate(self.moments(shot)):
                self.wanted.setdefault(frame, []).append((row, slot))
        self.tiles: dict[tuple[int, int], np.ndarray] = {}

    @staticmethod
    def moments(shot: Shot) -> tuple[int, int, int]:
        """The frames a row shows: the shot's first, middle and last."""
        return shot.start, (shot.start + shot.end - 1) // 2, shot.end - 1

    def offer(self, frame) -> None:
        """Keep ``frame``'s tiles if a row shows it."""
        places = self.wanted.get(frame.index)
        if not places:
            return
        shot = self.path.shot_of(frame.index)
        source = np.ascontiguousarray(frame.to_rgb(self.tile_w, TILE_HEIGHT))
        scale = self.tile_w / self.path.source.width
        for rect, colour in shown_rects(self.path, shot, frame.index):
            _draw_rect(source, rect, scale, colour, 2)
        buf = self.compositor.frame(frame.to_yuv420p(), frame.index)
        vertical = cv2.cvtColor(buf.reshape(-1, self.compositor.out_w), cv2.COLOR_YUV2RGB_I420)
        vertical = cv2.resize(vertical, (self.vert_w, TILE_HEIGHT), interpolation=cv2.INTER_AREA)
        tile = np.full((TILE_HEIGHT, self.tile_w + 2 + self.vert_w, 3), 255, np.uint8)
        tile[:, : self.tile_w] = source
        tile[:, self.tile_w + 2 :] = vertical
        _text(tile, str(frame.index), (4, TILE_HEIGHT - 6), size=0.4)
        for place in places:
            self.tiles[place] = tile

    def image(self) -> np.ndarray:
        """The sheet, RGB: a header, then a row per shot."""
        tile_w = self.tile_w + 2 + self.vert_w
        width = 3 * (tile_w + _TILE_GAP) + PLOT_WIDTH + 2 * _TILE_GAP
        shots = self.path.shots
        sheet = np.full((SHEET_HEADER + len(shots) * ROW_HEIGHT, width, 3), _SHEET_BACKGROUND, np.uint8)
        s = self.path.source
        _text(sheet, f"{s.name}  {s.width}x{s.height}  {s.frame_count} frames at {float(s.fps):.3f} fps  "
                     f"{self.path.aspect}  {len(shots)} shot{'s' * (len(shots) != 1)}", (_TILE_GAP, 22), size=0.55)
        for row, shot in enumerate(shots):
            top = SHEET_HEADER + row * ROW_HEIGHT
            caption = f"shot {row + 1}  frames {shot.start}-{shot.end - 1}  {shot.layout}: {shot.reason or shot.note}"
            _text(sheet, textwrap.shorten(caption, width // 8, placeholder="..."), (_TILE_GAP, top + 16),
                  WINDOW, 0.45)
            y = top + ROW_CAPTION
            for slot in range(3):
                x = _TILE_GAP + slot * (tile_w + _TILE_GAP)
                tile = self.tiles.get((row, slot))
                if tile is not None:
                    sheet[y : y + TILE_HEIGHT, x : x + tile_w] = tile
            x = _TILE_GAP + 3 * (tile_w + _TILE_GAP)
            sheet[y : y + TILE_HEIGHT, x : x + PLOT_WIDTH] = self._plot(shot)
        return sheet

    def _plot(self, shot: Shot) -> np.ndarray:
        """The window centre x over the shot (time to the right, the source's left edge at the bottom)."""
        plot = np.full((TILE_HEIGHT, PLOT_WIDTH, 3), 48, np.uint8)
        W = self.path.source.width
        m = 8
        cv2.line(plot, (m, TILE_HEIGHT // 2), (PLOT_WIDTH - m, TILE_HEIGHT // 2), (90, 90, 90), 1)
        frames = np.arange(shot.start, shot.end)
        if shot.layout == "split":
            tracks = [(t, c) for t, c in zip(self.path.panels[shot.start], PANELS)]
        elif shot.layout == "fit":
            x, _, w, _ = self.path.fit_window()
            tracks = [(np.tile([x, 0, w, 1], (len(frames), 1)), WINDOW)]
        else:
            tracks = [(self.path.windows[shot.start : shot.end], WINDOW)]
        u = m + (frames - shot.start) / max(1, len(shot) - 1) * (PLOT_WIDTH - 2 * m)
        for track, colour in tracks:
            centre = track[:, 0] + track[:, 2] / 2
            v = TILE_HEIGHT - m - centre / W * (TILE_HEIGHT - 2 * m)
            points = np.stack([u, v], axis=1).round().astype(np.int32)
            cv2.polylines(plot, [points], False, colour, 2, cv2.LINE_AA)
        for frame in self.moments(shot):
            tick = round(m + (frame - shot.start) / max(1, len(shot) - 1) * (PLOT_WIDTH - 2 * m))
            cv2.line(plot, (tick, TILE_HEIGHT - m), (tick, TILE_HEIGHT - 2), (200, 200, 200), 1)
        _text(plot, "window centre x", (m, 14), size=0.38)
        return plot
