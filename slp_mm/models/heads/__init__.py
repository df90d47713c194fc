from .fine_grained_contrastive_head import FineGrainedContrastiveHead
from .masked_pose_head import MaskedPoseHead
from .sign_cls_head import SignClsHead
from .sign_ctc_head import SignCTCHead
from .translation_head import SignTranslationHead

__all__ = [
    'MaskedPoseHead', 'FineGrainedContrastiveHead', 'SignClsHead',
    'SignCTCHead', 'SignTranslationHead'
]
