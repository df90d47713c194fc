"""MediaPipe Holistic landmarks mapped onto COCO-WholeBody 133.

MediaPipe's 21 hand landmarks follow the same order as COCO-WholeBody's hand
joints (wrist, then thumb, index, middle, ring, pinky from base to tip), and
its 33 pose landmarks contain every COCO body joint. Face-mesh points have no
agreed one-to-one match with the 68 iBUG face points, so the face and mouth
joints are left missing (confidence 0): models and losses ignore them
instead of learning from zeros.
"""
from typing import Optional, Tuple

import numpy as np

# COCO-WholeBody index -> MediaPipe pose landmark index
COCO_FROM_MEDIAPIPE_POSE = {
    0: 0, 1: 2, 2: 5, 3: 7, 4: 8, 5: 11, 6: 12, 7: 13, 8: 14, 9: 15, 10: 16,
    11: 23, 12: 24, 13: 25, 14: 26, 15: 27, 16: 28,
    17: 31, 19: 29, 20: 32, 22: 30  # big toes = foot index, heels
}
LEFT_HAND, RIGHT_HAND = 91, 112


def mediapipe_to_coco_wholebody(
        pose: np.ndarray,
        pose_scores: np.ndarray,
        left_hand: Optional[np.ndarray] = None,
        left_scores: Optional[np.ndarray] = None,
        right_hand: Optional[np.ndarray] = None,
        right_scores: Optional[np.ndarray] = None
) -> Tuple[np.ndarray, np.ndarray]:
    """(T, 33, 2) pose and (T, 21, 2) hands -> (T, 133, 2), (T, 133).

    Joints MediaPipe does not give (face, mouth, small toes; a hand that is
    ``None``) get coordinates 0 and score 0.
    """
    t = pose.shape[0]
    kpts = np.zeros((t, 133, 2), np.float32)
    scores = np.zeros((t, 133), np.float32)
    coco = list(COCO_FROM_MEDIAPIPE_POSE)
    mp = list(COCO_FROM_MEDIAPIPE_POSE.values())
    kpts[:, coco], scores[:, coco] = pose[:, mp], pose_scores[:, mp]
    for start, hand, hscores in ((LEFT_HAND, left_hand, left_scores),
                                 (RIGHT_HAND, right_hand, right_scores)):
        if hand is not None:
            kpts[:, start:start + 21] = hand
            scores[:, start:start + 21] = hscores
    return kpts, scores
