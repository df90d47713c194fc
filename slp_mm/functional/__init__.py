"""Tensor math shared by several layers (datasets, models, evaluation)."""
from .fine_grained_similarity import (clip_word_similarity,
                                      fine_grained_similarity)
from .hierarchical_pose_mask import MASK_LEVELS, hierarchical_pose_mask
from .normalize_parts import joint_index, normalize_parts_
from .random_affine_pose import affine_pose_, draw_affine_params

__all__ = [
    'clip_word_similarity', 'fine_grained_similarity', 'MASK_LEVELS',
    'hierarchical_pose_mask', 'joint_index', 'normalize_parts_',
    'affine_pose_', 'draw_affine_params'
]
