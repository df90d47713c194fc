"""Read MMPose inferencer predictions (JSON) into the data contract.

The JSON is a list over frames of ``{"frame_id", "instances": [{"keypoints":
[[x, y]] * K, "keypoint_scores": [K], "bbox": [[x1, y1, x2, y2]],
"bbox_score"}]}``. A frame may hold several people (an interpreter beside a
presenter, a false detection): the main signer is kept (see
``main_signer.py``).
"""
import json
from typing import List, Optional

import numpy as np

from .main_signer import Instance, main_signer_keypoints

# frame ids spanning more than this (four hours at 25 fps, several times a
# broadcast episode) are corrupt: the timeline is allocated up front
MAX_FRAME_SPAN = 360_000


def read_mmpose_json(path: str,
                     width: float,
                     height: float,
                     fps: float,
                     num_keypoints: Optional[int] = 133) -> dict:
    """Keypoints and scores of the main signer in an MMPose prediction file.

    Frames where the main signer is not detected get keypoints and scores
    0. The file stores no video size or frame rate, hence the arguments.

    Args:
        path (str): The JSON file.
        width, height (float): Video size in pixels.
        fps (float): Frame rate.
        num_keypoints (int, optional): Expected points per instance;
            ``None`` accepts any (all instances must still agree).

    Returns:
        dict: ``keypoints`` (T, K, 2) float32, ``scores`` (T, K) float32,
        ``width``, ``height``, ``fps``.
    """
    if not (width > 0 and height > 0):
        raise ValueError(f'{path}: video size {width}x{height} given, '
                         'expected positive width and height')
    try:
        with open(path, encoding='utf-8') as f:
            frames = json.load(f)
    except (ValueError, RecursionError) as e:  # also cut short, bad UTF-8
        raise ValueError(f'{path}: not valid JSON ({e})') from e
    if not isinstance(frames, list):
        raise ValueError(f'{path}: top level is a {type(frames).__name__}, '
                         'expected a list of frames')
    timeline = _parse_frames(frames, path, num_keypoints)
    k = num_keypoints
    if k is None:
        k = next((f[0].keypoints.shape[0] for f in timeline if f), 0)
    keypoints, scores = main_signer_keypoints(timeline, width, height, k)
    return dict(
        keypoints=keypoints,
        scores=scores,
        width=float(width),
        height=float(height),
        fps=float(fps))


def _parse_frames(frames: list, path: str,
                  num_keypoints: Optional[int]) -> List[List[Instance]]:
    """Instances per frame, placed by ``frame_id`` counted from the first
    frame (a frame missing from the list is a frame without instances)."""
    ids = []
    for i, frame in enumerate(frames):
        where = f'{path}: frame {i}'
        frame_id = _field(frame, 'frame_id', where)
        if not isinstance(frame_id, int) or (ids and frame_id <= ids[-1]):
            after = f" above the previous frame's {ids[-1]}" if ids else ''
            raise ValueError(f"{where}: field 'frame_id' is {frame_id!r}, "
                             f'expected an int{after}')
        ids.append(frame_id)
    if ids and ids[-1] - ids[0] >= MAX_FRAME_SPAN:
        raise ValueError(f"{path}: field 'frame_id' runs from {ids[0]} to "
                         f'{ids[-1]}, more than {MAX_FRAME_SPAN} frames')
    timeline = [[] for _ in range(ids[-1] - ids[0] + 1)] if ids else []
    for i, (frame, frame_id) in enumerate(zip(frames, ids)):
        instances = _field(frame, 'instances', f'{path}: frame {i}')
        if not isinstance(instances, list):
            raise ValueError(f"{path}: frame {i}: field 'instances' is a "
                             f'{type(instances).__name__}, expected a list')
        for j, inst in enumerate(instances):
            where = f'{path}: frame {i}, instance {j}'
            parsed = _parse_instance(inst, where)
            k = parsed.keypoints.shape[0]
            if num_keypoints is None:
                num_keypoints = k
            if k != num_keypoints:
                raise ValueError(f"{where}: field 'keypoints' has {k} "
                                 f'points, expected {num_keypoints}')
            timeline[frame_id - ids[0]].append(parsed)
    return timeline


def _field(obj, key: str, where: str):
    if not isinstance(obj, dict) or key not in obj:
        raise ValueError(f'{where}: field {key!r} is missing')
    return obj[key]


def _parse_instance(inst: dict, where: str) -> Instance:
    arrays = {}
    for key, shape in (('keypoints', '(K, 2)'), ('keypoint_scores', '(K, )'),
                       ('bbox', '[[x1, y1, x2, y2]]')):
        value = _field(inst, key, where)
        try:
            array = np.asarray(value)
        except ValueError as e:  # ragged nesting
            raise ValueError(f'{where}: field {key!r} is not a numeric '
                             f'array of shape {shape} ({e})') from e
        # strings, null, booleans and ints beyond int64 are not coordinates
        if array.dtype.kind not in 'iuf':
            first = array.ravel()[:1].tolist()  # as a Python object
            kind = type(first[0]).__name__ if first else 'no'
            raise ValueError(f'{where}: field {key!r} holds {kind} values, '
                             f'expected numbers of shape {shape}')
        arrays[key] = array.astype(np.float32)
    kpts, scores = arrays['keypoints'], arrays['keypoint_scores']
    if kpts.ndim != 2 or kpts.shape[1] != 2:
        raise ValueError(f"{where}: field 'keypoints' has shape "
                         f'{kpts.shape}, expected (K, 2)')
    if scores.shape != kpts.shape[:1]:
        raise ValueError(f"{where}: field 'keypoint_scores' has shape "
                         f'{scores.shape}, expected {kpts.shape[:1]}')
    box = arrays['bbox']
    if box.size != 4:
        raise ValueError(f"{where}: field 'bbox' has shape {box.shape}, "
                         'expected [[x1, y1, x2, y2]]')
    return Instance(kpts, scores, box.reshape(4))
