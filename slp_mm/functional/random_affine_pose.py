"""The random rotation, scale and shift of normalised poses
(:class:`RandomAffinePose`), batch-first.

One definition for both data paths: :class:`RandomAffinePose` applies it to
a batch of one in the dataset pipeline (parameters from numpy's generator,
as before the batched path existed), the data preprocessor to a padded batch
on the model's device (parameters from torch's generator of that device,
whose state the RNG state hook saves for an exact resume). Drawing and
applying are apart so that both paths can be given the same parameters.
"""
import math
from typing import Dict, Tuple

import torch


def draw_affine_params(num: int,
                       max_rotation: float,
                       scale: Tuple[float, float],
                       max_shift: float,
                       device=None) -> Dict[str, torch.Tensor]:
    """One uniform random rotation, scale and shift per sequence, from
    torch's generator of ``device`` (one draw of (num, 4) numbers).

    Args:
        num: B, the number of sequences.
        max_rotation: Largest rotation in degrees (either way).
        scale: Range of the scale factor.
        max_shift: Largest shift along each axis.

    Returns:
        ``rotation`` (B, ) radians, ``scale`` (B, ), ``shift`` (B, 2), all
        float64.
    """
    u = torch.rand(num, 4, dtype=torch.float64, device=device)  # (B, 4)
    return dict(rotation=(2 * u[:, 0] - 1) * math.radians(max_rotation),
                scale=scale[0] + (scale[1] - scale[0]) * u[:, 1],
                shift=(2 * u[:, 2:] - 1) * max_shift)


def affine_pose_(pose: torch.Tensor, rotation: torch.Tensor,
                 scale: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """Rotate, scale and shift (x, y) of each sequence, in place; missing
    joints (score <= 0) stay at (0, 0), the value they have in testing, so
    time padding (all 0) stays 0.

    Element-wise products rather than a matrix product: the same values on
    a batch of one and a padded batch (a batched matrix product rounds
    differently from a single one) and on any device (a CUDA matrix product
    may run in TF32). Against the per-sample numpy transform before the
    batched path (``keypoints @ rot.T``), ~1 coordinate in 7 differs by one
    float32 rounding step.

    Args:
        pose: (B, T, K, 3) float: x, y, score. x and y overwritten.
        rotation: (B, ) radians.
        scale: (B, ) factors.
        shift: (B, 2) added to x and y after rotation and scaling.

    Returns:
        ``pose``.
    """
    dtype = pose.dtype
    # s R = [[cos, -sin], [sin, cos]] with the scale in cos and sin
    scaled = torch.stack([rotation.cos(), rotation.sin()], 1).to(dtype)
    scaled.mul_(scale.to(dtype)[:, None])  # (B, 2)
    cos, sin = scaled[..., None, None].unbind(1)  # (B, 1, 1) each
    shift_x, shift_y = shift.to(dtype)[..., None, None].unbind(1)
    x, y = pose[..., 0], pose[..., 1]  # (B, T, K) views
    moved_x = (x * cos).sub_(y * sin).add_(shift_x)
    y.mul_(cos).add_(x * sin).add_(shift_y)
    x.copy_(moved_x)
    pose[..., :2].masked_fill_(pose[..., 2:] <= 0, 0)
    return pose
