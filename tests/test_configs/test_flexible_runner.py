"""FSDP and DeepSpeed configs of sl15m: what they set, the runner
tools/train.py builds from them, and a 2-rank FSDP run on CPU (gloo)."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch.nn as nn
from mmengine.config import Config
from mmengine.runner import FlexibleRunner

from slp_mm.registry import MODELS
from ..conftest import REPO, free_port

CONFIGS = osp.join(REPO, 'configs', 'pretrain')


def _config(name):
    return Config.fromfile(osp.join(CONFIGS, name))


def test_fsdp_config_wraps_each_transformer_block():
    cfg = _config('sl15m_fsdp.py')
    assert cfg.runner_type == 'FlexibleRunner'
    wrapper = cfg.strategy.model_wrapper
    assert cfg.strategy.type == 'FSDPStrategy'
    assert wrapper.ignored_modules == ['text_encoder']
    assert cfg.optim_wrapper.use_fsdp and cfg.optim_wrapper.clip_grad is None
    # size-based wrapping hits each block whole, none of its sub-layers
    min_params = wrapper.auto_wrap_policy.min_num_params
    encoder = MODELS.build(cfg.model.encoder)
    blocks = [m for m in encoder.modules()
              if isinstance(m, nn.TransformerEncoderLayer)]
    assert len(blocks) == 16  # 8 per branch
    for block in blocks:
        assert _numel(block) >= min_params
        assert all(_numel(child) < min_params for child in block.children())


def _numel(module):
    return sum(p.numel() for p in module.parameters())


def test_deepspeed_config_zero2_bf16_and_says_what_to_install():
    cfg = _config('sl15m_deepspeed.py')
    assert cfg.runner_type == 'FlexibleRunner'
    assert cfg.strategy.type == 'DeepSpeedStrategy'
    assert cfg.strategy.zero_optimization.stage == 2
    assert cfg.strategy.bf16 == dict(enabled=True)
    assert cfg.strategy.gradient_clipping == 1.0
    assert cfg.optim_wrapper.type == 'DeepSpeedOptimWrapper'
    assert 'clip_grad' not in cfg.optim_wrapper
    assert cfg.optim_wrapper.optimizer == _config(
        'sl15m.py').optim_wrapper.optimizer
    with open(osp.join(CONFIGS, 'sl15m_deepspeed.py')) as f:
        assert 'pip install "deepspeed' in f.read()


def test_train_tool_builds_the_runner_the_config_names(demo_cfg, tmp_path):
    from slp_mm.engine.train_setup import build_runner
    cfg = demo_cfg.copy()
    cfg.work_dir = str(tmp_path)
    cfg.runner_type = 'FlexibleRunner'
    cfg.strategy = _config('sl15m_fsdp.py').strategy
    runner = build_runner(cfg)
    assert type(runner) is FlexibleRunner
    assert type(runner.strategy).__name__ == 'FSDPStrategy'


@pytest.mark.slow
@pytest.mark.dist
def test_fsdp_two_ranks_on_cpu(synthetic_corpus, tmp_path):
    """The FSDP config's strategy on the demo model, 2 iterations on 2
    gloo ranks. Differences, each for CPU or a known limit: FSDP on the CPU
    device, demo-size wrapping, plain OptimWrapper (AmpOptimWrapper needs a
    GPU)."""
    strategy = _config('sl15m_fsdp.py').strategy.to_dict()
    strategy['model_wrapper'].update(device_id='cpu')
    strategy['model_wrapper']['auto_wrap_policy']['min_num_params'] = 40_000
    config = tmp_path / 'fsdp_demo.py'
    config.write_text(
        f"_base_ = [{osp.join(CONFIGS, 'demo.py')!r}]\n"
        "runner_type = 'FlexibleRunner'\n"
        f'strategy = {strategy!r}\n'
        "optim_wrapper = dict(type='OptimWrapper', clip_grad=None)\n")
    port = free_port()
    work = tmp_path / 'work'
    torchrun = osp.join(osp.dirname(sys.executable), 'torchrun')
    tok = osp.join(synthetic_corpus, 'tokenizer')
    proc = subprocess.run(
        [torchrun, '--nnodes=1', '--rdzv-backend=c10d',
         f'--rdzv-endpoint=127.0.0.1:{port}', '--nproc_per_node=2',
         'tools/train.py', str(config), '--launcher', 'pytorch',
         '--work-dir', str(work), '--cfg-options',
         'train_dataloader.dataset.data_root=',
         f'train_dataloader.dataset.ann_file={synthetic_corpus}',
         f'train_dataloader.dataset.pipeline.5.tokenizer={tok}',
         'train_dataloader.batch_size=24', 'train_cfg.max_epochs=2',
         'param_scheduler.1.end=2', 'default_hooks.logger.interval=1'],
        cwd=REPO, env=dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1'),
        capture_output=True, text=True, timeout=300)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    # 48 samples, 24 per rank and step, 2 ranks: one iteration per epoch
    assert 'Epoch(train) [2][1/1]' in log
    assert sorted(os.listdir(work / 'epoch_2.pth')) == [
        'rank0.pth', 'rank1.pth']  # one shard per rank
