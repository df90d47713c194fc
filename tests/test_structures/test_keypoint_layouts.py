import numpy as np
import pytest

from slp_mm.structures import (COCO_WHOLEBODY_NAMES, PAPER_79_INDEXES,
                               KeypointLayout, get_layout)


def _connected(n, edges):
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for a, b in edges:
        parent[find(a)] = find(b)
    return len({find(i) for i in range(n)}) == 1


def test_paper_selection_is_the_papers_79():
    # 1-based 1-11, 24-40, 54, 84-91, 92-133 as listed in the paper
    expected = [i - 1 for i in [*range(1, 12), *range(24, 41), 54,
                                *range(84, 92), *range(92, 134)]]
    layout = get_layout('sign79')
    assert layout.num_keypoints == 79
    assert layout.source_indexes == expected == PAPER_79_INDEXES
    names = layout.keypoint_names
    assert names[0] == 'nose' and names[10] == 'right_wrist'
    assert names[11] == 'face-0' and names[27] == 'face-16'
    assert names[28] == 'face-30'  # nose tip
    assert names[29:37] == [f'face-{i}' for i in range(60, 68)]
    assert names[37] == 'left_hand_root'  # MMPose's names
    assert names[78] == 'right_pinky_finger4'


def test_sign79_parts_partition_and_graph():
    layout = get_layout('sign79')
    sizes = {k: len(v) for k, v in layout.parts.items()}
    assert sizes == dict(body=11, face=18, mouth=8, left_hand=21,
                         right_hand=21)
    all_idx = sorted(i for v in layout.parts.values() for i in v)
    assert all_idx == list(range(79))
    assert _connected(79, layout.edges)
    # a tree plus the one cycle of the inner-lip ring
    assert len(set(layout.edges)) == len(layout.edges) == 79


def test_coco_wholebody_133():
    layout = get_layout('coco_wholebody_133')
    assert layout.num_keypoints == 133 == len(COCO_WHOLEBODY_NAMES)
    assert layout.keypoint_names[91] == 'left_hand_root'
    assert layout.keypoint_names[112] == 'right_hand_root'
    assert _connected(133, layout.edges)


def test_mmaction_graph_accepts_layout():
    from mmaction.models.utils.graph import Graph
    g = Graph(get_layout('sign79').graph_layout(), mode='spatial')
    assert g.A.shape == (3, 79, 79)
    np.testing.assert_array_equal(g.A[0], np.eye(79))


def test_bad_layout_and_unknown_name():
    with pytest.raises(ValueError, match='outside'):
        KeypointLayout('bad', ['a', 'b'], dict(x=[0, 2]), [])
    with pytest.raises(KeyError, match='Unknown keypoint layout'):
        get_layout('sign80')
    with pytest.raises(KeyError, match='no part'):
        get_layout('sign79').part_indexes(['tail'])


@pytest.mark.parametrize('name, parts, size', [
    ('sign79_manual', ('body', 'left_hand', 'right_hand'), 53),
    ('sign79_non_manual', ('face', 'mouth'), 26),
])
def test_single_feature_layouts_keep_only_their_parts(name, parts, size):
    full, sub = get_layout('sign79'), get_layout(name)
    kept = full.part_indexes(parts)
    assert sub.num_keypoints == len(kept) == size
    assert sub.keypoint_names == [full.keypoint_names[i] for i in kept]
    # SelectKeypoints takes the kept joints straight from the 133
    assert sub.source == 'coco_wholebody_133'
    assert sub.source_indexes == [full.source_indexes[i] for i in kept]
    assert set(sub.parts) == set(parts)
    for p in parts:
        assert [sub.keypoint_names[i] for i in sub.parts[p]] == [
            full.keypoint_names[i] for i in full.parts[p]]
    # exactly the bones between two kept joints, one connected graph
    names = sub.keypoint_names
    bones = {(full.keypoint_names[a], full.keypoint_names[b])
             for a, b in full.edges if a in kept and b in kept}
    assert {(names[a], names[b]) for a, b in sub.edges} == bones
    assert _connected(size, sub.edges)


def test_select_parts_of_a_source_layout():
    coco = get_layout('coco_wholebody_133')
    hands = coco.select_parts('hands', ('left_hand', 'right_hand'))
    assert hands.source == 'coco_wholebody_133'
    assert hands.source_indexes == list(range(91, 133))
    assert hands.parts['left_hand'] == list(range(21))
    assert len(hands.edges) == 40  # 20 bones per hand, none to the body
