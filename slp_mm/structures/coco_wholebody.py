"""COCO-WholeBody 133 (MMPose's whole-body order) and the paper's 79-joint
selection from it.

The 133 order is: 0-16 COCO body, 17-22 feet, 23-90 face (68 points of the
iBUG/300W scheme), 91-111 left hand, 112-132 right hand. The paper keeps 79 of
them (1-based indexes 1-11, 24-40, 54, 84-91, 92-133): the upper body, the jaw
line and nose tip, the inner lips and both hands.

Keypoint names, skeleton links and colours are MMPose's own
(``configs/_base_/datasets/coco_wholebody.py`` in the mmpose package), read
once as a file: importing mmpose would load its whole dataset stack (COCO
tools, codecs) for three tables.
"""
import importlib.util
import os.path as osp
import runpy
from typing import List, Tuple

from slp_mm.registry import KEYPOINT_LAYOUTS
from .keypoint_layout import KeypointLayout


def mmpose_dataset_info(name: str) -> dict:
    """The ``dataset_info`` dict of an MMPose dataset config (keypoint_info,
    skeleton_info, sigmas, ...), e.g. ``name='coco_wholebody'``.

    Raises:
        ImportError: mmpose is not installed; says how to install it.
    """
    spec = importlib.util.find_spec('mmpose')
    if spec is None:
        raise ImportError(
            'slp_mm reads the COCO-WholeBody keypoint names from mmpose: '
            'pip install --no-deps mmpose==1.3.2 (README, Quick start)')
    path = osp.join(spec.submodule_search_locations[0], '.mim', 'configs',
                    '_base_', 'datasets', f'{name}.py')
    return runpy.run_path(path)['dataset_info']


_INFO = mmpose_dataset_info('coco_wholebody')
_KEYPOINTS = sorted(_INFO['keypoint_info'].values(), key=lambda k: k['id'])
_LINKS = sorted(_INFO['skeleton_info'].values(), key=lambda k: k['id'])

COCO_WHOLEBODY_NAMES: List[str] = [k['name'] for k in _KEYPOINTS]
_ID = {name: i for i, name in enumerate(COCO_WHOLEBODY_NAMES)}
# MMPose's drawing skeleton, (start, end) indexes, and the RGB colours of
# its keypoints and links
COCO_WHOLEBODY_LINKS: List[Tuple[int, int]] = [
    (_ID[a], _ID[b]) for a, b in (k['link'] for k in _LINKS)]
COCO_WHOLEBODY_KEYPOINT_COLORS: List[Tuple[int, int, int]] = [
    tuple(k['color']) for k in _KEYPOINTS]
COCO_WHOLEBODY_LINK_COLORS: List[Tuple[int, int, int]] = [
    tuple(k['color']) for k in _LINKS]

# The paper's 79 joints, 1-based in COCO-WholeBody as the paper writes them.
PAPER_79_ONE_BASED: List[int] = (
    list(range(1, 12)) + list(range(24, 41)) + [54] + list(range(84, 92)) +
    list(range(92, 134)))
PAPER_79_INDEXES: List[int] = [i - 1 for i in PAPER_79_ONE_BASED]


def _hand_edges(root: int) -> List[Tuple[int, int]]:
    """Bones of a 21-joint hand whose wrist is ``root`` (child, parent)."""
    edges = []
    for finger in range(5):
        base = root + 1 + 4 * finger
        edges.append((base, root))
        edges += [(base + k + 1, base + k) for k in range(3)]
    return edges


def _chain(start: int, stop: int) -> List[Tuple[int, int]]:
    return [(i + 1, i) for i in range(start, stop - 1)]


def _ring(start: int, stop: int) -> List[Tuple[int, int]]:
    return _chain(start, stop) + [(start, stop - 1)]


@KEYPOINT_LAYOUTS.register_module(name='coco_wholebody_133')
def coco_wholebody_133() -> KeypointLayout:
    """All 133 MMPose whole-body keypoints; the root is the nose."""
    # the body as a tree rooted at the nose (the GCN's spatial partition
    # needs a centre): MMPose's skeleton, less its eye-eye, ear-shoulder,
    # shoulder-shoulder and hip-hip links, plus nose-shoulder links
    body_edges = [(1, 0), (2, 0), (3, 1), (4, 2), (5, 0), (6, 0), (7, 5),
                  (9, 7), (8, 6), (10, 8), (11, 5), (12, 6), (13, 11),
                  (15, 13), (14, 12), (16, 14)]
    # feet and fingers: MMPose's links as (child, parent)
    feet_and_hand_edges = [(child, parent)
                           for parent, child in COCO_WHOLEBODY_LINKS
                           if child >= 17]
    face = 23
    face_edges = (
        _chain(face, face + 17)  # jaw line
        + _chain(face + 17, face + 22) + _chain(face + 22, face + 27)  # brows
        + _chain(face + 27, face + 31) + _chain(face + 31, face + 36)  # nose
        + _ring(face + 36, face + 42) + _ring(face + 42, face + 48)  # eyes
        + _ring(face + 48, face + 60) + _ring(face + 60, face + 68)  # lips
        + [(face + 30, 0), (face + 33, face + 30), (face + 51, face + 33),
           (face + 57, face + 8), (face + 62, face + 51),
           (face + 21, face + 27), (face + 22, face + 27),
           (face + 39, face + 27), (face + 42, face + 27)])
    parts = dict(
        body=list(range(0, 11)),
        lower_body=list(range(11, 23)),
        face=list(range(23, 71)),
        mouth=list(range(71, 91)),  # outer and inner lips
        left_hand=list(range(91, 112)),
        right_hand=list(range(112, 133)))
    # edges that tie the face, lips and hands into one graph, no bones
    graph_only = [(face + 30, 0), (face + 51, face + 33),
                  (face + 57, face + 8), (face + 62, face + 51),
                  (face + 21, face + 27),
                  (face + 22, face + 27), (face + 39, face + 27),
                  (face + 42, face + 27), (91, 9), (112, 10)]
    return KeypointLayout('coco_wholebody_133', COCO_WHOLEBODY_NAMES, parts,
                          body_edges + feet_and_hand_edges + face_edges +
                          [(91, 9), (112, 10)],
                          graph_only_edges=graph_only)


@KEYPOINT_LAYOUTS.register_module(name='sign79')
def sign79() -> KeypointLayout:
    """The paper's 79-joint model layout, selected from COCO-WholeBody 133.

    Local order: 0-10 upper body, 11-27 jaw line, 28 nose tip, 29-36 inner
    lips, 37-57 left hand, 58-78 right hand. Bones follow the body; the jaw,
    nose tip and lips hang off the nose, each hand off its body wrist (the
    model sees one connected graph per frame).
    """
    body_edges = [(1, 0), (2, 0), (3, 1), (4, 2), (5, 0), (6, 0), (7, 5),
                  (9, 7), (8, 6), (10, 8)]
    face_edges = _chain(11, 28) + [(28, 0), (19, 28)]  # jaw, chin -> nose tip
    mouth_edges = _ring(29, 37) + [(29, 28)]
    hand_edges = _hand_edges(37) + [(37, 9)] + _hand_edges(58) + [(58, 10)]
    parts = dict(
        body=list(range(0, 11)),
        face=list(range(11, 29)),
        mouth=list(range(29, 37)),
        left_hand=list(range(37, 58)),
        right_hand=list(range(58, 79)))
    names = [COCO_WHOLEBODY_NAMES[i] for i in PAPER_79_INDEXES]
    return KeypointLayout(
        'sign79',
        names,
        parts,
        body_edges + face_edges + mouth_edges + hand_edges,
        source_indexes=PAPER_79_INDEXES,
        source='coco_wholebody_133',
        # hand roots and wrists are one point; jaw and lips hang off the nose
        graph_only_edges=[(28, 0), (19, 28), (29, 28), (37, 9), (58, 10)])


@KEYPOINT_LAYOUTS.register_module(name='sign79_manual')
def sign79_manual() -> KeypointLayout:
    """The manual joints of ``sign79`` (body and both hands, 53 joints) with
    the bones among them: the manual-only ablation's layout."""
    return sign79().select_parts('sign79_manual',
                                 ('body', 'left_hand', 'right_hand'))


@KEYPOINT_LAYOUTS.register_module(name='sign79_non_manual')
def sign79_non_manual() -> KeypointLayout:
    """The non-manual joints of ``sign79`` (jaw line, nose tip and inner
    lips, 26 joints) with the bones among them (one connected graph through
    the nose tip): the non-manual-only ablation's layout."""
    return sign79().select_parts('sign79_non_manual', ('face', 'mouth'))
