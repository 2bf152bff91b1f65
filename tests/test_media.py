"""The synthetic media generator: its clips must be what its Truth says, or every other test lies."""

from __future__ import annotations

from fractions import Fraction

import av
import cv2
import numpy as np
import pytest

from reframe.testing import media, people


def decode(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def crop(image: np.ndarray, box) -> np.ndarray:
    x, y, w, h = (int(round(v)) for v in box)
    return image[max(0, y) : y + h, max(0, x) : x + w]


def inner(box, keep: float = 0.6) -> tuple[float, float, float, float]:
    """The central part of a box: the corners of a face box show the backdrop, not the face."""
    x, y, w, h = box
    return x + w * (1 - keep) / 2, y + h * (1 - keep) / 2, w * keep, h * keep


def face_similarity(frame: np.ndarray, box) -> float:
    """Normalised correlation between the middle of ``box`` and the photo's face mapped exactly onto ``box``.

    The photo is warped with sub-pixel precision rather than cropped and
    resized, so a box that is off by a pixel scores visibly lower.
    """
    rx, ry, rw, rh = media.ASTRONAUT_FACE
    bx, by, bw, bh = box
    sx, sy = bw / rw, bh / rh
    photo = people.astronaut()
    if min(sx, sy) < 1:  # low-pass before shrinking, like the generator
        photo = cv2.GaussianBlur(photo, (0, 0), 0.45 / min(sx, sy))
    # pixel-edge mapping X = s * (x - r) + b, shifted to OpenCV's pixel centres
    m = np.array([[sx, 0, bx - sx * rx + 0.5 * sx - 0.5], [0, sy, by - sy * ry + 0.5 * sy - 0.5]])
    ref = cv2.warpAffine(photo, m, (frame.shape[1], frame.shape[0]), flags=cv2.INTER_LINEAR)
    region = inner(box)
    a = cv2.cvtColor(crop(frame, region), cv2.COLOR_RGB2GRAY).astype(np.float64)
    b = cv2.cvtColor(crop(ref, region), cv2.COLOR_RGB2GRAY).astype(np.float64)
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def iou(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    iw = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    return inter / (aw * ah + bw * bh - inter)


@pytest.mark.parametrize("name", ["still_face_clip", "moving_face_clip", "clip_with_cut", "silent_ntsc_clip"])
def test_clip_matches_truth(name: str, request: pytest.FixtureRequest) -> None:
    truth: media.Truth = request.getfixturevalue(name)
    with av.open(str(truth.path)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.name, video.codec_context.pix_fmt) == ("h264", "yuv420p")
        assert video.average_rate == truth.fps
        assert [s.codec_context.name for s in container.streams.audio] == (["aac"] if truth.has_audio else [])
        frames = [f for f in container.decode(video)]
    assert len(frames) == truth.n_frames == len(truth.head_boxes) == len(truth.face_boxes)
    assert (frames[0].width, frames[0].height) == (truth.width, truth.height)
    times = np.array([float(f.time) for f in frames])
    np.testing.assert_allclose(times - times[0], truth.timestamps, atol=1e-3)
    # The face box holds the astronaut's face on first, middle and last frames.
    for i in (0, truth.n_frames // 2, truth.n_frames - 1):
        image = frames[i].to_ndarray(format="rgb24")
        assert face_similarity(image, truth.face_boxes[i]) > 0.95, i
        # and the head box is mostly her (skin and hair: red above blue), not backdrop
        r, g, b = crop(image, truth.head_boxes[i]).reshape(-1, 3).astype(int).T
        assert np.mean((r > b + 15) & (r > 60)) > 0.6, i


def test_face_box_misplaced_is_detected(moving_face_clip: media.Truth) -> None:
    """The similarity check is sharp: the truth box beats boxes one pixel off, even after H.264."""
    frame = decode(moving_face_clip.path)[0]
    x, y, w, h = moving_face_clip.face_boxes[0]
    exact = face_similarity(frame, (x, y, w, h))
    for dx, dy in [(1, 0), (-1, 0), (0, 1), (0, -1)]:
        assert face_similarity(frame, (x + dx, y + dy, w, h)) < exact - 0.01
    assert face_similarity(frame, (x + w / 3, y, w, h)) < 0.6


def test_still_subject_only_shakes(still_face_clip: media.Truth) -> None:
    centres = still_face_clip.head_centers
    spread = centres.max(axis=0) - centres.min(axis=0)
    assert np.all(spread > 0.5) and np.all(spread < 4.0)
    assert np.all(np.abs(np.diff(centres, axis=0)) < 1.0)  # smooth, like a hand, not jumps


def test_moving_subject_crosses_linearly(moving_face_clip: media.Truth) -> None:
    cx = moving_face_clip.head_centers[:, 0]
    np.testing.assert_allclose(cx[[0, -1]], [0.2 * 640, 0.8 * 640])
    np.testing.assert_allclose(np.diff(cx), np.diff(cx)[0])
    assert moving_face_clip.cut_frames == ()


def test_cut_changes_frame_strongly(clip_with_cut: media.Truth) -> None:
    truth = clip_with_cut
    (cut,) = truth.cut_frames
    assert truth.shots == [(0, cut), (cut, truth.n_frames)]
    assert truth.shot_of(cut - 1) == 0 and truth.shot_of(cut) == 1
    # Frame to frame, not all frames at once in float: the whole clip as float32 is some 200 MB.
    frames = decode(truth.path)
    diffs = np.array([cv2.absdiff(a, b).mean() for a, b in zip(frames, frames[1:])])
    within = np.delete(diffs, cut - 1)
    assert diffs[cut - 1] > 20 and diffs[cut - 1] > 8 * within.max()
    # The person jumps right and becomes smaller (a wider shot).
    before, after = truth.head_boxes[cut - 1], truth.head_boxes[cut]
    assert after[0] > before[0] + 100 and after[3] < 0.8 * before[3]


def test_audio_beeps_on_the_second(moving_face_clip: media.Truth) -> None:
    with av.open(str(moving_face_clip.path)) as container:
        stream = container.streams.audio[0]
        assert stream.sample_rate == moving_face_clip.sample_rate
        chunks, start = [], None
        for frame in container.decode(stream):
            start = float(frame.time) if start is None else start
            chunks.append(frame.to_ndarray().reshape(-1))
    pcm = np.concatenate(chunks)
    rate = moving_face_clip.sample_rate
    loud = np.flatnonzero(np.abs(pcm) > 0.3)
    onsets = (loud[np.r_[True, np.diff(loud) > rate // 10]]) / rate + start
    np.testing.assert_allclose(onsets, moving_face_clip.beep_times, atol=0.01)


def test_silent_clip_has_no_audio(silent_ntsc_clip: media.Truth) -> None:
    assert not silent_ntsc_clip.has_audio and silent_ntsc_clip.beep_times == ()
    assert silent_ntsc_clip.fps == Fraction(30000, 1001) and silent_ntsc_clip.n_frames == 60


def test_compose_frame_places_heads_exactly() -> None:
    still = media.compose_frame(640, 360, [(180, 120, 120), (470, 170, 70)], mirror=[False, True], noise=0)
    assert still.image.shape == (360, 640, 3) and still.image.dtype == np.uint8
    np.testing.assert_allclose(still.head_boxes[:, :2] + still.head_boxes[:, 2:] / 2, [[180, 120], [470, 170]])
    np.testing.assert_allclose(still.head_boxes[:, 3], [120, 70])
    assert face_similarity(still.image, still.face_boxes[0]) > 0.99
    mirrored = still.image[:, ::-1]
    x, y, w, h = still.face_boxes[1]
    assert face_similarity(mirrored, (640 - x - w, y, w, h)) > 0.99


def test_off_the_shelf_detector_finds_the_face() -> None:
    """The composite is realistic enough for a classic detector, and its box agrees with the truth."""
    from skimage.data import lbp_frontal_face_cascade_filename
    from skimage.feature import Cascade

    still = media.compose_frame(640, 360, [(400, 130, 100)], background="coffee")
    found = Cascade(lbp_frontal_face_cascade_filename()).detect_multi_scale(
        img=still.image, scale_factor=1.2, step_ratio=1, min_size=(30, 30), max_size=(200, 200)
    )
    assert len(found) == 1
    box = (found[0]["c"], found[0]["r"], found[0]["width"], found[0]["height"])
    assert iou(box, still.face_boxes[0]) > 0.6


def test_bad_arguments_are_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="one value per frame"):
        media.make_clip(tmp_path / "a.mp4", seconds=1, path_x=[1, 2, 3])
    with pytest.raises(ValueError, match="cut frames"):
        media.make_clip(tmp_path / "a.mp4", seconds=1, cut_frames=(25,))
    with pytest.raises(ValueError, match="even"):
        media.make_clip(tmp_path / "a.mp4", width=321, seconds=0.2)
    with pytest.raises(ValueError, match="unknown background"):
        media.compose_frame(background="nope")
