"""Keep the main signer of a clip in which several people are detected (an
interpreter beside a presenter, a false detection).

Picking the first person of each frame would splice different people into
one sequence. Instead, the people of consecutive frames are linked into
tracks by box overlap, and the track that is largest and most central over
the whole clip, the main signer, is kept. The pose readers (MMPose and
OpenPose JSON) and the top-down extraction backends share this rule.
"""
from typing import List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

# boxes of consecutive detections of one person overlap at least this much
MIN_TRACK_IOU = 0.3


class Instance(NamedTuple):
    """One detected person in one frame."""
    keypoints: np.ndarray  # (K, 2)
    scores: np.ndarray  # (K, )
    box: np.ndarray  # (4, ) x1, y1, x2, y2


def box_area(box: np.ndarray) -> float:
    """Area of an (x1, y1, x2, y2) box; 0 for an empty one."""
    return max(box[2] - box[0], 0) * max(box[3] - box[1], 0)


def box_prominence(box: np.ndarray, width: float, height: float) -> float:
    """Share of the image a box covers, scaled down the further its centre
    lies from the image centre (0 at a corner)."""
    offset = np.hypot((box[0] + box[2] - width) / 2,
                      (box[1] + box[3] - height) / 2)
    centrality = max(0.0, 1 - offset / (np.hypot(width, height) / 2))
    return box_area(box) / (width * height) * centrality


def box_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two (x1, y1, x2, y2) boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(w, 0) * max(h, 0)
    union = box_area(a) + box_area(b) - inter
    return inter / union if union > 0 else 0.0


def keypoint_box(keypoints: np.ndarray, scores: np.ndarray,
                 min_score: float) -> np.ndarray:
    """(4, ) float32 box around the keypoints (K, 2) scoring at least
    ``min_score``, for estimators that give no person box; all zeros (an
    empty box) when none does."""
    confident = keypoints[scores >= min_score]  # (N, 2)
    if not len(confident):
        return np.zeros(4, np.float32)
    return np.concatenate([confident.min(0),
                           confident.max(0)]).astype(np.float32)


def main_track(timeline: Sequence[List[Instance]], width: float,
               height: float) -> List[Optional[int]]:
    """Per frame, the index of the main signer's instance (``None`` where
    absent): instances are linked greedily, most-overlapping first, to the
    track whose last box they overlap; the track with the largest summed
    prominence over the clip wins."""
    tracks = []  # dict(box=last box, members={frame: instance}, weight)
    for t, instances in enumerate(timeline):
        pairs = sorted(((box_iou(track['box'], inst.box), n, j)
                        for n, track in enumerate(tracks)
                        for j, inst in enumerate(instances)),
                       reverse=True)
        linked = {}  # instance -> track
        for overlap, n, j in pairs:
            if overlap < MIN_TRACK_IOU:
                break
            if j not in linked and n not in linked.values():
                linked[j] = n
        for j, inst in enumerate(instances):
            if j not in linked:
                tracks.append(dict(box=None, members={}, weight=0.0))
                linked[j] = len(tracks) - 1
            track = tracks[linked[j]]
            track['box'] = inst.box
            track['members'][t] = j
            track['weight'] += box_prominence(inst.box, width, height)
    if not tracks:
        return [None] * len(timeline)
    main = max(tracks, key=lambda track: track['weight'])
    return [main['members'].get(t) for t in range(len(timeline))]


def main_signer_keypoints(timeline: Sequence[List[Instance]], width: float,
                          height: float,
                          num_keypoints: int) -> Tuple[np.ndarray, np.ndarray]:
    """Keypoints (T, K, 2) and scores (T, K), float32, of the main signer;
    frames where they are not detected get zeros."""
    keypoints = np.zeros((len(timeline), num_keypoints, 2), np.float32)
    scores = np.zeros((len(timeline), num_keypoints), np.float32)
    for t, j in enumerate(main_track(timeline, width, height)):
        if j is not None:
            keypoints[t] = timeline[t][j].keypoints
            scores[t] = timeline[t][j].scores
    return keypoints, scores
