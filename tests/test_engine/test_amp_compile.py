"""Mixed precision and compilation switches: bf16 autocast of the demo model,
the fused attention path, and what tools/train.py --amp / --compile set.

No torch.compile run here: compiling the demo's train step on 2 CPU cores
took 6 minutes and then failed inside Dynamo (docs/pretraining.md)."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from torch.profiler import profile

from slp_mm.engine.train_setup import apply_train_options, build_runner
from slp_mm.registry import DATASETS, MODELS
from slp_mm.utils.cli_errors import ConfigError
from ..conftest import REPO


@pytest.fixture(scope='module')
def model_and_batch(demo_cfg, synthetic_corpus):
    cfg = copy.deepcopy(demo_cfg.train_dataloader.dataset)
    cfg.type = 'SignPoseDataset'
    for key in ('num_samples', 'seed'):
        cfg.pop(key)
    cfg.data_root, cfg.ann_file = '', synthetic_corpus
    cfg.pipeline[5].tokenizer = osp.join(synthetic_corpus, 'tokenizer')
    ds = DATASETS.build(cfg)
    torch.manual_seed(0)
    model = MODELS.build(demo_cfg.model).eval()  # no dropout: comparable
    batch = model.data_preprocessor(
        pseudo_collate([ds[i] for i in range(16)]), training=True)
    return model, batch


def test_bf16_autocast_loss_is_close_to_fp32(model_and_batch):
    model, batch = model_and_batch
    seen = []  # the encoder's first block really runs in bf16
    linear = model.encoder.layers['manual'].layers[0].linear1
    hook = linear.register_forward_hook(lambda m, i, o: seen.append(o.dtype))
    with torch.no_grad():
        fp32 = model(**batch, mode='loss')
        with torch.autocast('cpu', dtype=torch.bfloat16):
            bf16 = model(**batch, mode='loss')
    hook.remove()
    assert seen == [torch.float32, torch.bfloat16]
    for key in ('loss_mpm', 'loss_stc'):
        assert bf16[key].dtype == torch.float32  # losses reduce in fp32
        torch.testing.assert_close(bf16[key], fp32[key], rtol=2e-2, atol=0)


def test_bf16_autocast_backward_reaches_every_trainable_weight(
        model_and_batch):
    model, batch = model_and_batch
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = model(**batch, mode='loss')
    (losses['loss_mpm'] + losses['loss_stc']).backward()
    grads = {n: p.grad for n, p in model.named_parameters()
             if p.requires_grad}
    assert all(g is not None and g.dtype == torch.float32
               and torch.isfinite(g).all() for g in grads.values())
    model.zero_grad()


def test_encoder_attention_goes_through_sdpa(model_and_batch):
    encoder = model_and_batch[0].encoder.train()
    tokens = {name: torch.randn(2, 6, encoder.embed_dims)
              for name in encoder.branches}
    mask = torch.tensor([[True] * 6, [True] * 4 + [False] * 2])
    with profile() as prof:
        encoder(tokens, mask).sum().backward()
    names = [e.name for e in prof.events()]
    # two branches x two blocks, one fused attention call each
    assert names.count('aten::scaled_dot_product_attention') == 4
    encoder.zero_grad()
    encoder.eval()


def _options(cfg, **kwargs):
    """``cfg`` as ``tools/train.py`` with these switches sets it up."""
    return apply_train_options(copy.deepcopy(cfg), 'configs/pretrain/demo.py',
                               work_dir='/tmp/x', **kwargs)


@pytest.mark.parametrize('bf16, expected', [
    (True, dict(dtype='bfloat16', loss_scale=1.0)),
    (False, dict(dtype='float16', loss_scale='dynamic')),
])
def test_amp_flag_picks_bf16_where_the_gpu_has_it(demo_cfg, monkeypatch,
                                                  bf16, expected):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported',
                        lambda including_emulation=True: bf16)
    cfg = _options(demo_cfg, amp=True)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert {k: cfg.optim_wrapper[k] for k in expected} == expected


def test_amp_flag_refuses_without_a_gpu(demo_cfg, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    with pytest.raises(ConfigError, match='AmpOptimWrapper runs on CUDA'):
        _options(demo_cfg, amp=True)


def test_bf16_config_is_the_flag_in_config_form():
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'pretrain', 'sl15m_bf16.py'))
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert (cfg.optim_wrapper.dtype, cfg.optim_wrapper.loss_scale) == (
        'bfloat16', 1.0)
    assert cfg.optim_wrapper.clip_grad == dict(max_norm=1.0)


def test_compile_flag_sets_runner_compile(demo_cfg):
    assert 'compile' not in _options(demo_cfg)
    cfg = _options(demo_cfg, compile=True)
    assert cfg.compile is True
    cfg.runner_type = 'FlexibleRunner'  # whose from_cfg drops `compile`
    with pytest.raises(ConfigError, match='compile is ignored'):
        build_runner(cfg)
