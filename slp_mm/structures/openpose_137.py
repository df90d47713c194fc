"""OpenPose's 137 joints (BODY_25 25 + face 70 + two hands 21) and their map
onto COCO-WholeBody 133.

Every COCO-WholeBody joint has an OpenPose counterpart: BODY_25 holds the 17
COCO body joints and the six foot joints (big toe, small toe, heel), its
face points 0-67 are the iBUG-68 points COCO uses, and its hands follow
COCO's hand order. OpenPose's neck, mid-hip and the two pupils (face 68
and 69) have no COCO joint and are dropped by the map.
"""
from slp_mm.registry import KEYPOINT_LAYOUTS
from .source_layout import SourceLayout

BODY_25_POINTS = [
    'Nose', 'Neck', 'RShoulder', 'RElbow', 'RWrist', 'LShoulder', 'LElbow',
    'LWrist', 'MidHip', 'RHip', 'RKnee', 'RAnkle', 'LHip', 'LKnee', 'LAnkle',
    'REye', 'LEye', 'REar', 'LEar', 'LBigToe', 'LSmallToe', 'LHeel',
    'RBigToe', 'RSmallToe', 'RHeel'
]
# point names as pose-format writes them: B(order), EB(rows), N(ose),
# E(yes), L(ips) O(uter) / I(nner), P(upils)
FACE_70_POINTS = (
    [f'FB_{i}' for i in range(17)] + [f'FEB_{i}' for i in range(17, 27)] +
    [f'FN_{i}' for i in range(27, 36)] + [f'FE_{i}' for i in range(36, 48)] +
    [f'FLO_{i}' for i in range(48, 60)] + [f'FLI_{i}' for i in range(60, 68)]
    + ['FP_68', 'FP_69'])
HAND_POINTS = [
    'BASE', 'T_STT', 'T_BCMC', 'T_MCP', 'T_IP', 'I_CMC', 'I_MCP', 'I_PIP',
    'I_DIP', 'M_CMC', 'M_MCP', 'M_PIP', 'M_DIP', 'R_CMC', 'R_MCP', 'R_PIP',
    'R_DIP', 'P_CMC', 'P_MCP', 'P_PIP', 'P_DIP'
]
# joint offsets in the 137 array
FACE, LEFT_HAND, RIGHT_HAND = 25, 95, 116
NECK, MID_HIP, RIGHT_PUPIL, LEFT_PUPIL = 1, 8, FACE + 68, FACE + 69

# COCO-WholeBody index -> BODY_25 index (body and feet)
COCO_FROM_BODY_25 = {
    0: 0, 1: 16, 2: 15, 3: 18, 4: 17, 5: 5, 6: 2, 7: 6, 8: 3, 9: 7, 10: 4,
    11: 12, 12: 9, 13: 13, 14: 10, 15: 14, 16: 11,
    17: 19, 18: 20, 19: 21, 20: 22, 21: 23, 22: 24
}
COCO_FACE, COCO_LEFT_HAND, COCO_RIGHT_HAND = 23, 91, 112


@KEYPOINT_LAYOUTS.register_module(name='openpose_137')
def openpose_137() -> SourceLayout:
    """The 137 OpenPose joints: 0-24 BODY_25, 25-94 face, 95-115 left hand,
    116-136 right hand; the root is the nose.

    Bones are COCO-WholeBody's carried over, plus the neck and mid-hip
    (shoulders and hips hang off them in BODY_25, off the nose in COCO) and
    each pupil hung off its eye's outer corner.
    """
    coco_from_source = dict(COCO_FROM_BODY_25)
    coco_from_source.update((COCO_FACE + i, FACE + i) for i in range(68))
    coco_from_source.update(
        (COCO_LEFT_HAND + j, LEFT_HAND + j) for j in range(21))
    coco_from_source.update(
        (COCO_RIGHT_HAND + j, RIGHT_HAND + j) for j in range(21))
    # iBUG 36 / 45: outer corner of the subject's right / left eye
    extra_edges = [(NECK, 0), (MID_HIP, NECK), (RIGHT_PUPIL, FACE + 36),
                   (LEFT_PUPIL, FACE + 45)]
    parts = dict(
        body=list(range(FACE)),
        face=list(range(FACE, FACE + 48)) + [RIGHT_PUPIL, LEFT_PUPIL],
        mouth=list(range(FACE + 48, FACE + 68)),
        left_hand=list(range(LEFT_HAND, LEFT_HAND + 21)),
        right_hand=list(range(RIGHT_HAND, RIGHT_HAND + 21)))
    components = [('pose_keypoints_2d', BODY_25_POINTS),
                  ('face_keypoints_2d', FACE_70_POINTS),
                  ('hand_left_keypoints_2d', HAND_POINTS),
                  ('hand_right_keypoints_2d', HAND_POINTS)]
    return SourceLayout('openpose_137', components, parts, coco_from_source,
                        extra_edges)
