"""The interface every pose-extraction backend implements."""
from abc import ABCMeta, abstractmethod
from typing import NamedTuple, Tuple

import numpy as np

from .video_frames import VideoFrames


class ExtractedPose(NamedTuple):
    """The keypoints of one video in a backend's native layout.

    ``keypoints`` (T, K, D) float32 in pixels (D = 3 with MediaPipe's
    relative depth z, else 2), ``scores`` (T, K) float32 with 0 = not
    detected, ``width``/``height`` in pixels, ``fps``, and ``layout``, a
    name from :mod:`.pose_layouts`.
    """
    keypoints: np.ndarray
    scores: np.ndarray
    width: int
    height: int
    fps: float
    layout: str


class BasePoseExtractor(metaclass=ABCMeta):
    """Holds a loaded pose model and runs it over whole videos.

    Building the model is the slow part, so one extractor is built per run
    and :meth:`extract` is called per video.
    """

    #: the keypoint layout the backend produces (see :mod:`.pose_layouts`)
    layout: str

    def extract(self, path: str) -> ExtractedPose:
        """Keypoints of the main person of every decoded frame of a video.

        Raises:
            VideoDecodeError: The file is missing or does not decode.
        """
        with VideoFrames(path) as video:
            keypoints, scores = self.estimate(video)
        return ExtractedPose(keypoints, scores, video.width, video.height,
                             video.fps, self.layout)

    @abstractmethod
    def estimate(self, video: VideoFrames) -> Tuple[np.ndarray, np.ndarray]:
        """Keypoints (T, K, D) and scores (T, K), float32, of a video."""

    def close(self) -> None:
        """Free the model; the default has nothing to free."""
