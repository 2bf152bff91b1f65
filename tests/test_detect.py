"""Detectors on synthetic frames built from scikit-image's public-domain samples."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest

from reframe.detect import FaceDetector, ModelError, ObjectDetector, SaliencyDetector, load_model
from reframe.detect.faces import Scan, nms, tile_grid
from reframe.detect.models import FACE_FULL_RANGE
from reframe.detections import Detections, Kind, between
from reframe.errors import ReframeError, UsageError

data = pytest.importorskip("skimage.data")

ASTRONAUT_HEAD = np.array([150, 15, 305, 190], np.float32)  # x1, y1, x2, y2 in the 512x512 portrait


def iou(a: np.ndarray, b: np.ndarray) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


@pytest.fixture(scope="module")
def faces():
    with FaceDetector() as det:
        yield det


@pytest.fixture(scope="module")
def small_head_frame() -> tuple[np.ndarray, np.ndarray]:
    """A 960x540 frame made from a 1920x1080 one with a ~60 px head, and its head box."""
    bg = cv2.resize(data.coffee(), (1920, 1080), interpolation=cv2.INTER_CUBIC)
    s = 60 / (ASTRONAUT_HEAD[3] - ASTRONAUT_HEAD[1])
    pic = cv2.resize(data.astronaut(), None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    ox, oy = 1300, 600
    bg[oy : oy + pic.shape[0], ox : ox + pic.shape[1]] = pic
    head = (ASTRONAUT_HEAD * s + np.array([ox, oy, ox, oy])) / 2
    return cv2.resize(bg, (960, 540), interpolation=cv2.INTER_AREA), head


def test_astronaut_head_found_and_covered(faces):
    d = faces.detect(data.astronaut())
    assert len(d) == 1
    assert d.kind[0] == Kind.FACE and d.confidence[0] > 0.8
    box = d.xyxy[0]
    assert iou(box, ASTRONAUT_HEAD) > 0.5
    # The face itself (eyes to chin) is inside the head box.
    assert box[0] < 190 and box[2] > 270 and box[1] < 80 and box[3] > 170


def test_a_close_up_head_is_followed_from_its_hint_alone(faces):
    # A third of the picture tall and touching its top edge: the hint region
    # is bigger than the frame and reaches past it.
    img = data.astronaut()
    seen = faces.detect(img)
    assert len(faces.regions(512, 512, Scan.HINTS, seen)) == 1
    again = faces.detect(img, scan=Scan.HINTS, hints=seen)
    assert len(again) == 1 and iou(again.xyxy[0], seen.xyxy[0]) > 0.8


def test_small_head_needs_the_fine_scan(faces, small_head_frame):
    frame, head = small_head_frame
    whole = faces.detect(frame, scan=Scan.WHOLE)
    assert not any(iou(b, head) > 0.3 for b in whole.xyxy)
    fine = faces.detect(frame, scan=Scan.FINE)
    assert len(fine) == 1 and iou(fine.xyxy[0], head) > 0.3
    # Between fine scans, last sample's head as a hint keeps it found cheaply.
    hint = Detections(fine.xyxy + 4, fine.confidence, fine.kind)
    for scan in (Scan.WHOLE, Scan.HINTS):
        tracked = faces.detect(frame, scan=scan, hints=hint)
        assert len(tracked) == 1 and iou(tracked.xyxy[0], head) > 0.3
    assert len(faces.regions(960, 540, Scan.HINTS, hint)) == 1
    assert len(faces.regions(960, 540, Scan.WHOLE, hint)) < len(faces.regions(960, 540))
    assert faces.regions(960, 540, Scan.HINTS) == []


def test_instances_sharing_a_scan_find_what_one_finds(small_head_frame):
    frame, _ = small_head_frame
    frames = [frame, data.astronaut()]
    with FaceDetector(workers=1) as one, FaceDetector(workers=3) as three:
        assert one._pool is None and len(three._helpers) == 2
        for img in frames:
            a, b = one.detect(img, scan=Scan.FINE), three.detect(img, scan=Scan.FINE)
            assert len(a) >= 1
            np.testing.assert_array_equal(a.xyxy, b.xyxy)
            np.testing.assert_array_equal(a.confidence, b.confidence)
    assert three._pool is None and three._helpers == []  # closed: threads and models released
    with pytest.raises(UsageError):
        FaceDetector(workers=0)


@pytest.mark.parametrize("kind", ["black", "noise"])
def test_no_face_in_blank_or_noise(faces, kind):
    rng = np.random.default_rng(0)
    img = np.zeros((540, 960, 3), np.uint8) if kind == "black" else rng.integers(0, 256, (540, 960, 3), dtype=np.uint8)
    assert len(faces.detect(img)) == 0


def test_bad_image_is_a_usage_error(faces):
    with pytest.raises(UsageError):
        faces.detect(np.zeros((10, 10), np.uint8))


def test_tiles_and_nms():
    assert tile_grid(960, 256, 64) == [0, 176, 352, 528, 704]
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [2, 2, 6, 6], [50, 50, 60, 60]], np.float32)
    # 1 overlaps 0; 0 and 1 hold all of 2, the best: one face seen whole and cut.
    assert nms(boxes, np.array([0.9, 0.8, 0.95, 0.5], np.float32)).tolist() == [2, 3]


def test_objects_find_the_cat_and_the_astronaut():
    with ObjectDetector() as det:
        cat = det.detect(data.chelsea())
        person = det.detect(data.astronaut())
    assert Kind.ANIMAL in cat.kind.tolist()
    assert Kind.PERSON in person.kind.tolist()


def test_saliency_follows_a_moving_square():
    prev = np.full((540, 960, 3), 50, np.uint8)
    cur = prev.copy()
    prev[200:260, 600:660] = 230
    cur[210:270, 630:690] = 230
    d = SaliencyDetector().detect(cur, prev)
    assert 1 <= len(d) <= 3 and np.all(d.kind == Kind.SALIENT)
    cx, cy = d.center[0]
    assert 600 <= cx <= 700 and 190 <= cy <= 280
    assert 0 < d.confidence[0] <= 1


def test_saliency_finds_a_still_bright_object():
    img = np.full((540, 960, 3), 40, np.uint8)
    img[300:360, 100:160] = 220
    d = SaliencyDetector().detect(img)
    assert len(d) >= 1
    cx, cy = d.center[0]
    assert 80 <= cx <= 180 and 280 <= cy <= 380


def test_saliency_ignores_a_shaking_camera():
    rng = np.random.default_rng(1)
    scene = cv2.GaussianBlur(rng.integers(0, 256, (600, 1040, 3), dtype=np.uint8), (0, 0), 6)
    prev, cur = scene[30:570, 40:1000], scene[36:576, 31:991]  # the whole picture moved by (9, -6) px
    s = SaliencyDetector()
    static, motion = s.maps(cur, prev)
    assert motion.max() < 0.1


@pytest.mark.parametrize("value", [0, 128])
def test_saliency_nothing_on_a_flat_frame(value):
    flat = np.full((540, 960, 3), value, np.uint8)
    assert len(SaliencyDetector().detect(flat, flat.copy())) == 0


def test_model_checksum_mismatch_is_a_clear_error(tmp_path):
    good = load_model(FACE_FULL_RANGE)
    assert len(good) > 100_000
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / FACE_FULL_RANGE).write_bytes(good)
    assert load_model(FACE_FULL_RANGE, tmp_path / "ok") == good
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / FACE_FULL_RANGE).write_bytes(good[:1000] + b"x" * (len(good) - 1000))
    with pytest.raises(ModelError, match="corrupt.*reinstall") as err:
        load_model(FACE_FULL_RANGE, tmp_path / "bad")
    assert isinstance(err.value, ReframeError)
    with pytest.raises(ModelError, match="cannot be read"):
        load_model(FACE_FULL_RANGE, tmp_path / "missing")
    with pytest.raises(ModelError, match="unknown model"):
        load_model("nope.tflite")


def test_objects_between_two_samples_move_with_them_and_come_and_go_at_the_midpoint():
    dog = [0, 0, 40, 30]
    person, newcomer = [100, 0, 140, 90], [300, 0, 340, 90]
    before = Detections(np.array([dog, person], np.float32), [0.8, 0.6], [Kind.ANIMAL, Kind.PERSON])
    # The dog ran 20 px right, the person left, someone else arrived.
    after = Detections(
        np.array([[20, 0, 60, 30], newcomer], np.float32), [0.6, 0.9], [Kind.ANIMAL, Kind.PERSON]
    )
    quarter = between(before, after, 0.25)
    assert len(quarter) == 2
    assert np.allclose(quarter[quarter.kind == Kind.ANIMAL].xyxy, [[5, 0, 45, 30]])
    assert np.allclose(quarter[quarter.kind == Kind.PERSON].xyxy, [person])  # the one leaving
    late = between(before, after, 0.75)
    assert np.allclose(late[late.kind == Kind.ANIMAL].confidence, [0.65])
    assert np.allclose(late[late.kind == Kind.PERSON].xyxy, [newcomer])  # the one arriving
    # Different kinds are never paired, however close.
    dog_then_ball = between(before[[0]], Detections(before.xyxy[[0]], [0.8], [Kind.OBJECT]), 0.25)
    assert dog_then_ball.kind.tolist() == [Kind.ANIMAL]


@pytest.mark.slow  # a fresh interpreter importing MediaPipe
def test_mediapipe_is_imported_without_pyplot_which_loads_when_its_helpers_use_it():
    # A fresh interpreter: this one may have imported MediaPipe already.
    code = (
        "import sys\n"
        "from reframe.detect.models import import_mediapipe\n"
        "mp = import_mediapipe()\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "from mediapipe.tasks.python.vision import drawing_utils\n"
        "import matplotlib.pyplot\n"
        "assert drawing_utils.plt.figure is matplotlib.pyplot.figure\n"
        "assert type(matplotlib.pyplot).__name__ == 'module'\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]
