"""A top-down backend's people of one frame as the instances that the
main-signer tracking of ``pose_readers/main_signer.py`` links over the clip
(the largest, most central track wins, so a passer-by is never spliced into
the signer's sequence)."""
from typing import List

import numpy as np

from ..pose_readers.main_signer import Instance


def person_instances(keypoints: np.ndarray, scores: np.ndarray,
                     boxes: np.ndarray, num_keypoints: int,
                     model: str) -> List[Instance]:
    """One frame's people from keypoints (N, K, 2), scores (N, K) and boxes
    (N, 4) as x1, y1, x2, y2; ``model`` names the source in errors."""
    if keypoints.shape[1:] != (num_keypoints, 2):
        raise ValueError(f'{model}: returned keypoints of shape '
                         f'{keypoints.shape}, expected (N, {num_keypoints}, '
                         '2): not a COCO-WholeBody model?')
    return [
        Instance(k.astype(np.float32), s.astype(np.float32),
                 b.astype(np.float32))
        for k, s, b in zip(keypoints, scores, boxes.reshape(-1, 4))
    ]
