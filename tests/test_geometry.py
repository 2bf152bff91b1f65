"""Box arithmetic on plain arrays (reframe.geometry)."""

import numpy as np
import pytest

from reframe import geometry as g


def test_xywh_round_trip():
    xywh = np.array([[10.0, 20.0, 30.0, 40.0], [0.5, 0.25, 1.0, 2.0]])
    xyxy = g.from_xywh(xywh)
    assert xyxy.tolist() == [[10, 20, 40, 60], [0.5, 0.25, 1.5, 2.25]]
    assert np.array_equal(g.to_xywh(xyxy), xywh)
    assert g.from_xywh((1, 2, 3, 4)).tolist() == [1, 2, 4, 6]


def test_area_and_intersection():
    assert g.area([0, 0, 4, 3]) == 12
    assert g.intersection([0, 0, 10, 10], [5, 5, 20, 20]) == 25
    # Boxes that touch along an edge or at a corner share nothing.
    assert g.intersection([0, 0, 10, 10], [10, 0, 20, 10]) == 0
    assert g.intersection([0, 0, 10, 10], [10, 10, 20, 20]) == 0
    assert g.intersection([0, 0, 10, 10], [30, 30, 40, 40]) == 0
    # A nested box shares all of itself.
    assert g.intersection([0, 0, 10, 10], [2, 3, 4, 7]) == 8


def test_iou():
    assert g.iou([0, 0, 10, 10], [0, 0, 10, 10]) == 1
    assert g.iou([0, 0, 10, 10], [10, 0, 20, 10]) == 0
    assert g.iou([0, 0, 10, 10], [5, 0, 15, 10]) == pytest.approx(1 / 3)
    assert g.iou([0, 0, 10, 10], [2, 2, 7, 7]) == pytest.approx(25 / 100)
    # Empty boxes: no division by zero.
    assert g.iou([5, 5, 5, 5], [5, 5, 5, 5]) == 0


def test_iou_broadcasts_and_keeps_float32():
    boxes = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]], np.float32)
    one = g.iou(boxes, boxes[0])
    assert one.dtype == np.float32
    assert one.tolist() == pytest.approx([1, 1 / 3, 0])
    table = g.iou(boxes[:, None], boxes[None])
    assert table.shape == (3, 3)
    assert np.allclose(table, table.T) and np.allclose(np.diag(table), 1)
    # Python numbers for the single box keep the array's precision.
    assert g.iou(boxes, (0.0, 0.0, 10.0, 10.0)).dtype == np.float32


def test_empty_arrays():
    none = np.zeros((0, 4), np.float32)
    assert g.area(none).shape == (0,)
    assert g.iou(none, [0, 0, 1, 1]).shape == (0,)
    assert g.inside_share(none, [0, 0, 1, 1]).shape == (0,)
    assert g.smaller_share(none, [0, 0, 1, 1]).shape == (0,)
    assert g.points_in(np.zeros((0, 2)), [0, 0, 1, 1]).shape == (0,)
    assert g.nms(none, np.zeros(0, np.float32)).tolist() == []
    with pytest.raises(ValueError):
        g.bounding_box(none)


def test_inside_share():
    window = [0, 0, 100, 100]
    boxes = np.array([[-10, 0, 10, 10], [20, 20, 30, 30], [100, 0, 110, 10], [0, 0, 100, 100]], float)
    assert g.inside_share(boxes, window).tolist() == [0.5, 1.0, 0.0, 1.0]
    # A box without area is a point: in (edges count) or out.
    assert g.inside_share([[100, 50, 100, 50], [101, 50, 101, 50]], window).tolist() == [1.0, 0.0]


def test_smaller_share_is_one_for_nested_boxes():
    big = [0, 0, 100, 20]
    assert g.smaller_share([[10, 5, 30, 15]], big).tolist() == [1.0]
    assert g.smaller_share(big, [10, 5, 30, 15]) == 1.0
    assert g.smaller_share([90, 0, 110, 20], big) == pytest.approx(0.5)
    assert g.smaller_share([100, 0, 120, 20], big) == 0


def test_points_in_includes_edges():
    pts = np.array([[0, 0], [10, 10], [5, 10.01], [-0.01, 5]])
    assert g.points_in(pts, [0, 0, 10, 10]).tolist() == [True, True, False, False]


def test_clip_common_and_bounding_boxes():
    assert g.clip_to_frame(np.array([[-5.0, 2, 50, 70]]), 40, 60).tolist() == [[0, 2, 40, 60]]
    part = g.common_box([0, 0, 10, 10], [5, -5, 20, 8])
    assert part.tolist() == [5, 0, 10, 8] and not g.is_empty(part)
    assert g.is_empty(g.common_box([0, 0, 10, 10], [10, 0, 20, 10]))  # touching: nothing shared
    assert g.is_empty(g.common_box([0, 0, 10, 10], [20, 20, 30, 30]))
    assert g.bounding_box([[0, 5, 10, 10], [4, 0, 6, 20], [-1, 2, 3, 4]]).tolist() == [-1, 0, 10, 20]


def test_centred_span():
    assert g.centred_span(50, 20, 0, 100) == 40  # fits where it is
    assert g.centred_span(5, 20, 0, 100) == 0  # moved in from the start
    assert g.centred_span(105, 20, 10, 100) == 90  # and from the end (range 10-110)
    assert g.centred_span(0, 300, 10, 100) == -90  # larger than the range: centred on it


def test_nms_overlap_and_containment():
    boxes = np.array(
        [
            [0, 0, 10, 10],  # best
            [1, 1, 11, 11],  # IoU 0.68 with the best: goes
            [20, 0, 30, 10],  # apart: stays
            [22, 2, 26, 6],  # small, wholly inside a better box (IoU 0.16): goes by containment
            [0, 20, 10, 30],  # apart: stays
            [8, 20, 18, 30],  # IoU 0.11 and 20% of it inside a better box: stays
        ],
        np.float32,
    )
    score = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4], np.float32)
    assert g.nms(boxes, score).tolist() == [0, 2, 4, 5]
    # Without the containment rule the nested box stays.
    assert g.nms(boxes, score, containment=1.0).tolist() == [0, 2, 3, 4, 5]
    # Best score first, whatever the order given; equal scores keep their order.
    assert g.nms(boxes[::-1].copy(), score[::-1].copy()).tolist() == [5, 3, 1, 0]
    assert g.nms(boxes[[2, 4]], np.ones(2, np.float32)).tolist() == [0, 1]
    # Touching boxes are apart.
    assert g.nms(np.array([[0, 0, 10, 10], [10, 0, 20, 10]], np.float32), np.ones(2)).tolist() == [0, 1]


def test_tile_grid_covers_with_overlap():
    for length, tile, overlap in [(960, 256, 64), (1080, 256, 64), (1000, 300, 10), (257, 256, 64)]:
        starts = g.tile_grid(length, tile, overlap)
        assert starts[0] == 0 and starts[-1] + tile == length
        assert all(b - a <= tile - overlap for a, b in zip(starts, starts[1:]))
    assert g.tile_grid(200, 256, 64) == [0]
    assert g.tile_grid(256, 256, 64) == [0]
