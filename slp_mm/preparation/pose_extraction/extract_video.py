"""Pick a pose-extraction backend by name and run it on a video."""
import numpy as np

from slp_mm.registry import POSE_EXTRACTORS
from slp_mm.structures import get_layout
from ..registered import get_registered
from .base_pose_extractor import BasePoseExtractor, ExtractedPose


def build_pose_extractor(backend: str = 'mediapipe',
                         **backend_options) -> BasePoseExtractor:
    """The extractor of a backend registered in ``POSE_EXTRACTORS``
    (``mediapipe``, ``rtmlib``, ``mmpose`` or a plugin's), built with its
    options; a backend's library is imported only when it is built.

    Raises:
        ValueError: Unknown backend; the message lists the registered ones.
        ImportError: The backend's library is missing; the message says
            what to install.
    """
    return get_registered(POSE_EXTRACTORS, backend)(**backend_options)


def extract_video(path: str,
                  backend: str = 'mediapipe',
                  **backend_options) -> ExtractedPose:
    """Keypoints of the main person in every frame of one video, in the
    backend's native layout, with the video's size and fps.

    Builds the model for this one call; to process many videos, build it
    once with :func:`build_pose_extractor` and call ``extract`` per video.
    """
    extractor = build_pose_extractor(backend, **backend_options)
    try:
        return extractor.extract(path)
    finally:
        extractor.close()


def extract_video_sample(path: str,
                         backend: str = 'mediapipe',
                         **backend_options) -> dict:
    """The data contract of a video (what the readers give for a pose
    file), see :func:`pose_to_sample`."""
    return pose_to_sample(extract_video(path, backend, **backend_options))


def pose_to_sample(pose: ExtractedPose) -> dict:
    """An extracted pose as the data contract: ``keypoints`` (T, 133, 2) and
    ``scores`` (T, 133) float32 in COCO-WholeBody order, ``width``,
    ``height``, ``fps`` and ``source_layout``; joints the backend lacks have
    score 0."""
    keypoints = pose.keypoints[..., :2]  # (T, K, 2), depth dropped
    layout = get_layout(pose.layout)
    if hasattr(layout, 'to_coco_wholebody'):
        k = layout.num_keypoints  # MediaPipe's world landmarks come after
        keypoints, scores = layout.to_coco_wholebody(
            np.ascontiguousarray(keypoints[:, :k]), pose.scores[:, :k])
    else:
        scores = pose.scores
    return dict(keypoints=keypoints.astype(np.float32),
                scores=scores.astype(np.float32), width=float(pose.width),
                height=float(pose.height), fps=float(pose.fps),
                source_layout=pose.layout)
