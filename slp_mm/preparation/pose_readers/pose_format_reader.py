"""Read ``.pose`` files (the pose-format package) into the data contract.

A ``.pose`` header names its components; that names the estimator that
made the file (MMPose's COCO-WholeBody, MediaPipe Holistic, OpenPose), and
its joints are mapped onto COCO-WholeBody 133, the model's joint set.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from slp_mm.structures import SourceLayout, get_layout

COCO_WHOLEBODY = 'coco_wholebody_133'
SUPPORTED_LAYOUTS = (COCO_WHOLEBODY, 'mediapipe_holistic', 'openpose_137')
# COCO-WholeBody as pose-format's MMPose writer stores it, in COCO order
COCO_WHOLEBODY_COMPONENTS = (('BODY', 23), ('FACE', 68), ('LEFT_HAND', 21),
                             ('RIGHT_HAND', 21))


def read_pose_file(path: str,
                   layout: Optional[str] = None,
                   person: int = 0) -> dict:
    """COCO-WholeBody keypoints, scores, video size and fps of one person
    in a .pose file.

    COCO-WholeBody files are read as they are. Files of another estimator
    (MediaPipe Holistic, OpenPose 137) are matched to its layout by point
    name, so a file with a subset of a component (a reduced face mesh) or
    extra points or components (the iris points of a refined face mesh,
    MediaPipe's POSE_WORLD_LANDMARKS) maps too; COCO joints the file does
    not give get coordinates 0 and score 0. Masked (undetected) and
    non-finite points get score 0 and coordinates 0; only x, y (pixels)
    are kept.

    Args:
        path (str): The .pose file.
        layout (str, optional): Source layout of the file, one of
            ``SUPPORTED_LAYOUTS``; ``None`` detects it from the header's
            component names.
        person (int): Which person of the file.

    Returns:
        dict: ``keypoints`` (T, 133, 2) float32, ``scores`` (T, 133)
        float32, ``width``, ``height``, ``fps`` and ``source_layout``, the
        name of the file's own layout (the keypoints are always
        COCO-WholeBody's; ``layout`` in a pipeline names the array's).
    """
    pose = _read(path)
    data = pose.body.data  # (T, P, K, D) masked
    if data.shape[1] <= person:
        raise ValueError(f'{path}: has {data.shape[1]} people, asked for '
                         f'person {person}')
    components = [(c.name, list(c.points)) for c in pose.header.components]
    layout = _match_layout(path, components, layout)
    xy = np.ma.filled(data[:, person, :, :2], np.nan)  # (T, K, 2)
    missing = ~np.isfinite(xy).all(-1)  # (T, K): masked, NaN or inf
    scores = np.asarray(pose.body.confidence[:, person], np.float32)
    scores = np.where(missing, 0, scores).astype(np.float32)
    xy = np.where(missing[..., None], 0, xy).astype(np.float32)
    starts = _component_starts(path, components, data.shape[2])
    if layout == COCO_WHOLEBODY:
        keypoints, scores = _gather_coco_wholebody(path, starts, xy, scores)
    else:
        source = get_layout(layout)
        keypoints, scores = source.to_coco_wholebody(
            *_gather_by_name(path, source, starts, xy, scores))
    dims = pose.header.dimensions
    _check_pixels(path, keypoints, scores, dims.width, dims.height)
    return dict(
        keypoints=keypoints,
        scores=scores,
        width=float(dims.width),
        height=float(dims.height),
        fps=float(pose.body.fps),
        source_layout=layout)


def _read(path: str):
    try:
        from pose_format import Pose
    except ImportError as e:
        raise ImportError('Reading .pose files needs the pose-format '
                          'package: pip install pose-format') from e
    with open(path, 'rb') as f:
        buffer = f.read()
    try:
        return Pose.read(buffer)
    except Exception as e:  # pose-format raises bare errors on bad bytes
        raise ValueError(f'{path}: not a readable .pose file ({e})') from e


def _match_layout(path: str, components: Sequence[Tuple[str, List[str]]],
                  asked: Optional[str]) -> str:
    """The supported layout (``asked``, or the first one) whose component
    names the file holds."""
    names = {c for c, _ in components}
    for layout in SUPPORTED_LAYOUTS if asked is None else [asked]:
        if (layout in SUPPORTED_LAYOUTS
                and set(_layout_components(layout)) <= names):
            return layout
    found = [f'{c} ({len(points)} points)' for c, points in components]
    known = {layout: _layout_components(layout)
             for layout in SUPPORTED_LAYOUTS}
    what = 'unknown keypoint layout' if asked is None else (
        f'not in layout {asked!r}')
    raise ValueError(f'{path}: {what}, components {found}; supported '
                     f'layouts and their components: {known}')


def _layout_components(layout: str) -> List[str]:
    if layout == COCO_WHOLEBODY:
        return [c for c, _ in COCO_WHOLEBODY_COMPONENTS]
    return [c for c, _ in get_layout(layout).components]


def _component_starts(path: str, components: Sequence[Tuple[str, List[str]]],
                      num_points: int) -> Dict[str, Tuple[int, List[str]]]:
    """Component name -> (index of its first point in the file, its point
    names)."""
    starts, start = {}, 0
    for name, points in components:
        starts[name] = (start, points)
        start += len(points)
    if start != num_points:
        raise ValueError(f'{path}: header components hold {start} points, '
                         f'the data {num_points}')
    return starts


def _gather_coco_wholebody(path: str, starts: Dict[str, Tuple[int, list]],
                           xy: np.ndarray, scores: np.ndarray
                           ) -> Tuple[np.ndarray, np.ndarray]:
    """(T, K, 2), (T, K) of the file -> (T, 133, 2), (T, 133) in COCO order;
    each component must hold exactly its COCO points."""
    index = []
    for name, count in COCO_WHOLEBODY_COMPONENTS:
        start, points = starts[name]
        if len(points) != count:
            raise ValueError(f'{path}: component {name!r} has {len(points)} '
                             f'points, expected {count} (COCO-WholeBody)')
        index += range(start, start + count)
    return xy[:, index], scores[:, index]


def _gather_by_name(path: str, layout: SourceLayout,
                    starts: Dict[str, Tuple[int, list]], xy: np.ndarray,
                    scores: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """(T, K, 2), (T, K) of the file -> (T, L, 2), (T, L) in ``layout``,
    points matched by component and point name; a point of the layout the
    file lacks gets score 0."""
    file_index, own_index = [], []
    slices = layout.component_slices()
    for name, own_points in layout.components:
        start, points = starts[name]
        own_by_name = {
            p: i for i, p in enumerate(own_points, slices[name].start)}
        hits = [(start + j, own_by_name[p]) for j, p in enumerate(points)
                if p in own_by_name]
        if not hits:
            raise ValueError(f'{path}: component {name!r} has none of the '
                             f'{layout.name} point names (found '
                             f'{points[:5]}..., expected {own_points[:5]}...)')
        file_index += [f for f, _ in hits]
        own_index += [o for _, o in hits]
    t, k = xy.shape[0], layout.num_keypoints
    keypoints = np.zeros((t, k, 2), np.float32)
    own_scores = np.zeros((t, k), np.float32)
    keypoints[:, own_index] = xy[:, file_index]
    own_scores[:, own_index] = scores[:, file_index]
    return keypoints, own_scores


def _check_pixels(path: str, keypoints: np.ndarray, scores: np.ndarray,
                  width: float, height: float) -> None:
    """Refuse coordinates normalised to the image when the header gives
    the video size in pixels: they would be read as a person one pixel
    wide."""
    visible = keypoints[scores > 0]  # (N, 2)
    if min(width, height) > 2 and visible.size and np.abs(
            visible).max() <= 1:
        raise ValueError(f'{path}: every visible coordinate lies in [-1, 1] '
                         f'but the header gives a {width:g}x{height:g} '
                         'video: coordinates look normalised, expected '
                         'pixels')
