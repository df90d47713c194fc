"""Animate a pose sequence to GIF or MP4, optionally over its video.

GIFs are written with Pillow (a matplotlib dependency, so always here;
imageio is not part of the stack) and MP4s with OpenCV's ``mp4v`` writer.
"""
import os.path as osp
from typing import List, Optional, Sequence

import cv2
import numpy as np

from .pose_drawer import draw_pose_frame


def read_video_frames(path: str, num_frames: int) -> List[np.ndarray]:
    """The first ``num_frames`` BGR frames of a video (pose frame i is drawn
    over video frame i); errors name the file if it does not decode or is
    shorter than the pose sequence."""
    cap = cv2.VideoCapture(path)
    frames = []
    while cap.isOpened() and len(frames) < num_frames:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    if not frames:
        raise IOError(f'{path}: no video frame could be decoded (missing '
                      'file, unsupported codec or not a video)')
    if len(frames) < num_frames:
        raise ValueError(f'{path}: decoded {len(frames)} frames, but the '
                         f'pose sequence has {num_frames} (frames are '
                         'aligned by index)')
    return frames


def render_pose_animation(keypoints: np.ndarray,
                          scores: np.ndarray,
                          layout='coco_wholebody_133',
                          size: Sequence[int] = (640, 480),
                          score_thr: float = 0.3,
                          video: Optional[str] = None) -> List[np.ndarray]:
    """(T, K, 2) pixel coordinates of a ``size`` (w, h) video -> T BGR
    frames drawn by :func:`draw_pose_frame`.

    With ``video``, frame i is drawn over the video's frame i; if the video's
    frames are not ``size`` (e.g. a resized copy), the coordinates are
    scaled to them.
    """
    keypoints = np.asarray(keypoints, dtype=np.float32)  # (T, K, 2)
    if video is None:
        return [
            draw_pose_frame(k, s, layout, size, score_thr)
            for k, s in zip(keypoints, scores)
        ]
    backgrounds = read_video_frames(video, len(keypoints))
    video_h, video_w = backgrounds[0].shape[:2]
    scale = np.array([video_w / size[0], video_h / size[1]], np.float32)
    return [
        draw_pose_frame(k * scale, s, layout, (video_w, video_h), score_thr,
                        canvas=bg)
        for k, s, bg in zip(keypoints, scores, backgrounds)
    ]


def save_animation(frames: Sequence[np.ndarray], out: str,
                   fps: float = 25.0) -> None:
    """Write BGR frames of one size to ``out``: ``.gif`` or ``.mp4``.

    A GIF frame identical to the one before it is merged into it by Pillow
    (its duration is added), so a still pose gives fewer, longer frames.
    """
    if not frames:
        raise ValueError(f'{out}: no frames to write')
    ext = osp.splitext(out)[1].lower()
    if ext == '.gif':
        from PIL import Image
        rgb = [f[..., ::-1] for f in frames]
        # one 256-colour palette from a few frames, shared by all: 5x faster
        # than Pillow quantising each frame, and no palette flicker
        some = np.linspace(0, len(rgb) - 1, min(4, len(rgb))).astype(int)
        palette = Image.fromarray(np.vstack([rgb[i] for i in some])).quantize(
            256, method=Image.Quantize.FASTOCTREE)
        images = [
            Image.fromarray(np.ascontiguousarray(f)).quantize(
                palette=palette, dither=Image.Dither.NONE) for f in rgb
        ]
        images[0].save(out, save_all=True, append_images=images[1:],
                       duration=round(1000 / fps), loop=0)
    elif ext == '.mp4':
        h, w = frames[0].shape[:2]
        writer = cv2.VideoWriter(out, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                                 (w, h))
        if not writer.isOpened():
            raise IOError(f'{out}: OpenCV cannot open an mp4v video writer')
        for frame in frames:
            writer.write(frame)
        writer.release()
    else:
        raise ValueError(f'{out}: unknown animation format {ext!r}; '
                         "expected '.gif' or '.mp4'")
