import numpy as np

from slp_mm.visualization import draw_pose_frame, draw_pose_grid
from slp_mm.visualization.pose_drawer import PART_COLORS


def test_draws_confident_bones_in_part_colour():
    kpts = np.zeros((133, 2))
    scores = np.zeros(133)
    kpts[0], kpts[1] = (20, 50), (80, 50)  # nose -> left eye, a body bone
    scores[[0, 1]] = 1.0
    kpts[2], scores[2] = (50, 10), 0.1  # right eye below the threshold
    img = draw_pose_frame(kpts, scores, size=(100, 60))
    assert img.shape == (60, 100, 3)
    # anti-aliased: the bone's middle pixel is near the body colour
    diff = img[50, 50].astype(int) - PART_COLORS['body']
    assert np.abs(diff).max() < 40
    assert tuple(img[10, 50]) == (255, 255, 255)
    assert (img != 255).any(-1).sum() < 300  # nothing else drawn


def test_grid_tiles_frames():
    t = 5
    kpts = np.random.default_rng(0).uniform(0, 50, (t, 133, 2))
    img = draw_pose_grid(kpts, np.ones((t, 133)), size=(50, 40),
                         num_frames=8, cols=4)
    assert img.shape == (80, 200, 3)  # 5 frames -> 2 rows of 4 tiles
