"""The paper's per-part normalisation of pose coordinates, batch-first.

One definition for both data paths: :class:`NormalizeParts` calls it on a
batch of one in the dataset pipeline, the data preprocessor on a padded
batch on the model's device.
"""
from collections import defaultdict
from typing import Sequence, Union

import torch


def normalize_parts_(pose: torch.Tensor,
                     size: torch.Tensor,
                     box_parts: Sequence[Sequence[int]],
                     score_thr: float = 0.1,
                     box_margin: float = 0.1,
                     min_box: float = 1e-3) -> torch.Tensor:
    """Normalise (x, y) to [-1, 1], in place: each box part (a hand) to its
    own square box per frame, every other joint to the video frame; a
    missing joint becomes (0, 0) with score 0.

    A part's box in a frame is the square around its joints scored above
    ``score_thr``, enlarged by ``box_margin``; a part with fewer than two
    such joints, or a box under ``min_box`` pixels, is missing in that frame
    (its scores become 0). A joint with score <= 0 is missing, so time
    padding (all 0) stays 0.

    In place because a batch holds ~10^7 floats: every extra pass over it
    costs as much as the arithmetic.

    Args:
        pose: (B, T, K, 3) float: x, y in pixels, score. Overwritten.
        size: (B, 2) float video width and height in pixels, > 0.
        box_parts: Joint indexes of each part normalised to its own box.
        score_thr, box_margin, min_box: See above.

    Returns:
        ``pose``.
    """
    num = pose.shape[2]
    boxed = sorted({j for idx in box_parts for j in idx})
    frame_idx = joint_index(sorted(set(range(num)) - set(boxed)),
                            pose.device)
    if isinstance(frame_idx, slice):  # scale the frame's joints in place
        pose[:, :, frame_idx, :2].mul_(2 / size[:, None, None]).sub_(1)
    else:
        pose[:, :, frame_idx, :2] = pose[:, :, frame_idx, :2] * (
            2 / size[:, None, None]) - 1
    by_size = defaultdict(list)  # parts of one size are boxed together
    for idx in box_parts:
        by_size[len(idx)].append(list(idx))
    for parts in by_size.values():
        flat = [j for idx in parts for j in idx]
        run = joint_index(flat, pose.device)
        if isinstance(run, slice):  # adjacent parts: a view, boxed in place
            _to_box_(pose[:, :, run].unflatten(2, (len(parts), -1)),
                     score_thr, box_margin, min_box)
        else:
            part_pose = pose[:, :, run].unflatten(2, (len(parts), -1))
            pose[:, :, run] = _to_box_(part_pose, score_thr, box_margin,
                                       min_box).flatten(2, 3)
    return pose.masked_fill_(pose[..., 2:] <= 0, 0)


def _to_box_(pose: torch.Tensor, score_thr: float, box_margin: float,
             min_box: float) -> torch.Tensor:
    """(..., J, 3) pixels -> (..., J, 3) in each part's square box, in
    place; the scores of a part without a box become 0."""
    kpts, conf = pose[..., :2], pose[..., 2:]  # (..., J, 2), (..., J, 1)
    valid = conf > score_thr
    lo = kpts.masked_fill(~valid, float('inf')).amin(-2)  # (..., 2)
    hi = kpts.masked_fill(~valid, float('-inf')).amax(-2)  # (..., 2)
    present = valid.sum((-2, -1)) >= 2  # (...)
    lo = lo.masked_fill_(~present[..., None], 0)
    hi = hi.masked_fill_(~present[..., None], 0)
    half = (hi - lo).amax(-1) / 2 * (1 + box_margin)  # (...)
    present &= half * 2 >= min_box
    center = (lo + hi) / 2  # (..., 2)
    half = half.masked_fill_(~present, 1)
    kpts.sub_(center[..., None, :]).div_(half[..., None, None])
    conf.masked_fill_(~present[..., None, None], 0)
    return pose


def joint_index(indexes: Sequence[int],
                device=None) -> Union[slice, torch.Tensor]:
    """A slice where the indexes are consecutive (a part of a layout
    usually is), else a long tensor: indexing an inner dimension with a
    tensor gathers element by element, several times slower than a slice's
    copy."""
    indexes = list(indexes)
    if indexes and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return slice(indexes[0], indexes[-1] + 1)
    return torch.as_tensor(indexes, dtype=torch.long, device=device)
