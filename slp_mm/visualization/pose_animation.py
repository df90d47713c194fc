"""Animate a pose sequence to GIF or MP4, optionally over its video.

Frames are streamed: drawn one at a time and handed to the writer, so a
20,000-frame clip needs the memory of a few frames, not of all of them.
MP4s go through OpenCV's ``mp4v`` writer. GIFs are written frame by frame
with Pillow's GIF encoder helpers (``getheader`` / ``getdata``): Pillow's
own ``save(save_all=True)`` keeps every frame until the end, and imageio
is not part of the stack.
"""
import itertools
import math
import os.path as osp
from typing import Iterable, Iterator, Optional, Sequence

import cv2
import numpy as np

from slp_mm.structures import get_layout
from slp_mm.utils.cli_errors import UserError

from .pose_drawer import draw_pose_frame, fit_size

ANIMATION_FORMATS = ('.gif', '.mp4')
PALETTE_FRAMES = 8  # first frames whose colours make the GIF palette


def iter_video_frames(path: str,
                      num_frames: int,
                      step: int = 1) -> Iterator[np.ndarray]:
    """Every ``step``-th of the first ``num_frames`` BGR frames of a video
    (pose frame i is drawn over video frame i); errors name the file if it
    does not decode or is shorter than the pose sequence."""
    cap = cv2.VideoCapture(path)
    try:
        for i in range(num_frames):
            ok, frame = cap.read()
            if not ok:
                if i == 0:
                    raise UserError(f'{path}: no video frame could be '
                                    'decoded (missing file, unsupported '
                                    'codec or not a video)')
                raise UserError(f'{path}: decoded {i} frames, but the pose '
                                f'sequence has {num_frames} (frames are '
                                'aligned by index)')
            if i % step == 0:
                yield frame
    finally:
        cap.release()


def render_pose_animation(keypoints: np.ndarray,
                          scores: np.ndarray,
                          layout='coco_wholebody_133',
                          size: Sequence[int] = (640, 480),
                          score_thr: float = 0.3,
                          video: Optional[str] = None,
                          width: Optional[int] = None,
                          step: int = 1) -> Iterator[np.ndarray]:
    """(T, K, 2) pixel coordinates of a ``size`` (w, h) video -> a
    generator of BGR frames drawn by :func:`draw_pose_frame`.

    Args:
        video: Draw frame i over the video's frame i; the coordinates are
            scaled to the video's frames (e.g. a resized copy).
        width: Frame width (default: the video's, or ``size``'s).
        step: Draw every ``step``-th frame (subsampling a long clip).
    """
    keypoints = np.asarray(keypoints, dtype=np.float32)  # (T, K, 2)
    layout = get_layout(layout)  # once, not per frame
    picked = range(0, len(keypoints), step)
    if video is None:
        w, h, scale = fit_size(size, width or size[0])
        for i in picked:
            yield draw_pose_frame(keypoints[i] * scale, scores[i], layout,
                                  (w, h), score_thr)
        return
    backgrounds = iter_video_frames(video, len(keypoints), step)
    for i, bg in zip(picked, backgrounds):
        video_h, video_w = bg.shape[:2]
        if width:
            bg = cv2.resize(bg,
                            fit_size((video_w, video_h), width)[:2],
                            interpolation=cv2.INTER_AREA)
        scale = np.array([bg.shape[1] / size[0], bg.shape[0] / size[1]],
                         np.float32)
        yield draw_pose_frame(keypoints[i] * scale,
                              scores[i],
                              layout,
                              bg.shape[1::-1],
                              score_thr,
                              canvas=bg)


def subsample_step(num_frames: int, max_frames: Optional[int]) -> int:
    """The frame step that keeps at most ``max_frames`` of ``num_frames``
    (1: all; ``max_frames`` 0 or None: no cap)."""
    if not max_frames or num_frames <= max_frames:
        return 1
    return math.ceil(num_frames / max_frames)


class GifStreamWriter:
    """Append BGR frames of one size to a looping GIF as they come.

    The palette (256 colours) is taken from the first
    :data:`PALETTE_FRAMES` frames and shared by all (no per-frame
    quantising, no palette flicker). A frame identical to the one before
    it is merged into it (its duration is added), as Pillow does, so the
    writer holds at most ``PALETTE_FRAMES`` frames, then one.
    """

    def __init__(self, path: str, fps: float) -> None:
        self.path, self.duration = path, 1000 / fps
        self._file = open(path, 'wb')
        self._palette = None
        self._waiting = []  # frames before the palette is made
        self._last = None  # [frame, duration ms] not yet written
        self.num_written = 0

    def append(self, frame: np.ndarray) -> None:
        if self._palette is None:
            self._waiting.append(frame)
            if len(self._waiting) == PALETTE_FRAMES:
                self._start()
            return
        self._push(frame)

    def _start(self) -> None:
        from PIL import Image
        from PIL.GifImagePlugin import getheader
        rgb = np.vstack([f[..., ::-1] for f in self._waiting])
        self._palette = Image.fromarray(rgb).quantize(
            256, method=Image.Quantize.FASTOCTREE)
        first = self._quantize(self._waiting[0])
        header, _ = getheader(first,
                              info=dict(loop=0,
                                        optimize=False,
                                        duration=self.duration))
        self._file.write(b''.join(header))
        waiting, self._waiting = self._waiting, []
        for frame in waiting:
            self._push(frame)

    def _quantize(self, frame: np.ndarray):
        from PIL import Image
        rgb = np.ascontiguousarray(frame[..., ::-1])
        return Image.fromarray(rgb).quantize(palette=self._palette,
                                             dither=Image.Dither.NONE)

    def _push(self, frame: np.ndarray) -> None:
        if self._last is not None and np.array_equal(self._last[0], frame):
            self._last[1] += self.duration
            return
        self._flush()
        self._last = [frame, self.duration]

    def _flush(self) -> None:
        from PIL.GifImagePlugin import getdata
        if self._last is None:
            return
        frame, duration = self._last
        self._file.write(b''.join(
            getdata(self._quantize(frame), duration=round(duration))))
        self.num_written += 1
        self._last = None

    def close(self) -> None:
        if self._palette is None and self._waiting:
            self._start()
        self._flush()
        self._file.write(b';')  # GIF trailer
        self._file.close()


def save_animation(frames: Iterable[np.ndarray],
                   out: str,
                   fps: float = 25.0) -> int:
    """Stream BGR frames of one size to ``out`` (``.gif`` or ``.mp4``) and
    return how many were read; no frame is kept after it is written.

    A GIF frame identical to the one before it is merged into it (its
    duration is added), so a still pose gives fewer, longer frames.
    """
    ext = osp.splitext(out)[1].lower()
    if osp.isdir(out):
        raise UserError(f'{out}: is a directory; expected a .gif or .mp4 '
                        'file name')
    if ext not in ANIMATION_FORMATS:
        raise UserError(f'{out}: unknown animation format {ext!r}; '
                        "expected '.gif' or '.mp4'")
    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise ValueError(f'{out}: no frames to write')
    if ext == '.gif':
        writer = GifStreamWriter(out, fps)
        write, close = writer.append, writer.close
    else:
        h, w = first.shape[:2]
        writer = cv2.VideoWriter(out, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                                 (w, h))
        if not writer.isOpened():
            raise UserError(f'{out}: OpenCV cannot open an mp4v video writer')
        write, close = writer.write, writer.release
    count = 0
    try:
        for frame in itertools.chain([first], frames):
            write(frame)
            count += 1
    finally:
        close()
    return count
