from .fine_grained_contrastive_head import FineGrainedContrastiveHead
from .masked_pose_head import MaskedPoseHead
from .sign_cls_head import SignClsHead

__all__ = ['MaskedPoseHead', 'FineGrainedContrastiveHead', 'SignClsHead']
