"""Draw pose sequences (any registered layout) to images with OpenCV.

OpenCV rather than matplotlib: an animation draws thousands of frames, and
cv2 lines cost microseconds. Only the layout's bones are drawn (its
``graph_only_edges`` connect parts for the GCN and are no bones); line width
and joint radius follow the drawing's size, so a small tile and a full-HD
frame read alike. Colours are per part (:data:`PART_COLORS`), not MMPose's
per-keypoint palette: that one draws the face white (made for drawing over
video), which vanishes on the white tiles, and per-part colours keep the
legend to one entry a part.
"""
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np

from slp_mm.structures import get_layout
from slp_mm.utils.cli_errors import UserError

# BGR colour per part; joints of unlisted parts are grey
PART_COLORS = dict(body=(60, 180, 75),
                   lower_body=(128, 128, 128),
                   face=(200, 130, 0),
                   mouth=(48, 48, 230),
                   left_hand=(0, 200, 255),
                   right_hand=(240, 50, 230))
OTHER_COLOR = (128, 128, 128)
MASK_COLOR = (0, 0, 255)  # BGR red: rings around masked joints
TEXT_COLOR = (0, 0, 0)
# COCO's left / right are the signer's, so a signer facing the camera has
# the left hand on the right of the picture
PART_LABELS = dict(left_hand="left hand (signer's)",
                   right_hand="right hand (signer's)")


def line_width(width: int) -> int:
    """Bone width in pixels for a drawing ``width`` pixels wide: 1 px up to
    ~300 px, then one more per 300 px."""
    return max(1, int(round(width / 300)))


def joint_colors(layout) -> list:
    """BGR colour of each joint of ``layout`` from its part."""
    layout = get_layout(layout)
    colors = [OTHER_COLOR] * layout.num_keypoints
    for part, idx in layout.parts.items():
        for i in idx:
            colors[i] = PART_COLORS.get(part, OTHER_COLOR)
    return colors


def draw_pose_frame(keypoints: np.ndarray,
                    scores: np.ndarray,
                    layout='coco_wholebody_133',
                    size: Sequence[int] = (640, 480),
                    score_thr: float = 0.3,
                    canvas: Optional[np.ndarray] = None,
                    thickness: Optional[int] = None) -> np.ndarray:
    """One frame (K, 2) in pixels -> BGR image of ``size`` (w, h) with the
    layout's bones coloured by part; joints under ``score_thr`` are left
    out.

    Args:
        thickness: Bone width in pixels (default: :func:`line_width` of the
            image width); joints are drawn 1.5x as wide.
    """
    layout = get_layout(layout)
    w, h = int(size[0]), int(size[1])
    img = (np.full(
        (h, w, 3), 255, np.uint8) if canvas is None else canvas.copy())
    thickness = thickness or line_width(img.shape[1])
    color = joint_colors(layout)
    ok = scores > score_thr
    pts = np.round(keypoints).astype(int)
    for a, b in layout.bones:
        if ok[a] and ok[b]:
            cv2.line(img, tuple(pts[a]), tuple(pts[b]), color[a], thickness,
                     cv2.LINE_AA)
    radius = max(1, int(round(1.2 * thickness)))
    for i in np.flatnonzero(ok):
        cv2.circle(img, tuple(pts[i]), radius, color[i], -1, cv2.LINE_AA)
    return img


def fit_size(size: Sequence[float], width: int) -> Tuple[int, int, float]:
    """(w, h, scale) of a ``size`` (w, h) drawing scaled to ``width``."""
    scale = width / float(size[0])
    return int(width), max(1, int(round(size[1] * scale))), scale


def pose_bounds(keypoints: np.ndarray,
                scores: np.ndarray,
                size: Sequence[float],
                score_thr: float = 0.3,
                margin: float = 0.1) -> Tuple[float, float, float, float]:
    """(x0, y0, w, h) box around the confident joints of all frames, with
    ``margin`` of its size around it, clipped to the ``size`` frame (the
    whole frame if no joint is confident): the signer, not the room."""
    drawn = keypoints[scores > score_thr]  # (N, 2)
    if not len(drawn):
        return 0.0, 0.0, float(size[0]), float(size[1])
    lo, hi = drawn.min(0), drawn.max(0)
    pad = margin * (hi - lo).max()
    lo = np.maximum(lo - pad, 0)
    hi = np.minimum(hi + pad, size)
    hi = np.maximum(hi, lo + 1)
    return float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] -
                                                                   lo[1])


def draw_legend(layout,
                width: int,
                masked: bool = False,
                extra: Optional[Dict[str, tuple]] = None) -> np.ndarray:
    """A white strip naming the colour of each part of ``layout`` (left /
    right are the signer's), and the ring of masked joints if ``masked``.

    Returns:
        (h, width, 3) BGR image; entries wrap onto more rows as needed.
    """
    layout = get_layout(layout)
    entries = [(PART_LABELS.get(p, p.replace('_', ' ')),
                PART_COLORS.get(p, OTHER_COLOR), 'dot') for p in layout.parts]
    entries += [(k, v, 'dot') for k, v in (extra or {}).items()]
    if masked:
        entries.append(('masked joint', MASK_COLOR, 'ring'))
    scale = max(0.4, min(1.0, width / 1400))
    row_h = int(26 * scale) + 6
    font, text_thick = cv2.FONT_HERSHEY_SIMPLEX, 1
    sizes = [
        cv2.getTextSize(t, font, scale, text_thick)[0][0] + 3 * row_h // 2
        for t, _, _ in entries
    ]
    rows, x = [[]], 8
    for entry, w in zip(entries, sizes):
        if x + w > width and rows[-1]:
            rows.append([])
            x = 8
        rows[-1].append((entry, x))
        x += w
    img = np.full((row_h * len(rows) + 4, width, 3), 255, np.uint8)
    r = max(3, row_h // 4)
    for i, row in enumerate(rows):
        cy = i * row_h + row_h // 2 + 2
        for (text, color, mark), x in row:
            if mark == 'dot':
                cv2.circle(img, (x + r, cy), r, color, -1, cv2.LINE_AA)
            else:
                cv2.circle(img, (x + r, cy), r, color, max(2, r // 3),
                           cv2.LINE_AA)
            cv2.putText(img, text, (x + 2 * r + 5, cy + int(8 * scale)), font,
                        scale, TEXT_COLOR, text_thick, cv2.LINE_AA)
    return img


def draw_pose_grid(keypoints: np.ndarray,
                   scores: np.ndarray,
                   layout='coco_wholebody_133',
                   size: Sequence[int] = (640, 480),
                   num_frames: int = 8,
                   cols: int = 4,
                   width: Optional[int] = 1280,
                   score_thr: float = 0.3,
                   legend: bool = True,
                   crop: bool = True) -> np.ndarray:
    """Evenly spaced frames of a (T, K, 2) sequence in pixels of a ``size``
    (w, h) video, tiled into one image about ``width`` pixels wide (None:
    each tile at the video's size), each labelled with its frame index,
    with a colour legend under the tiles.

    With ``crop``, every tile shows the same box around the signer (see
    :func:`pose_bounds`) rather than the whole video frame.

    Returns:
        (rows * tile_h [+ legend], cols * tile_w, 3) BGR image.
    """
    t = len(keypoints)
    if t == 0:
        raise ValueError('no frames to draw (the sequence has 0 frames)')
    inds = np.unique(np.linspace(0, t - 1, min(num_frames, t)).astype(int))
    cols = min(cols, len(inds))
    offset = np.zeros(2, np.float32)
    if crop:
        x0, y0, w, h = pose_bounds(keypoints[inds], scores[inds], size,
                                   score_thr)
        offset, size = np.array([x0, y0], np.float32), (w, h)
    tile_w = size[0] if width is None else max(1, width // cols)
    tile_w, tile_h, scale = fit_size(size, tile_w)
    font_scale = max(0.35, tile_w / 600)
    tiles = []
    for i in inds:
        tile = draw_pose_frame((keypoints[i] - offset) * scale, scores[i],
                               layout, (tile_w, tile_h), score_thr)
        cv2.rectangle(tile, (0, 0), (tile_w - 1, tile_h - 1), (220, 220, 220),
                      1)
        cv2.putText(tile, f'frame {i}', (6, int(28 * font_scale) + 4),
                    cv2.FONT_HERSHEY_SIMPLEX, font_scale, TEXT_COLOR,
                    max(1, int(round(font_scale * 1.5))), cv2.LINE_AA)
        tiles.append(tile)
    while len(tiles) % cols:
        tiles.append(np.full_like(tiles[0], 255))
    rows = [np.hstack(tiles[r:r + cols]) for r in range(0, len(tiles), cols)]
    if legend:
        rows.append(draw_legend(layout, cols * tile_w))
    return np.vstack(rows)


def pose_in_pixels(keypoints: np.ndarray,
                   size: Sequence[float],
                   height: int = 480) -> Tuple[np.ndarray, Tuple]:
    """(keypoints, size) in pixels: coordinates normalised to the image
    (a ``size`` of at most 2, as some readers give) are drawn ``height``
    pixels high; pixel coordinates pass through."""
    if 0 < max(size) <= 2:
        scale = height / size[1]
        return keypoints * scale, (size[0] * scale, size[1] * scale)
    return keypoints, tuple(size)


def check_pose_to_draw(keypoints: np.ndarray,
                       scores: np.ndarray,
                       size: Sequence[float],
                       source: str,
                       score_thr: float = 0.3) -> None:
    """Refuse a pose sequence the drawing cannot show, naming ``source`` and
    the field: no frames, a frame size that is not positive, or confident
    coordinates (scored over ``score_thr``, so drawn) that are not finite
    or lie over 10 frame sizes outside the frame (OpenCV would fail on them
    with its own internals)."""
    keypoints, scores = np.asarray(keypoints), np.asarray(scores)
    if keypoints.ndim != 3 or len(keypoints) == 0:
        raise UserError(f'{source}: field "keypoints" holds no frames '
                        f'(shape {keypoints.shape}); nothing to draw')
    for field, value in zip(('width', 'height'), size):
        if not np.isfinite(value) or value <= 0:
            raise UserError(f'{source}: field "{field}" is {value}; expected '
                            'the frame size in pixels (> 0)')
    drawn = keypoints[scores > score_thr]  # (N, 2) the joints drawn
    if not np.isfinite(drawn).all():
        raise UserError(f'{source}: field "keypoints" has non-finite '
                        f'coordinates on joints scored over {score_thr}')
    limit = 10 * max(size)
    reach = float(np.abs(drawn).max(initial=0))
    if reach > limit:
        raise UserError(f'{source}: field "keypoints" reaches {reach:.4g} px, '
                        f'beyond 10x the {size[0]:g}x{size[1]:g} frame '
                        '("width", "height"); are the coordinates in pixels '
                        'of this frame?')
