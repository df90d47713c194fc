"""Read ``.pose`` files (the pose-format package) into the data contract."""
from typing import Optional

import numpy as np


def read_pose_file(path: str,
                   num_keypoints: Optional[int] = 133,
                   person: int = 0) -> dict:
    """Keypoints, scores, video size and fps of one person in a .pose file.

    Masked (undetected) points get score 0 and coordinates 0; only the first
    two dimensions (x, y in pixels) are kept.

    Args:
        path (str): The .pose file.
        num_keypoints (int, optional): Expected points per frame (133 for
            COCO-WholeBody); ``None`` accepts any.
        person (int): Which person of the file.

    Returns:
        dict: ``keypoints`` (T, K, 2) float32, ``scores`` (T, K) float32,
        ``width``, ``height``, ``fps``.
    """
    try:
        from pose_format import Pose
    except ImportError as e:
        raise ImportError('Reading .pose files needs the pose-format '
                          'package: pip install pose-format') from e
    with open(path, 'rb') as f:
        buffer = f.read()
    try:
        pose = Pose.read(buffer)
    except Exception as e:  # pose-format raises bare errors on bad bytes
        raise ValueError(f'{path}: not a readable .pose file ({e})') from e
    data = pose.body.data  # (T, P, K, D) masked
    if data.shape[1] <= person:
        raise ValueError(f'{path}: has {data.shape[1]} people, asked for '
                         f'person {person}')
    k = data.shape[2]
    if num_keypoints is not None and k != num_keypoints:
        raise ValueError(f'{path}: field "keypoints" has {k} points per '
                         f'frame, expected {num_keypoints}')
    mask = np.ma.getmaskarray(data[:, person, :, 0])  # (T, K)
    kpts = np.ma.filled(data[:, person, :, :2], 0).astype(np.float32)
    scores = np.asarray(pose.body.confidence[:, person], np.float32).copy()
    scores[mask] = 0
    kpts[mask] = 0
    dims = pose.header.dimensions
    return dict(
        keypoints=kpts,
        scores=scores,
        width=float(dims.width),
        height=float(dims.height),
        fps=float(pose.body.fps))
