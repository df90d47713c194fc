import numpy as np
import pytest

from slp_mm.structures import (COCO_WHOLEBODY_NAMES, SourceLayout, get_layout,
                               mediapipe_to_coco_wholebody)


def _connected(n, edges):
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for a, b in edges:
        parent[find(a)] = find(b)
    return len({find(i) for i in range(n)}) == 1


def _point(layout, coco_index):
    """The '{component}/{point}' name COCO joint ``coco_index`` maps to."""
    return layout.keypoint_names[layout.coco_from_source[coco_index]]


def test_openpose_137_maps_every_coco_joint_by_name():
    layout = get_layout('openpose_137')
    assert isinstance(layout, SourceLayout)
    assert layout.num_keypoints == 137
    assert len(layout.coco_from_source) == 133
    # COCO body and feet names spelled the OpenPose way: left_big_toe ->
    # LBigToe, nose -> Nose
    for i, name in enumerate(COCO_WHOLEBODY_NAMES[:23]):
        words = name.split('_')
        side = {'left': 'L', 'right': 'R'}.get(words[0])
        op = (side or '') + ''.join(w.capitalize()
                                    for w in words[1 if side else 0:])
        assert _point(layout, i) == f'pose_keypoints_2d/{op}'
    for i in range(68):  # iBUG-68 in both
        assert _point(layout, 23 + i).split('_')[-1] == str(i)
        assert _point(layout, 23 + i).startswith('face_keypoints_2d/F')
    hand_points = [p for c, points in layout.components
                   if c == 'hand_left_keypoints_2d' for p in points]
    for j in range(21):
        assert _point(layout, 91 + j) == (
            f'hand_left_keypoints_2d/{hand_points[j]}')
        assert _point(layout, 112 + j) == (
            f'hand_right_keypoints_2d/{hand_points[j]}')
    # the pupils, neck and mid-hip are dropped
    assert {1, 8, 93, 94}.isdisjoint(layout.coco_from_source.values())
    assert _connected(137, layout.edges)


def test_mediapipe_holistic_map():
    layout = get_layout('mediapipe_holistic')
    assert layout.num_keypoints == 543
    assert {k: len(v) for k, v in layout.parts.items()} == dict(
        body=33, face=460, mouth=8, left_hand=21, right_hand=21)
    # COCO body names are MediaPipe's in lower case
    for i, name in enumerate(COCO_WHOLEBODY_NAMES[:17]):
        assert _point(layout, i) == f'POSE_LANDMARKS/{name.upper()}'
    assert _point(layout, 17) == 'POSE_LANDMARKS/LEFT_FOOT_INDEX'
    assert _point(layout, 22) == 'POSE_LANDMARKS/RIGHT_HEEL'
    assert [_point(layout, i) for i in range(83, 91)] == [
        f'FACE_LANDMARKS/{m}' for m in (78, 81, 13, 311, 308, 402, 14, 178)
    ]
    # jaw ends, chin, nose tip, outer eye corners from the face mesh
    assert [_point(layout, 23 + i) for i in (0, 8, 16, 30, 36, 45)] == [
        f'FACE_LANDMARKS/{m}' for m in (127, 152, 356, 4, 33, 263)]
    assert _point(layout, 91) == 'LEFT_HAND_LANDMARKS/WRIST'
    assert _point(layout, 132) == 'RIGHT_HAND_LANDMARKS/PINKY_TIP'
    unmapped = set(range(133)) - set(layout.coco_from_source)
    # the small toes
    assert unmapped == {18, 21}


def test_layout_graphs_build_in_mmaction():
    from mmaction.models.utils.graph import Graph
    for name, k in (('mediapipe_holistic', 543), ('openpose_137', 137)):
        graph = Graph(get_layout(name).graph_layout(), mode='spatial')
        assert graph.A.shape == (3, k, k)


def test_to_coco_wholebody_moves_joints_and_zeroes_missing_ones():
    layout = get_layout('openpose_137')
    rng = np.random.default_rng(0)
    kpts = rng.uniform(1, 100, (4, 137, 2)).astype(np.float32)
    scores = rng.uniform(0.1, 1, (4, 137)).astype(np.float32)
    out, out_scores = layout.to_coco_wholebody(kpts, scores)
    assert out.shape == (4, 133, 2) and out.dtype == np.float32
    np.testing.assert_array_equal(out[:, 1], kpts[:, 16])  # left eye
    np.testing.assert_array_equal(out[:, 6], kpts[:, 2])  # right shoulder
    np.testing.assert_array_equal(out[:, 23:91], kpts[:, 25:93])  # face
    np.testing.assert_array_equal(out[:, 112:], kpts[:, 116:])
    np.testing.assert_array_equal(out_scores[:, 91:112], scores[:, 95:116])

    mp_out, mp_scores = get_layout('mediapipe_holistic').to_coco_wholebody(
        np.ones((2, 543, 2), np.float32), np.ones((2, 543), np.float32))
    assert (mp_scores[:, [18, 21]] == 0).all()
    assert (mp_scores[:, 23:] == 1).all()
    with pytest.raises(ValueError, match=r'expected \(T, 137, 2\)'):
        layout.to_coco_wholebody(kpts[:, :133], scores[:, :133])


def test_mediapipe_to_coco_wholebody_without_face_or_a_hand():
    pose = np.arange(2 * 33 * 2, dtype=np.float32).reshape(2, 33, 2)
    right = np.full((2, 21, 2), 7, np.float32)
    kpts, scores = mediapipe_to_coco_wholebody(
        pose, np.full((2, 33), 0.5, np.float32),
        right_hand=right, right_scores=np.ones((2, 21), np.float32))
    np.testing.assert_array_equal(kpts[:, 9], pose[:, 15])  # left wrist
    np.testing.assert_array_equal(kpts[:, 112:], right)
    assert (scores[:, 91:112] == 0).all()  # no left hand
    assert (scores[:, 83:91] == 0).all()  # no face mesh, no mouth
    assert (scores[:, :17] == 0.5).all()


def test_source_layout_rejects_a_map_outside_either_layout():
    with pytest.raises(ValueError, match='map entries'):
        SourceLayout('bad', [('C', ['a', 'b'])], {}, {0: 2})
    with pytest.raises(ValueError, match='map entries'):
        SourceLayout('bad', [('C', ['a', 'b'])], {}, {133: 0})
