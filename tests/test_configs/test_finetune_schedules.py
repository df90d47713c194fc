"""Every fine-tune config trains the pre-trained embedder and encoder at
lr x 0.1 and everything else at the full lr, keeping its schedule's weight
decay rules (configs/_base_/schedules/finetune_encoder_lr.py)."""
import glob
import os.path as osp

import pytest
import torch.nn as nn
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

from slp_mm.models import DualBranchEncoder, FineGrainedContrastiveHead

from ..conftest import REPO

TASKS = ('islr', 'cslr', 'slt', 'retrieval')
# no pre-trained encoder: it trains at the full lr
FROM_SCRATCH = {
    'configs/islr/traduttore_asl_words_scratch.py',
    'projects/example_project/configs/traduttore_asl_words_attnpool.py',
}


def _downstream_configs():
    configs = [
        osp.relpath(f, REPO) for task in TASKS
        for pattern in ('*.py', 'ablations/*.py')
        for f in glob.glob(osp.join(REPO, 'configs', task, pattern))
    ]
    configs += [osp.relpath(f, REPO) for f in glob.glob(
        osp.join(REPO, 'projects', 'example_project', 'configs', '*.py'))]
    return sorted(configs)


class _TinyDownstream(nn.Module):
    """The parameter names the task models share, with the traps of a
    substring match: a decoder cross-attention named ``encoder_attn``, a
    frozen ``text_encoder`` and an STC head."""

    def __init__(self):
        super().__init__()
        self.embedder = nn.Sequential(nn.Linear(3, 8), nn.LayerNorm(8))
        self.encoder = DualBranchEncoder(embed_dims=8, num_layers=1,
                                         num_heads=2, max_frames=4)
        self.text_encoder = nn.Linear(8, 8)
        self.text_encoder.requires_grad_(False)
        self.stc_head = FineGrainedContrastiveHead(16, 8, 4)
        self.head = nn.Module()
        self.head.encoder_attn = nn.Linear(16, 16)
        self.head.fc = nn.Linear(16, 4)


def _groups(cfg):
    model = _TinyDownstream()
    with DefaultScope.overwrite_default_scope('slp_mm'):
        wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    lr, decay = {}, {}
    for group in wrapper.optimizer.param_groups:
        for p in group['params']:
            lr[p], decay[p] = group['lr'], group['weight_decay']
    return model, lr, decay


@pytest.mark.parametrize('config', _downstream_configs())
def test_pretrained_encoder_trains_at_a_tenth_of_the_lr(config):
    cfg = Config.fromfile(osp.join(REPO, config))
    model, lr, _ = _groups(cfg)
    base = cfg.optim_wrapper.optimizer.lr
    mult = 1.0 if config in FROM_SCRATCH else 0.1
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue  # mmengine leaves frozen parameters out
        pretrained = name.startswith(('embedder.', 'encoder.'))
        want = base * (mult if pretrained else 1.0)
        assert lr[p] == pytest.approx(want), (config, name, lr[p])


@pytest.mark.parametrize('config', ['configs/retrieval/phoenix2014t.py',
                                    'configs/retrieval/csl_daily.py'])
def test_encoder_lr_keeps_the_no_decay_rules(config):
    """The lr multiplier does not switch off norm/bias/position-embedding
    decay rules (it did with custom_keys={'encoder.': ...})."""
    cfg = Config.fromfile(osp.join(REPO, config))
    model, lr, decay = _groups(cfg)
    base = cfg.optim_wrapper.optimizer.weight_decay
    enc = model.encoder
    assert decay[enc.pos_embed['manual']] == 0.0
    assert lr[enc.pos_embed['manual']] == pytest.approx(
        0.1 * cfg.optim_wrapper.optimizer.lr)
    for name, p in enc.named_parameters():
        no_decay = ('norm' in name or name.endswith('bias')
                    or 'pos_embed' in name)
        assert decay[p] == (0.0 if no_decay else base), name


@pytest.mark.parametrize('config', _downstream_configs())
def test_fine_tune_configs_start_from_model_pretrained(config):
    """One way to start from pre-training: ``model.pretrained`` (only the
    encoder is loaded), never a whole-model ``load_from``."""
    cfg = Config.fromfile(osp.join(REPO, config))
    assert 'pretrained' in cfg.model
    assert cfg.load_from is None
    if config not in FROM_SCRATCH:
        assert 'model.pretrained' in open(osp.join(REPO, config)).read() \
            or cfg.model.pretrained, 'the config names how to load it'
