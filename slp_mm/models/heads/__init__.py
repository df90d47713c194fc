from .fine_grained_contrastive_head import FineGrainedContrastiveHead
from .masked_pose_head import MaskedPoseHead

__all__ = ['MaskedPoseHead', 'FineGrainedContrastiveHead']
