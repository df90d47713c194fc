"""Decode a video one frame at a time with OpenCV."""
import os.path as osp
from typing import Iterator

import cv2
import numpy as np

#: file extensions (lower case) taken as videos when a folder is searched
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm')


class VideoDecodeError(ValueError):
    """A video that is missing, not a video, or decodes to no frame."""


class VideoFrames:
    """The BGR frames of a video, decoded lazily (a long video never sits in
    memory whole).

    The first frame is decoded on opening, so a file that is not a video or
    holds no frame fails at once, and ``width``/``height`` come from a real
    frame rather than from container metadata, which can be wrong. Likewise
    the frame count is what decodes: FOOTBALL.mp4 declares 64 frames and
    decodes 62.

    Args:
        path (str): The video file.

    Raises:
        VideoDecodeError: Naming the file and what is wrong with it.
    """

    def __init__(self, path: str):
        self.path = path
        if not osp.isfile(path):
            raise VideoDecodeError(f'{path}: no such video file')
        self._capture = cv2.VideoCapture(path)
        ok, first = (self._capture.read() if self._capture.isOpened() else
                     (False, None))
        if not ok:
            self.close()
            raise VideoDecodeError(
                f'{path}: OpenCV decodes no frame from it (not a video, or '
                'an empty or corrupt one)')
        self.fps = float(self._capture.get(cv2.CAP_PROP_FPS))
        if not self.fps > 0:
            self.close()
            raise VideoDecodeError(f'{path}: field fps is {self.fps}, '
                                   'expected a positive frame rate')
        self.height, self.width = first.shape[:2]
        self._first = first  # (H, W, 3) uint8 BGR

    def __iter__(self) -> Iterator[np.ndarray]:
        """Yield each frame, (H, W, 3) uint8 BGR, once."""
        if self._first is None:
            raise RuntimeError(f'{self.path}: frames were already read')
        frame, self._first = self._first, None
        while frame is not None:
            yield frame
            ok, frame = self._capture.read()
            frame = frame if ok else None
        self.close()

    def close(self) -> None:
        self._capture.release()

    def __enter__(self) -> 'VideoFrames':
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
