"""One exception hierarchy for the whole library.

Every failure the library expects (a bad file, an impossible option, a full
disk) raises a subclass of :class:`ReframeError` whose message is one line a
user can act on. The command line maps each class to its own exit code.
"""

from __future__ import annotations


class ReframeError(Exception):
    """Base class of every error reframe raises on purpose."""

    exit_code = 1


class UsageError(ReframeError):
    """An option or argument is invalid (bad aspect, unknown preset...)."""

    exit_code = 2


class InputError(ReframeError):
    """The input cannot be read: missing, empty, truncated, not a media file."""

    exit_code = 3


class UnsupportedInputError(ReframeError):
    """The input is a readable media file that reframe cannot convert
    (no video stream, a single still image, too short)."""

    exit_code = 4


class OutputError(ReframeError):
    """The output cannot be written: same file as the input, not writable,
    disk full, encoder failure."""

    exit_code = 5


class CropPathError(ReframeError):
    """A crop path file is malformed, of an unknown version, or does not
    match the video it is applied to."""

    exit_code = 6


class AnalysisFileError(ReframeError):
    """An analysis file is malformed, of an unknown version, or does not
    match the video it is used with."""

    exit_code = 7


class Interrupted(ReframeError):
    """The run was stopped by the user (Ctrl-C) or a termination signal."""

    exit_code = 130
