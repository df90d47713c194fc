"""Write an :class:`ExtractedPose` as a pose-format ``.pose`` file."""
import os

from .base_pose_extractor import ExtractedPose
from .pose_layouts import layout_components


def write_pose_file(pose: ExtractedPose, path: str) -> None:
    """Save one person's keypoints with the header of their layout.

    Points with score 0 are stored masked, as pose-format does for
    undetected parts. The file is written beside ``path`` as
    ``<path>.partial`` and renamed when complete, so an interrupted run
    never leaves a truncated ``.pose`` file behind; if writing fails, the
    ``.partial`` file is removed and the error re-raised.
    """
    from pose_format import Pose
    from pose_format.numpy.pose_body import NumPyPoseBody
    from pose_format.pose_header import PoseHeader, PoseHeaderDimensions

    header = PoseHeader(
        version=0.2,
        dimensions=PoseHeaderDimensions(
            width=pose.width, height=pose.height, depth=0),
        components=layout_components(pose.layout))
    if header.total_points() != pose.keypoints.shape[1]:
        raise ValueError(
            f'{path}: field "keypoints" has {pose.keypoints.shape[1]} points '
            f'per frame, layout {pose.layout!r} has {header.total_points()}')
    body = NumPyPoseBody(
        fps=pose.fps,
        data=pose.keypoints[:, None],  # (T, K, D) -> (T, 1, K, D)
        confidence=pose.scores[:, None])  # (T, K) -> (T, 1, K)
    partial = path + '.partial'
    try:
        with open(partial, 'wb') as f:
            Pose(header, body).write(f)
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise
