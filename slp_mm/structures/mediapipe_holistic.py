"""MediaPipe Holistic (pose 33 + face mesh 468 + two hands 21 = 543 joints)
and its map onto COCO-WholeBody 133.

- Body: the 33 pose landmarks contain every COCO body joint, and the big toes
  (foot index) and heels; there are no small toes.
- Hands: MediaPipe's 21 hand landmarks follow COCO's hand order (wrist, then
  thumb, index, middle, ring, pinky from base to tip).
- Face: each of the 68 iBUG/300W points (COCO face 0-67) is a face-mesh
  point on the same contour (the face oval for the jaw, the brow, eye, nose
  and lip outlines), the point along the contour chosen where MMPose puts
  the iBUG point on the FOOTBALL clip, and left/right mirror pairs kept
  mirror pairs. Agreement with MMPose per region, and why the jaw line is
  only an approximation (a silhouette, not a point on the skin), is in
  docs/data_format.md ("MediaPipe face"); ``tests/test_preparation/
  test_mediapipe_face_map.py`` holds the bounds.
"""
from typing import Optional, Tuple

import numpy as np

from slp_mm.registry import KEYPOINT_LAYOUTS
from .source_layout import SourceLayout

POSE_POINTS = [
    'NOSE', 'LEFT_EYE_INNER', 'LEFT_EYE', 'LEFT_EYE_OUTER', 'RIGHT_EYE_INNER',
    'RIGHT_EYE', 'RIGHT_EYE_OUTER', 'LEFT_EAR', 'RIGHT_EAR', 'MOUTH_LEFT',
    'MOUTH_RIGHT', 'LEFT_SHOULDER', 'RIGHT_SHOULDER', 'LEFT_ELBOW',
    'RIGHT_ELBOW', 'LEFT_WRIST', 'RIGHT_WRIST', 'LEFT_PINKY', 'RIGHT_PINKY',
    'LEFT_INDEX', 'RIGHT_INDEX', 'LEFT_THUMB', 'RIGHT_THUMB', 'LEFT_HIP',
    'RIGHT_HIP', 'LEFT_KNEE', 'RIGHT_KNEE', 'LEFT_ANKLE', 'RIGHT_ANKLE',
    'LEFT_HEEL', 'RIGHT_HEEL', 'LEFT_FOOT_INDEX', 'RIGHT_FOOT_INDEX'
]
NUM_FACE_MESH = 468
HAND_POINTS = [
    'WRIST', 'THUMB_CMC', 'THUMB_MCP', 'THUMB_IP', 'THUMB_TIP',
    'INDEX_FINGER_MCP', 'INDEX_FINGER_PIP', 'INDEX_FINGER_DIP',
    'INDEX_FINGER_TIP', 'MIDDLE_FINGER_MCP', 'MIDDLE_FINGER_PIP',
    'MIDDLE_FINGER_DIP', 'MIDDLE_FINGER_TIP', 'RING_FINGER_MCP',
    'RING_FINGER_PIP', 'RING_FINGER_DIP', 'RING_FINGER_TIP', 'PINKY_MCP',
    'PINKY_PIP', 'PINKY_DIP', 'PINKY_TIP'
]
# joint offsets in the 543 array
FACE, LEFT_HAND, RIGHT_HAND = 33, 33 + NUM_FACE_MESH, 33 + NUM_FACE_MESH + 21
NUM_HOLISTIC = RIGHT_HAND + 21

# COCO-WholeBody index -> pose landmark index
COCO_FROM_POSE = {
    0: 0, 1: 2, 2: 5, 3: 7, 4: 8, 5: 11, 6: 12, 7: 13, 8: 14, 9: 15, 10: 16,
    11: 23, 12: 24, 13: 25, 14: 26, 15: 27, 16: 28,
    17: 31, 19: 29, 20: 32, 22: 30  # big toes = foot index, heels
}
# face-mesh point of each iBUG-68 face point (COCO 23 + i), iBUG order:
# jaw from the subject's right ear to the left, brows right then left (outer
# to inner), nose bridge top to tip, nostrils right to left, eyes (right,
# then left, clockwise from the outer corner), outer lips, inner lips
FACE_MESH_OF_IBUG = [
    127, 234, 93, 132, 172, 136, 149, 176, 152, 400, 378, 365, 397, 361, 323,
    454, 356,  # jaw 0-16
    70, 53, 52, 65, 55, 285, 295, 282, 283, 300,  # brows 17-26
    168, 197, 5, 4, 240, 97, 2, 326, 460,  # nose 27-35
    33, 160, 158, 133, 153, 144, 362, 385, 387, 263, 373, 380,  # eyes 36-47
    61, 39, 37, 0, 267, 269, 291, 321, 405, 17, 181, 91,  # outer lips 48-59
    78, 81, 13, 311, 308, 402, 14, 178  # inner lips 60-67
]
# COCO-WholeBody face region -> iBUG-68 indexes (docs/data_format.md)
FACE_REGIONS = dict(
    jaw=range(0, 17), brows=range(17, 27), nose=range(27, 36),
    eyes=range(36, 48), lips=range(48, 68))
INNER_LIPS_MESH = FACE_MESH_OF_IBUG[60:]
COCO_FACE, COCO_LEFT_HAND, COCO_RIGHT_HAND = 23, 91, 112


@KEYPOINT_LAYOUTS.register_module(name='mediapipe_holistic')
def mediapipe_holistic() -> SourceLayout:
    """The 543 Holistic joints: 0-32 pose, 33-500 face mesh, 501-521 left
    hand, 522-542 right hand; the root is the nose.

    The face mesh's 2556 tessellation edges are left out: only the 68 mesh
    points the map uses are connected (by COCO's face bones, the nose tip
    hung off the nose), the other mesh points are isolated nodes.
    """
    coco_from_source = dict(COCO_FROM_POSE)
    coco_from_source.update((COCO_FACE + i, FACE + m)
                            for i, m in enumerate(FACE_MESH_OF_IBUG))
    coco_from_source.update(
        (COCO_LEFT_HAND + j, LEFT_HAND + j) for j in range(21))
    coco_from_source.update(
        (COCO_RIGHT_HAND + j, RIGHT_HAND + j) for j in range(21))
    extra_edges = [
        (1, 2), (3, 2), (4, 5), (6, 5),  # inner and outer eye corners
        (9, 0), (10, 0),  # mouth corners
        (17, 15), (19, 15), (21, 15), (18, 16), (20, 16), (22, 16)  # hands
    ]
    parts = dict(
        body=list(range(FACE)),
        face=[FACE + i for i in range(NUM_FACE_MESH)
              if i not in INNER_LIPS_MESH],
        mouth=[FACE + i for i in INNER_LIPS_MESH],
        left_hand=list(range(LEFT_HAND, LEFT_HAND + 21)),
        right_hand=list(range(RIGHT_HAND, RIGHT_HAND + 21)))
    components = [('POSE_LANDMARKS', POSE_POINTS),
                  ('FACE_LANDMARKS', [str(i) for i in range(NUM_FACE_MESH)]),
                  ('LEFT_HAND_LANDMARKS', HAND_POINTS),
                  ('RIGHT_HAND_LANDMARKS', HAND_POINTS)]
    return SourceLayout('mediapipe_holistic', components, parts,
                        coco_from_source, extra_edges)


def mediapipe_to_coco_wholebody(
        pose: np.ndarray,
        pose_scores: np.ndarray,
        left_hand: Optional[np.ndarray] = None,
        left_scores: Optional[np.ndarray] = None,
        right_hand: Optional[np.ndarray] = None,
        right_scores: Optional[np.ndarray] = None
) -> Tuple[np.ndarray, np.ndarray]:
    """(T, 33, 2) pose and (T, 21, 2) hands -> (T, 133, 2), (T, 133), for
    Holistic output stored without the face mesh.

    Joints not given here (face, mouth, small toes; a hand that is
    ``None``) get coordinates 0 and score 0.
    """
    t = pose.shape[0]
    kpts = np.zeros((t, NUM_HOLISTIC, 2), np.float32)
    scores = np.zeros((t, NUM_HOLISTIC), np.float32)
    kpts[:, :FACE], scores[:, :FACE] = pose, pose_scores
    for start, hand, hscores in ((LEFT_HAND, left_hand, left_scores),
                                 (RIGHT_HAND, right_hand, right_scores)):
        if hand is not None:
            kpts[:, start:start + 21] = hand
            scores[:, start:start + 21] = hscores
    return mediapipe_holistic().to_coco_wholebody(kpts, scores)
