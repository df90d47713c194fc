from typing import List, Optional

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor

from slp_mm.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class FinetuneOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """mmengine's constructor plus a learning-rate multiplier per top-level
    module, for fine-tuning a pre-trained pose encoder at lr x 0.1 (Sec.
    III-C).

    Written because ``paramwise_cfg.custom_keys`` cannot express it: a key
    matches any parameter whose name contains it (``'encoder'`` also catches
    the SLT decoder's ``encoder_attn``), and a matched parameter skips every
    other rule (``norm_decay_mult``, ``bias_decay_mult`` and the longer
    decay keys such as ``'pos_embed'``), so the encoder's norms would get
    weight decay or its position embeddings the full lr. Here the decay
    rules and ``custom_keys`` apply as in mmengine, then the groups of each
    named child of the model are scaled.

    ``paramwise_cfg`` takes, next to mmengine's keys:

    - ``module_lr_mult`` (dict, optional): the name of a direct child of
      the model (``model.<name>``, matched exactly) -> learning-rate
      multiplier; ``None`` or empty scales nothing.
    """

    def add_params(self,
                   params: List[dict],
                   module: nn.Module,
                   prefix: str = '',
                   is_dcn_module: Optional[bool] = None) -> None:
        first = len(params)
        super().add_params(params, module, prefix, is_dcn_module)
        lr_mult = (self.paramwise_cfg.get('module_lr_mult') or {}).get(prefix)
        if lr_mult is not None and '.' not in prefix:
            # every group appended for this child and its descendants
            for group in params[first:]:
                group['lr'] = group.get('lr', self.base_lr) * lr_mult
