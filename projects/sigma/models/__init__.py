from .early_fusion import SignAwareEarlyFusion
from .losses import (hierarchical_contrastive_loss, lm_loss, matching_loss,
                     mine_hard_negatives)
from .sigma_heads import SigmaLMHead, SigmaMatchingHead
from .sigma_pretrainer import SigmaPretrainer

__all__ = [
    'SignAwareEarlyFusion', 'SigmaPretrainer', 'SigmaMatchingHead',
    'SigmaLMHead', 'mine_hard_negatives', 'matching_loss', 'lm_loss',
    'hierarchical_contrastive_loss'
]
