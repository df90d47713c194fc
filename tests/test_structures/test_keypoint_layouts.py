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
    assert names[37] == 'left_hand_wrist'
    assert names[78] == 'right_hand_pinky_finger4'


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
    assert layout.keypoint_names[91] == 'left_hand_wrist'
    assert layout.keypoint_names[112] == 'right_hand_wrist'
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
