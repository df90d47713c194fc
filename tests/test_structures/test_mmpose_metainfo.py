"""COCO-WholeBody names, links and colours are MMPose's: checked against
MMPose's own metainfo parser (``parse_pose_metainfo``), and our graph's
bones against MMPose's skeleton."""
import os.path as osp

import numpy as np
import pytest

from slp_mm.structures import get_layout
from slp_mm.structures.coco_wholebody import (COCO_WHOLEBODY_KEYPOINT_COLORS,
                                              COCO_WHOLEBODY_LINK_COLORS,
                                              COCO_WHOLEBODY_LINKS,
                                              COCO_WHOLEBODY_NAMES)


@pytest.fixture(scope='module')
def mmpose_metainfo():
    import mmpose
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    return parse_pose_metainfo(dict(from_file=osp.join(
        osp.dirname(mmpose.__file__), '.mim', 'configs', '_base_',
        'datasets', 'coco_wholebody.py')))


def test_names_links_and_colours_equal_mmpose(mmpose_metainfo):
    meta = mmpose_metainfo
    assert COCO_WHOLEBODY_NAMES == [
        meta['keypoint_id2name'][i] for i in range(133)]
    assert COCO_WHOLEBODY_LINKS == [tuple(link)
                                    for link in meta['skeleton_links']]
    assert len(COCO_WHOLEBODY_LINKS) == 65
    np.testing.assert_array_equal(COCO_WHOLEBODY_KEYPOINT_COLORS,
                                  meta['keypoint_colors'])
    np.testing.assert_array_equal(COCO_WHOLEBODY_LINK_COLORS,
                                  meta['skeleton_link_colors'])


def test_bones_are_mmpose_links_but_the_rooted_body(mmpose_metainfo):
    """Every MMPose link is a bone of ours except the five that would close
    loops in the body tree; ours adds the nose-shoulder links (the tree's
    root is the nose), the face's 68-point outlines (MMPose draws none) and
    the wrists joining each hand's root."""
    bones = {frozenset(e) for e in get_layout('coco_wholebody_133').edges}
    links = {frozenset(map(int, e)) for e in mmpose_metainfo['skeleton_links']}
    assert links - bones == {frozenset(e) for e in (
        (1, 2), (3, 5), (4, 6), (5, 6), (11, 12))}
    ours_only = bones - links
    assert {e for e in ours_only if max(e) < 23 or min(e) >= 91} == {
        frozenset(e) for e in ((0, 5), (0, 6))}
    assert {frozenset(e) for e in ((9, 91), (10, 112))} <= ours_only
    assert all(23 <= min(e) or max(e) in (91, 112) or e == {0, 53}
               for e in ours_only - {frozenset((0, 5)), frozenset((0, 6))})
