"""The crop path: where the virtual camera looks at every frame.

A plain, versioned, serialisable object between planning and rendering. Save
it, edit it by hand, render it again without re-analysis.

JSON layout (``version`` 3)::

    {
      "format": "reframe.croppath",
      "version": 3,
      "source": {"name": "in.mp4", "width": 1920, "height": 1080,
                 "fps": "30000/1001", "frame_count": 300, "duration": 10.01},
      "aspect": "9:16",
      "content": [0, 0, 1920, 1080],
      "shots": [{"start": 0, "end": 120, "subject": "people", "layout": "split", "motion": "calm",
                 "reason": "...", "note": "...",
                 "panels": [[[frame, x, y, w, h], ...], [[frame, x, y, w, h], ...]],
                 "subtitles": {"band": [x, y, w, h], "place": [x, y, w, h]}}],
      "keyframes": [[frame, x, y, w, h], ...],
      "detections": [{"frame": 0, "items": [{"box": [x1, y1, x2, y2], "score": 0.9, "kind": "face"}]}],
      "overrides": {"pins": [...], "shots": {...}, "keyframes": [...]}
    }

``detections`` (what the analysis found on each sample where it found
something, rounded) is written only when asked for (``with_detections``):
it explains the path and lets a correction re-plan from the path alone
(:mod:`reframe.replan`). The analysis itself has its own file
(:mod:`reframe.analysis`). A path loaded from a file without the field has
``detections`` None.

Windows are ``[x, y, w, h]`` in display pixels of the source. Between two
keyframes a window is the linear interpolation of the two, rounded to 0.01
px; the writer picks keyframes so that this expansion reproduces every
frame's window exactly. Each shot's first and last frames are keyframes, so
no interpolation crosses a cut. A hand-written file may instead give
``"windows": [[x, y, w, h], ...]`` with one entry per frame.

Each shot has a ``layout`` (see :data:`LAYOUTS`): ``follow`` shows the
window; ``split`` stacks two panels, each a window track of its own (in
``panels``, keyframed like the main path, from the shot's first to its last
frame); ``fit`` shows the whole ``content`` box (the picture inside any
burned-in bars) over a blurred copy of itself. The main window path is kept
for every shot, so changing a shot's layout to ``follow`` by hand always
works, and so does ``fit``; ``split`` needs panels, which the planner writes
for every shot with two people to give them to.

A shot's optional ``subtitles`` moves its burned-in subtitle band: ``band``
is where the lines are in the source (display pixels), ``place`` where the
band is shown, as fractions of the output's width and height; the picture's
own copy of those rows is covered (see :mod:`reframe.subtitle_place`).

Version 1 files (no layouts, panels or content box) still load: every shot
is ``follow`` and the content is the whole source. Version 2 files load as
they are: version 3 only adds optional fields: a shot's ``subtitles`` and the
``overrides``, corrections made by hand (:mod:`reframe.overrides`) that a re-plan applies again.

The package: :mod:`.parts` (the source, shots, sizes), :mod:`.path` (CropPath),
:mod:`.keyframes` (the lossless keyframes) and :mod:`.jsonform` (this JSON, every version read).
"""

from .keyframes import _keyframes  # noqa: F401  (the keyframe rule, for writers of other formats)
from .parts import FORMAT, LAYOUTS, READS, VERSION, Shot, SourceRef, panel_layout, window_size
from .path import CropPath

__all__ = ["FORMAT", "LAYOUTS", "READS", "VERSION", "CropPath", "Shot", "SourceRef", "panel_layout", "window_size"]
