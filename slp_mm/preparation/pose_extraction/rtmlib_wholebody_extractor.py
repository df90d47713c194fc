"""RTMW / DWPose whole-body estimation through rtmlib (ONNX, no mmcv)."""
import os.path as osp
from typing import Optional, Sequence, Tuple

import numpy as np

from slp_mm.registry import POSE_EXTRACTORS
from .base_pose_extractor import BasePoseExtractor
from ..pose_readers.main_signer import main_signer_keypoints
from .main_signer import person_instances
from .pose_layouts import COCO_WHOLEBODY_133
from .video_frames import VideoFrames

INSTALL_HINT = (
    'The rtmlib backend needs rtmlib and onnxruntime: pip install rtmlib '
    "onnxruntime 'numpy<2' opencv-python==4.11.0.86 "
    'opencv-contrib-python==4.11.0.86 (onnxruntime-gpu instead of '
    'onnxruntime on CUDA machines; the pins keep numpy 1.x, which '
    'xtcocotools needs).')


@POSE_EXTRACTORS.register_module(name='rtmlib')
class RTMLibWholebodyExtractor(BasePoseExtractor):
    """Person detector + top-down COCO-WholeBody 133 model from local ONNX
    files, through ``rtmlib.Wholebody``; the main signer is kept.

    rtmlib downloads its default models from the internet when no file is
    given; here both files are required and must exist locally. Where the
    detector finds nobody, rtmlib estimates on the whole frame.

    Args:
        det (str): Person detector ONNX file (e.g. YOLOX-m from rtmlib's
            ``yolox_m_8xb8-300e_humanart`` archive).
        pose (str): Whole-body pose ONNX file (RTMW or DWPose).
        det_input_size (tuple): Detector input (w, h).
        pose_input_size (tuple): Pose model input (w, h); (288, 384) for
            the 384x288 RTMW/DWPose models, (192, 256) for 256x192 ones.
        device (str): ``cpu``, ``cuda`` or ``cuda:N``.
        backend (str): rtmlib inference backend: ``onnxruntime``,
            ``opencv`` or ``openvino``.
    """

    layout = COCO_WHOLEBODY_133
    num_keypoints = 133

    def __init__(self,
                 det: Optional[str] = None,
                 pose: Optional[str] = None,
                 det_input_size: Sequence[int] = (640, 640),
                 pose_input_size: Sequence[int] = (288, 384),
                 device: str = 'cpu',
                 backend: str = 'onnxruntime'):
        for key, path in (('det', det), ('pose', pose)):
            if not (path and osp.isfile(path)):
                raise ValueError(
                    f'rtmlib backend: option {key!r} is {path!r}, expected '
                    'a local ONNX file (rtmlib would download a default '
                    'model; extraction never downloads)')
        try:
            from rtmlib import Wholebody
        except ImportError as e:
            raise ImportError(f'{INSTALL_HINT} ({e})') from e
        self._model = f'rtmlib {osp.basename(pose)}'
        self._wholebody = Wholebody(
            det=det,
            det_input_size=tuple(det_input_size),
            pose=pose,
            pose_input_size=tuple(pose_input_size),
            backend=backend,
            device=device)

    def estimate(self, video: VideoFrames) -> Tuple[np.ndarray, np.ndarray]:
        whole_frame = np.array([[0, 0, video.width, video.height]],
                               np.float32)
        timeline = []
        for frame in video:
            boxes = np.asarray(self._wholebody.det_model(frame), np.float32)
            if len(boxes) == 0:  # rtmlib's own fallback, box made explicit
                boxes = whole_frame
            keypoints, scores = self._wholebody.pose_model(frame, bboxes=boxes)
            timeline.append(
                person_instances(keypoints, scores, boxes,
                                 self.num_keypoints, self._model))
        return main_signer_keypoints(timeline, video.width, video.height,
                                     self.num_keypoints)
