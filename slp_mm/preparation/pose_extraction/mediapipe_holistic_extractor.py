"""MediaPipe Holistic: body, face mesh and both hands of one person, on CPU,
with the models that ship inside the mediapipe wheel."""
import os.path as osp
from typing import Tuple

import cv2
import numpy as np

from slp_mm.registry import POSE_EXTRACTORS
from .base_pose_extractor import BasePoseExtractor
from .pose_layouts import MEDIAPIPE_HOLISTIC
from .video_frames import VideoFrames

INSTALL_HINT = (
    'The mediapipe backend needs mediapipe 0.10.21, the last release that '
    'ships the Holistic models (0.10.30+ and 1.x ship none): '
    "pip install --no-deps mediapipe==0.10.21 'protobuf>=4.25.3,<5'. "
    'Use --no-deps because it declares jax/jaxlib, which the Holistic path '
    'never imports; opencv-contrib-python, matplotlib, absl-py, attrs and '
    'numpy<2 must be there too (the slp_mm environment has them).')

# model_complexity -> pose landmark model it loads (mediapipe downloads the
# file when it is missing from the wheel)
POSE_LANDMARK_MODELS = {
    0: 'pose_landmark_lite.tflite',
    1: 'pose_landmark_full.tflite',
    2: 'pose_landmark_heavy.tflite',
}


@POSE_EXTRACTORS.register_module(name='mediapipe')
class MediaPipeHolisticExtractor(BasePoseExtractor):
    """Run ``mediapipe.solutions.holistic`` over each frame in video mode
    (landmarks tracked from frame to frame), as pose-format's
    ``video_to_pose`` does.

    Pixel x, y and MediaPipe's relative depth z per point; the score is the
    landmark visibility for the body and 1 for a detected face or hand. A
    part that is not detected in a frame gets score 0 (stored masked).

    Args:
        model_complexity (int): Pose landmark model, 0 (lite), 1 (full) or
            2 (heavy). mediapipe 0.10.21 ships only the full model; the
            others it would download, which is refused here: place the
            ``.tflite`` file in ``mediapipe/modules/pose_landmark/`` first.
        static_image_mode (bool): Detect afresh in every frame instead of
            tracking (slower, no temporal smoothing).
        min_detection_confidence (float): Person detection threshold.
        min_tracking_confidence (float): Below this, re-detect.
    """

    layout = MEDIAPIPE_HOLISTIC

    def __init__(self,
                 model_complexity: int = 1,
                 static_image_mode: bool = False,
                 min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5):
        try:
            import mediapipe
            from pose_format.utils.holistic import (body_points,
                                                    component_points)
        except ImportError as e:
            raise ImportError(f'{INSTALL_HINT} ({e})') from e
        if model_complexity not in POSE_LANDMARK_MODELS:
            raise ValueError(
                f'model_complexity is {model_complexity!r}, expected one of '
                f'{sorted(POSE_LANDMARK_MODELS)}')
        model = osp.join(
            osp.dirname(mediapipe.__file__), 'modules', 'pose_landmark',
            POSE_LANDMARK_MODELS[model_complexity])
        if not osp.isfile(model):
            raise ValueError(
                f'model_complexity={model_complexity} needs {model}, which '
                f'mediapipe {mediapipe.__version__} does not ship and would '
                'download; extraction never downloads. Use '
                'model_complexity=1 (shipped) or put the file there first.')
        self._body_points = body_points
        self._component_points = component_points
        self._holistic = mediapipe.solutions.holistic.Holistic(
            static_image_mode=static_image_mode,
            model_complexity=model_complexity,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence)

    def estimate(self, video: VideoFrames) -> Tuple[np.ndarray, np.ndarray]:
        keypoints, scores = [], []
        try:
            for frame in video:
                k, s = self._landmarks(
                    self._holistic.process(
                        cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)), video)
                keypoints.append(k)
                scores.append(s)
        finally:
            # video mode: the next video must not start from this track
            self._holistic.reset()
        return np.stack(keypoints), np.stack(scores)

    def _landmarks(self, result,
                   video: VideoFrames) -> Tuple[np.ndarray, np.ndarray]:
        """Keypoints (K, 3) and scores (K, ), float32, of one frame's
        result, in pose-format's point order and conversion (which also
        multiplies the metric, hip-centred world landmarks by w and h)."""
        w, h = video.width, video.height
        parts = [
            self._body_points(result.pose_landmarks, w, h, 33),
            self._component_points(result.face_landmarks, w, h, 468),
            self._component_points(result.left_hand_landmarks, w, h, 21),
            self._component_points(result.right_hand_landmarks, w, h, 21),
            self._body_points(result.pose_world_landmarks, w, h, 33),
        ]
        return (np.concatenate([p[0] for p in parts]).astype(np.float32),
                np.concatenate([p[1] for p in parts]).astype(np.float32))

    def close(self) -> None:
        self._holistic.close()
