"""Mixed precision and compilation switches: bf16 autocast of the demo model,
the fused attention path, and what tools/train.py --amp / --compile set.

No torch.compile run here: compiling the demo's train step on 2 CPU cores
took 6 minutes and then failed inside Dynamo (docs/pretraining.md)."""
import argparse
import copy
import importlib.util
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from torch.profiler import profile

from slp_mm.registry import DATASETS, MODELS
from ..conftest import REPO


def _train_tool():
    spec = importlib.util.spec_from_file_location(
        'train_tool', osp.join(REPO, 'tools', 'train.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def _args(**kwargs):
    defaults = dict(launcher='none', work_dir='/tmp/x', resume=None,
                    auto_scale_lr=False, cfg_options=None, amp=False,
                    compile=False, config='configs/pretrain/demo.py')
    return argparse.Namespace(**dict(defaults, **kwargs))


@pytest.mark.parametrize('bf16, expected', [
    (True, dict(dtype='bfloat16', loss_scale=1.0)),
    (False, dict(dtype='float16', loss_scale='dynamic')),
])
def test_amp_flag_picks_bf16_where_the_gpu_has_it(demo_cfg, monkeypatch,
                                                  bf16, expected):
    tool = _train_tool()
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported',
                        lambda including_emulation=True: bf16)
    cfg = tool.merge_args(copy.deepcopy(demo_cfg), _args(amp=True))
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert {k: cfg.optim_wrapper[k] for k in expected} == expected


def test_amp_flag_refuses_without_a_gpu(demo_cfg, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    with pytest.raises(SystemExit, match='AmpOptimWrapper runs on CUDA'):
        _train_tool().merge_args(copy.deepcopy(demo_cfg), _args(amp=True))


def test_bf16_config_is_the_flag_in_config_form():
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'pretrain', 'sl15m_bf16.py'))
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert (cfg.optim_wrapper.dtype, cfg.optim_wrapper.loss_scale) == (
        'bfloat16', 1.0)
    assert cfg.optim_wrapper.clip_grad == dict(max_norm=1.0)


def test_compile_flag_sets_runner_compile(demo_cfg):
    tool = _train_tool()
    assert 'compile' not in tool.merge_args(copy.deepcopy(demo_cfg), _args())
    cfg = tool.merge_args(copy.deepcopy(demo_cfg), _args(compile=True))
    assert cfg.compile is True
    cfg.runner_type = 'FlexibleRunner'  # whose from_cfg drops `compile`
    with pytest.raises(SystemExit, match='compile is ignored'):
        tool.build_runner(cfg)
