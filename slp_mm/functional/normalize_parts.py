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
    such joints, or a box under ``min_box`` (> 0) pixels, is missing in
    that frame (its scores become 0). A joint with score <= 0 is missing,
    so time padding (all 0) stays 0. Coordinates are assumed finite and
    below ~1e30 in magnitude (the pose sample check allows 1e6).

    In place because a batch holds ~10^7 floats: every extra pass over it
    costs as much as the arithmetic, so the masks are float factors (a
    comparison written into a float tensor, then products) rather than
    ``where`` / ``masked_fill`` on bool masks, which run ~10x slower per
    element on CPU. Fastest when ``pose`` is a view of joint-major channel
    planes (3, B, K, T) (the data preprocessor's batch buffer): each part's
    joints are one contiguous block and the box reductions over a part's
    joints run across rows of frames.

    Args:
        pose: (B, T, K, 3) float: x, y in pixels, score. Overwritten.
        size: (B, 2) float video width and height in pixels, > 0.
        box_parts: Joint indexes of each part normalised to its own box.
        score_thr, box_margin, min_box: See above.

    Returns:
        ``pose``.
    """
    if not min_box > 0:
        raise ValueError(f'min_box must be > 0 pixels, got {min_box}')
    planes = pose.permute(3, 0, 2, 1)  # (3, B, K, T) view
    xy, conf = planes[:2], planes[2]  # (2, B, K, T), (B, K, T)
    boxed = sorted({j for idx in box_parts for j in idx})
    frame_idx = joint_index(
        sorted(set(range(pose.shape[2])) - set(boxed)), pose.device)
    scale = (2 / size).T[:, :, None, None].to(pose.dtype)  # (2, B, 1, 1)
    if isinstance(frame_idx, slice):  # scale the frame's joints in place
        xy[:, :, frame_idx].mul_(scale).sub_(1)
    else:
        xy[:, :, frame_idx] = xy[:, :, frame_idx] * scale - 1
    by_size = defaultdict(list)  # parts of one size are boxed together
    for idx in box_parts:
        by_size[len(idx)].append(list(idx))
    for parts in by_size.values():
        run = joint_index([j for idx in parts for j in idx], pose.device)
        # (3, B, P * J, T) -> (3, B, P, J, T)
        part = planes[:, :, run].unflatten(2, (len(parts), -1))
        _to_box_(part, score_thr, box_margin, min_box)
        if not isinstance(run, slice):  # a gathered copy: write it back
            planes[:, :, run] = part.flatten(2, 3)
    # missing joints (score <= 0, a missing part's scores included) -> 0
    planes.mul_(torch.gt(conf, 0, out=torch.empty_like(conf)))
    return pose


def _to_box_(part: torch.Tensor, score_thr: float, box_margin: float,
             min_box: float) -> torch.Tensor:
    """(3, ..., J, T) planes (x, y, score) in pixels -> in each part's
    square box per frame, in place; the scores of a part without a box
    become 0."""
    xy, conf = part[:2], part[2]  # (2, ..., J, T), (..., J, T)
    # a joint scored at most score_thr is moved out of the min and max
    far = torch.le(conf, score_thr, out=torch.empty_like(conf))  # 1 / 0
    far.mul_(1e30)
    lo = (xy + far).amin(-2)  # (2, ..., T)
    hi = (xy - far).amax(-2)  # (2, ..., T)
    half = (hi - lo).amax(0) / 2 * (1 + box_margin)  # (..., T)
    # a box needs two joints: one gives a side of 0, none -2e30 (lo 1e30,
    # hi -1e30), both under min_box > 0
    present = half * 2 >= min_box  # (..., T)
    center = torch.where(present, (lo + hi) / 2, 0)  # (2, ..., T)
    half = torch.where(present, half, 1)
    xy.sub_(center[..., None, :]).div_(half[..., None, :])
    conf.mul_(present.to(conf.dtype)[..., None, :])
    return part


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
