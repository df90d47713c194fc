import numpy as np
import pytest

from slp_mm.structures import get_layout
from slp_mm.utils.cli_errors import UserError
from slp_mm.visualization import (check_pose_to_draw, draw_legend,
                                  draw_pose_frame, draw_pose_grid,
                                  pose_in_pixels)
from slp_mm.visualization.pose_drawer import (MASK_COLOR, PART_COLORS,
                                              line_width)


def _near(img, bgr, tol=40):
    """(H, W) True where ``img`` is near the colour ``bgr``."""
    return np.abs(img.astype(int) - bgr).max(-1) <= tol


def test_draws_confident_bones_in_part_colour():
    kpts = np.zeros((133, 2))
    scores = np.zeros(133)
    kpts[0], kpts[1] = (20, 50), (80, 50)  # nose -> left eye, a body bone
    scores[[0, 1]] = 1.0
    kpts[2], scores[2] = (50, 10), 0.1  # right eye below the threshold
    img = draw_pose_frame(kpts, scores, size=(100, 60))
    assert img.shape == (60, 100, 3)
    # anti-aliased: the bone's middle pixel is near the body colour
    assert _near(img, PART_COLORS['body'])[50, 50]
    assert tuple(img[10, 50]) == (255, 255, 255)
    assert (img != 255).any(-1).sum() < 300  # nothing else drawn


def test_graph_only_edges_are_not_drawn():
    layout = get_layout('sign79')
    assert (28, 0) in layout.edges and (28, 0) not in layout.bones
    kpts, scores = np.zeros((79, 2)), np.zeros(79)
    kpts[0], kpts[28] = (20, 50), (80, 50)  # nose, nose tip: graph edge
    kpts[1] = (20, 10)  # nose -> left eye: a bone
    scores[[0, 1, 28]] = 1
    img = draw_pose_frame(kpts, scores, layout, size=(100, 60))
    assert _near(img, PART_COLORS['body'])[30, 20]  # the bone
    assert not (img[50, 30:70] != 255).any()  # no line nose -> nose tip


def test_line_width_follows_the_drawing_size():
    assert [line_width(w) for w in (160, 320, 1280, 1920)] == [1, 1, 4, 6]
    kpts, scores = np.zeros((133, 2)), np.zeros(133)
    kpts[5], kpts[7] = (600, 100), (600, 600)  # a vertical upper arm
    scores[[5, 7]] = 1
    img = draw_pose_frame(kpts, scores, size=(1280, 720))
    row = (img[350] != 255).any(-1)
    assert 4 <= row.sum() <= 7  # 4 px and anti-aliased edges


def test_grid_has_the_asked_width_not_the_videos():
    t = 20
    rng = np.random.default_rng(0)
    kpts = rng.uniform([500, 200], [800, 600], (t, 133, 2))
    kpts[:, :2] = (500, 200), (800, 600)  # the signer's box, every frame
    img = draw_pose_grid(kpts, np.ones((t, 133)), size=(1280, 720),
                         width=1280)
    legend = draw_legend('coco_wholebody_133', 1280)
    # 8 tiles of 320 px cropped to the signer: 300 x 400 px plus 40 px (10 %
    # of the longer side) all round
    tile_h = round(320 * (400 + 80) / (300 + 80))
    assert img.shape == (2 * tile_h + legend.shape[0], 1280, 3)
    # uncropped and at the video's size, as before: 4 x 1280 wide
    raw = draw_pose_grid(kpts, np.ones((t, 133)), size=(1280, 720),
                         width=None, crop=False, legend=False)
    assert raw.shape == (2 * 720, 4 * 1280, 3)


def test_grid_tiles_frames():
    t = 5
    kpts = np.random.default_rng(0).uniform(0, 50, (t, 133, 2))
    img = draw_pose_grid(kpts, np.ones((t, 133)), size=(50, 40),
                         num_frames=8, cols=4, width=None, crop=False,
                         legend=False)
    assert img.shape == (80, 200, 3)  # 5 frames -> 2 rows of 4 tiles


def test_legend_shows_every_part_and_the_mask_ring():
    legend = draw_legend('sign79', 900, masked=True)
    for part in get_layout('sign79').parts:
        assert _near(legend, PART_COLORS[part], 10).sum() > 10, part
    assert _near(legend, MASK_COLOR, 30).sum() > 5  # not the mouth


def test_undrawable_poses_are_named():
    kpts, scores = np.zeros((3, 133, 2)), np.ones((3, 133))
    with pytest.raises(UserError, match=r'^a.pose: field "keypoints" holds '
                       'no frames'):
        check_pose_to_draw(kpts[:0], scores[:0], (640, 480), 'a.pose')
    kpts[1, 7] = 1e12
    with pytest.raises(UserError, match='a.pose: field "keypoints" reaches '
                       '1e\\+12 px, beyond 10x the 640x480 frame'):
        check_pose_to_draw(kpts, scores, (640, 480), 'a.pose')
    scores[1, 7] = 0  # not drawn: fine
    check_pose_to_draw(kpts, scores, (640, 480), 'a.pose')
    with pytest.raises(UserError, match='a.pose: field "height" is 0'):
        check_pose_to_draw(kpts, scores, (640, 0), 'a.pose')


def test_normalised_coordinates_are_drawn_480_pixels_high():
    kpts = np.full((2, 133, 2), 0.5)
    pixels, size = pose_in_pixels(kpts, (16 / 9, 1.0))
    assert size == pytest.approx((480 * 16 / 9, 480))
    np.testing.assert_allclose(pixels, 240)
    same, size = pose_in_pixels(kpts * 100, (1280, 720))
    assert size == (1280, 720) and (same == 50).all()
