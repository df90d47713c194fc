"""The optimizer groups the schedules in configs/_base_/schedules build:
which parameters get weight decay."""
import os.path as osp

import pytest
import torch.nn as nn
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from slp_mm.models import DualBranchEncoder, FineGrainedContrastiveHead

from ..conftest import REPO


class _TinyPretrainer(nn.Module):
    """The parameter names of SignPretrainer's encoder and STC head."""

    def __init__(self):
        super().__init__()
        self.encoder = DualBranchEncoder(embed_dims=8, num_layers=1,
                                         num_heads=2, max_frames=4)
        self.stc_head = FineGrainedContrastiveHead(16, 8, 4)


@pytest.mark.parametrize('schedule',
                         ['pretrain_adamw_100e', 'retrieval_adamw_60e'])
def test_no_weight_decay_on_position_embeddings_norms_biases_temperature(
        schedule):
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', '_base_', 'schedules', schedule + '.py'))
    model = _TinyPretrainer()
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    decay = {}
    for group in wrapper.optimizer.param_groups:
        for p in group['params']:
            decay[p] = group['weight_decay']
    base = cfg.optim_wrapper.optimizer.weight_decay
    for name, p in model.named_parameters():
        no_decay = ('pos_embed' in name or 'norm' in name
                    or name.endswith('bias') or name.endswith('logit_scale'))
        assert decay[p] == (0.0 if no_decay else base), name
    assert decay[model.encoder.pos_embed['manual']] == 0.0
    assert decay[model.stc_head.pose_proj.weight] == base
