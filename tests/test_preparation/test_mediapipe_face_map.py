"""The 68 COCO-WholeBody face points of a MediaPipe Holistic clip, mapped
from the face mesh, land where MMPose puts them on the same real clip
(FOOTBALL, ../shared/data/slp-pose-wholebody133).

Measured with ``tools/analysis/pose_source_agreement.py`` (docs/data_format.md,
"MediaPipe face"): median / p95 px jaw 1.9 / 3.7, brows 1.1 / 2.0, nose
0.7 / 1.7, eyes 0.7 / 1.3, lips 0.8 / 1.9, on a face 54 px wide. Moving
every point one neighbour along its contour gives medians 7.7, 4.4, 4.0, 3.8
and 4.9 px, and the mirrored map 44, 28, 1.7, 24 and 11 px: each bound sits
between the measured agreement and a map that is off by one point.
"""
import numpy as np
import pytest

from slp_mm.preparation.pose_readers import read_pose_file
from slp_mm.preparation.pose_readers.pose_source_agreement import (
    COCO_WHOLEBODY_REGIONS, pose_source_agreement)
from slp_mm.structures.mediapipe_holistic import (FACE_MESH_OF_IBUG,
                                                  FACE_REGIONS)
from tests.conftest import shared_file

DATA = 'slp-pose-wholebody133'
# region -> (median, p95) bound in px
MAX_DISTANCE_PX = dict(
    face_jaw=(3.0, 5.0),
    face_brows=(2.0, 3.0),
    face_nose=(1.5, 2.5),
    face_eyes=(1.5, 2.0),
    face_lips=(1.5, 3.0))


def test_map_covers_the_68_points_once():
    assert len(FACE_MESH_OF_IBUG) == 68 == len(set(FACE_MESH_OF_IBUG))
    assert all(0 <= m < 468 for m in FACE_MESH_OF_IBUG)
    regions = [i for r in FACE_REGIONS.values() for i in r]
    assert regions == list(range(68))
    # left/right mirror pairs of iBUG land on mirror pairs of the mesh:
    # outer eye corners 33/263, mouth corners 61/291, chin 152 centred
    assert [FACE_MESH_OF_IBUG[i] for i in (36, 45, 48, 54, 8)] == [
        33, 263, 61, 291, 152]


def test_face_lands_on_mmpose_for_the_same_clip():
    mmpose = read_pose_file(shared_file(DATA, 'FOOTBALL.mmposewholebody.pose'))
    mediapipe = read_pose_file(
        shared_file(DATA, 'FOOTBALL.mediapipe-holistic.pose'))
    # every frame has a face mesh: all 68 points are given, none guessed
    assert (mediapipe['scores'][:, 23:91] == 1).all()
    agreement = pose_source_agreement(mmpose, mediapipe)
    for region, (median, p95) in MAX_DISTANCE_PX.items():
        row = agreement[region]
        assert row['count'] == 62 * len(COCO_WHOLEBODY_REGIONS[region])
        assert row['median'] < median and row['p95'] < p95, (region, row)


def test_agreement_is_measured_over_joints_both_detect():
    keypoints = np.zeros((2, 133, 2), np.float32)
    scores = np.ones((2, 133), np.float32)
    other = keypoints.copy()
    other[:, 91:112, 0] = [[3.0], [4.0]]  # left hand 3 px, then 4 px off
    other_scores = scores.copy()
    other_scores[1, 91:101] = 0.2  # 10 joints undetected in frame 1
    agreement = pose_source_agreement(
        dict(keypoints=keypoints, scores=scores),
        dict(keypoints=other, scores=other_scores))
    assert agreement['left_hand'] == dict(
        median=3.0, p95=pytest.approx(4.0), count=42 - 10)
    assert agreement['right_hand'] == dict(median=0.0, p95=0.0, count=42)
