"""Shared test fixtures: synthetic clips with exact ground truth, made once per session.

Each clip fixture returns a :class:`media.Truth` (``.path`` is the MP4). The
clips are generated lazily, the first time a test asks for them, into one
session temporary folder, so test files share them instead of re-encoding.

Any test that logs at ERROR level or above fails, because an error that is
only logged (and swallowed) is still a bug; mark a test with
``@pytest.mark.allow_error_log`` when the error log is what it checks.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path

import pytest

from reframe.testing import media


@pytest.fixture(autouse=True)
def _fail_on_error_log(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture):
    """Fail a test whose code logged at ERROR or above (opt out with ``allow_error_log``)."""
    yield
    if request.node.get_closest_marker("allow_error_log"):
        return
    errors = [r for when in ("setup", "call") for r in caplog.get_records(when) if r.levelno >= logging.ERROR]
    if errors:
        lines = "\n".join(f"{r.name}: {r.getMessage()}" for r in errors)
        pytest.fail(f"test logged {len(errors)} error(s):\n{lines}", pytrace=False)


@pytest.fixture(scope="session")
def synthetic_media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Session folder holding the generated clips."""
    return tmp_path_factory.mktemp("synthetic_media")


@pytest.fixture(scope="session")
def still_face_clip(synthetic_media_dir: Path) -> media.Truth:
    """3 s, 640x360, 25 fps: the astronaut standing still right of centre, 1.5 px hand-held shake, audio."""
    return media.still_subject(synthetic_media_dir / "still_face.mp4")


@pytest.fixture(scope="session")
def moving_face_clip(synthetic_media_dir: Path) -> media.Truth:
    """3 s, 640x360, 25 fps: the astronaut crossing from 20 % to 80 % of the width at constant speed, audio."""
    return media.moving_subject(synthetic_media_dir / "moving_face.mp4")


@pytest.fixture(scope="session")
def clip_with_cut(synthetic_media_dir: Path) -> media.Truth:
    """3 s, 640x360, 25 fps: a hard cut at frame 38 (background changes, person jumps right and shrinks), audio."""
    return media.with_cut(synthetic_media_dir / "with_cut.mp4")


@pytest.fixture(scope="session")
def silent_ntsc_clip(synthetic_media_dir: Path) -> media.Truth:
    """2 s, 480x270 at 30000/1001 fps with no audio track: the person drifts slowly; for rate and no-audio paths."""
    fps = Fraction(30000, 1001)
    return media.make_clip(
        synthetic_media_dir / "silent_ntsc.mp4", width=480, height=270, fps=fps, seconds=2.0,
        path_x=lambda i: 180 + 1.5 * i, audio=False,
    )
