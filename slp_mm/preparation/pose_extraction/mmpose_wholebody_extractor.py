"""COCO-WholeBody 133 estimation with MMPose's ``MMPoseInferencer``."""
from typing import Optional, Tuple

import numpy as np

from slp_mm.registry import POSE_EXTRACTORS
from .base_pose_extractor import BasePoseExtractor
from ..pose_readers.main_signer import main_signer_keypoints
from .main_signer import person_instances
from .pose_layouts import COCO_WHOLEBODY_133
from .video_frames import VideoFrames

INSTALL_HINT = (
    'The mmpose backend needs MMPoseInferencer, i.e. mmpose plus mmdet, a '
    'full mmcv with compiled ops (mmcv-lite lacks mmcv._ext) and '
    'torchvision matching your torch; in practice a GPU machine. '
    'mmpose 1.3.2 and its runtime deps come with the README install '
    '(pip install --no-deps mmpose==1.3.2, then pip install -e .); add '
    "torchvision built for your torch/CUDA, pip install "
    "'mmdet>=3.0,<3.4' and a compiled mmcv "
    '2.0.x (mim install mmcv==2.0.1, or build it from source; mmaction2 '
    '1.1.0 refuses mmcv>=2.1.0).')

# the paper's model (HRNet-w48 + DARK, COCO-WholeBody, 384x288) by its
# MMPose model name
HRNET_W48_DARK = 'td-hm_hrnet-w48_dark-8xb32-210e_coco-wholebody-384x288'


@POSE_EXTRACTORS.register_module(name='mmpose')
class MMPoseWholebodyExtractor(BasePoseExtractor):
    """Person detector + top-down COCO-WholeBody model through
    ``mmpose.apis.MMPoseInferencer``; the main signer is kept.

    Frames are decoded here (BGR, as MMPose expects from OpenCV) and passed
    one at a time, so every backend sees the same frames.

    Args:
        pose2d (str): Model alias (``wholebody``), model name (e.g.
            :data:`HRNET_W48_DARK`, the paper's model) or config file.
        pose2d_weights (str, optional): Checkpoint file or URL; ``None``
            lets MMPose fetch the model's published weights.
        det_model (str, optional): Detector alias, name or config; ``None``
            is MMPose's default person detector.
        det_weights (str, optional): Detector checkpoint.
        device (str, optional): e.g. ``cuda:0``; ``None`` picks one.
    """

    layout = COCO_WHOLEBODY_133
    num_keypoints = 133

    def __init__(self,
                 pose2d: str = 'wholebody',
                 pose2d_weights: Optional[str] = None,
                 det_model: Optional[str] = None,
                 det_weights: Optional[str] = None,
                 device: Optional[str] = None):
        try:
            import mmcv.ops  # noqa: F401 compiled ops, absent in mmcv-lite
            import mmdet  # noqa: F401
            import torchvision  # noqa: F401
            from mmpose.apis import MMPoseInferencer
        except ImportError as e:
            raise ImportError(f'{INSTALL_HINT} ({e})') from e
        self._model = f'mmpose {pose2d}'
        self._inferencer = MMPoseInferencer(
            pose2d=pose2d,
            pose2d_weights=pose2d_weights,
            det_model=det_model,
            det_weights=det_weights,
            device=device)

    def estimate(self, video: VideoFrames) -> Tuple[np.ndarray, np.ndarray]:
        timeline = []
        for frame in video:
            result = next(self._inferencer(frame, return_vis=False))
            instances = result['predictions'][0]  # people of this frame
            timeline.append(
                person_instances(
                    np.array([i['keypoints'] for i in instances],
                             np.float32),  # (N, K, 2)
                    np.array([i['keypoint_scores'] for i in instances],
                             np.float32),  # (N, K)
                    np.array([i['bbox'] for i in instances], np.float32),
                    self.num_keypoints, self._model) if instances else [])
        return main_signer_keypoints(timeline, video.width, video.height,
                                     self.num_keypoints)
