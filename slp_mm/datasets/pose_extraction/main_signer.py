"""Keep the main signer of a multi-person (top-down) pose estimate.

Top-down backends return every detected person per frame. The same rule as
for MMPose prediction files applies (see ``read_mmpose_json``): instances
are linked into tracks by box overlap, and the track that is largest and
most central over the whole clip is kept, so a passer-by is never spliced
into the signer's sequence.
"""
from typing import List, Sequence, Tuple

import numpy as np

from ..pose_readers.mmpose_json_reader import _Instance, _main_track


def person_instances(keypoints: np.ndarray, scores: np.ndarray,
                     boxes: np.ndarray, num_keypoints: int,
                     model: str) -> List[_Instance]:
    """One frame's people from keypoints (N, K, 2), scores (N, K) and boxes
    (N, 4) as x1, y1, x2, y2; ``model`` names the source in errors."""
    if keypoints.shape[1:] != (num_keypoints, 2):
        raise ValueError(f'{model}: returned keypoints of shape '
                         f'{keypoints.shape}, expected (N, {num_keypoints}, '
                         '2): not a COCO-WholeBody model?')
    return [
        _Instance(k.astype(np.float32), s.astype(np.float32),
                  b.astype(np.float32))
        for k, s, b in zip(keypoints, scores, boxes.reshape(-1, 4))
    ]


def main_signer_keypoints(timeline: Sequence[List[_Instance]], width: float,
                          height: float,
                          num_keypoints: int) -> Tuple[np.ndarray, np.ndarray]:
    """Keypoints (T, K, 2) and scores (T, K), float32, of the main signer;
    frames where they are not detected get zeros."""
    keypoints = np.zeros((len(timeline), num_keypoints, 2), np.float32)
    scores = np.zeros((len(timeline), num_keypoints), np.float32)
    for t, j in enumerate(_main_track(list(timeline), width, height)):
        if j is not None:
            keypoints[t] = timeline[t][j].keypoints
            scores[t] = timeline[t][j].scores
    return keypoints, scores
