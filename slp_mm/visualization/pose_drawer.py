"""Draw pose sequences (any registered layout) to images with OpenCV."""
from typing import Optional, Sequence

import cv2
import numpy as np

from slp_mm.structures import get_layout

# BGR colour per part; joints of unlisted parts are grey
PART_COLORS = dict(
    body=(60, 180, 75), lower_body=(128, 128, 128), face=(200, 130, 0),
    mouth=(48, 48, 230), left_hand=(0, 200, 255), right_hand=(240, 50, 230))


def draw_pose_frame(keypoints: np.ndarray,
                    scores: np.ndarray,
                    layout='coco_wholebody_133',
                    size: Sequence[int] = (640, 480),
                    score_thr: float = 0.3,
                    canvas: Optional[np.ndarray] = None) -> np.ndarray:
    """One frame (K, 2) in pixels -> BGR image of ``size`` (w, h) with the
    layout's bones coloured by part; joints under ``score_thr`` are left
    out."""
    layout = get_layout(layout)
    w, h = int(size[0]), int(size[1])
    img = (np.full((h, w, 3), 255, np.uint8)
           if canvas is None else canvas.copy())
    part_of = {}
    for part, idx in layout.parts.items():
        for i in idx:
            part_of[i] = part
    color = [PART_COLORS.get(part_of.get(i), (128, 128, 128))
             for i in range(layout.num_keypoints)]
    ok = scores > score_thr
    pts = np.round(keypoints).astype(int)
    for a, b in layout.edges:
        if ok[a] and ok[b]:
            cv2.line(img, tuple(pts[a]), tuple(pts[b]), color[a], 1,
                     cv2.LINE_AA)
    for i in np.flatnonzero(ok):
        cv2.circle(img, tuple(pts[i]), 2, color[i], -1, cv2.LINE_AA)
    return img


def draw_pose_grid(keypoints: np.ndarray,
                   scores: np.ndarray,
                   layout='coco_wholebody_133',
                   size: Sequence[int] = (640, 480),
                   num_frames: int = 8,
                   cols: int = 4) -> np.ndarray:
    """Evenly spaced frames of a (T, K, 2) sequence tiled into one image,
    each labelled with its frame index."""
    t = len(keypoints)
    inds = np.unique(np.linspace(0, t - 1, min(num_frames, t)).astype(int))
    tiles = []
    for i in inds:
        tile = draw_pose_frame(keypoints[i], scores[i], layout, size)
        cv2.putText(tile, f'frame {i}', (8, 24), cv2.FONT_HERSHEY_SIMPLEX,
                    0.7, (0, 0, 0), 2)
        tiles.append(tile)
    while len(tiles) % cols:
        tiles.append(np.full_like(tiles[0], 255))
    rows = [np.hstack(tiles[r:r + cols]) for r in range(0, len(tiles), cols)]
    return np.vstack(rows)
