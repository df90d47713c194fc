"""End-to-end pre-training on the synthetic corpus: losses, checkpoints and
exact resumption of a killed run."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from slp_mm.registry import HOOKS


@HOOKS.register_module()
class _KillAfterEpochHook(Hook):
    """Simulates a job killed right after the checkpoint of an epoch."""
    priority = 'LOWEST'

    def __init__(self, epoch):
        self.epoch = epoch

    def after_train_epoch(self, runner):
        if runner.epoch + 1 == self.epoch:  # epoch counter is 0-based here
            raise KeyboardInterrupt('killed')


def _cfg(demo_cfg, corpus, work_dir, epochs=2, text_encoder_dir=None):
    cfg = copy.deepcopy(demo_cfg)
    if text_encoder_dir:  # pretrained weights, loaded by name
        cfg.model.text_encoder = dict(
            type='HFTextEncoder', name_or_path=text_encoder_dir)
    ds = cfg.train_dataloader.dataset
    ds.data_root, ds.ann_file = '', corpus
    for t in ds.pipeline:
        if t.type == 'TokenizeText':
            t.tokenizer = osp.join(corpus, 'tokenizer')
    cfg.work_dir = str(work_dir)
    cfg.train_cfg.max_epochs = epochs
    if epochs > 1:
        cfg.param_scheduler[1].end = epochs
    else:
        cfg.param_scheduler = cfg.param_scheduler[:1]
    cfg.default_hooks.logger.interval = 1
    cfg.randomness = dict(seed=7)
    cfg.experiment_name = osp.basename(str(work_dir))
    return cfg


def _weights(runner):
    return {k: v.clone() for k, v in runner.model.state_dict().items()}


@pytest.mark.slow
@pytest.mark.parametrize('by_name', [False, True],
                         ids=['random_text_encoder', 'text_encoder_by_name'])
def test_killed_run_resumes_to_identical_weights(by_name, demo_cfg,
                                                 synthetic_corpus,
                                                 demo_text_encoder_dir,
                                                 tmp_path):
    """By name, the frozen text encoder is left out of the checkpoints and
    resuming builds it from its name again."""
    text_encoder_dir = demo_text_encoder_dir if by_name else None
    full = Runner.from_cfg(
        _cfg(demo_cfg, synthetic_corpus, tmp_path / 'a',
             text_encoder_dir=text_encoder_dir))
    full.train()
    expected = _weights(full)

    cfg = _cfg(demo_cfg, synthetic_corpus, tmp_path / 'b',
               text_encoder_dir=text_encoder_dir)
    cfg.custom_hooks = cfg.custom_hooks + [
        dict(type='_KillAfterEpochHook', epoch=1)]
    with pytest.raises(KeyboardInterrupt):
        Runner.from_cfg(cfg).train()
    assert osp.isfile(tmp_path / 'b' / 'epoch_1.pth')
    assert not osp.isfile(tmp_path / 'b' / 'epoch_2.pth')
    saved = torch.load(tmp_path / 'b' / 'epoch_1.pth')['state_dict']
    text_weights = [k for k in saved if k.startswith('text_encoder.encoder.')]
    assert len(text_weights) == (
        0 if by_name else len(full.model.text_encoder.encoder.state_dict()))
    assert 'text_encoder._extra_state' in saved

    cfg = _cfg(demo_cfg, synthetic_corpus, tmp_path / 'b',
               text_encoder_dir=text_encoder_dir)
    cfg.resume = True  # auto: the latest checkpoint of the work dir
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    assert resumed.epoch == 2
    got = _weights(resumed)
    assert got.keys() == expected.keys()
    for k in expected:
        assert torch.equal(got[k], expected[k]), k
    assert torch.equal(  # and the frozen text encoder's weights
        *(torch.cat([p.flatten() for p in r.model.text_encoder.parameters()])
          for r in (resumed, full)))


def test_checkpoint_loads_weights_only(demo_cfg, synthetic_corpus, tmp_path):
    runner = Runner.from_cfg(
        _cfg(demo_cfg, synthetic_corpus, tmp_path, epochs=1))
    runner.train()
    ckpt = torch.load(tmp_path / 'epoch_1.pth', weights_only=True)
    assert {'state_dict', 'optimizer', 'message_hub', 'rng_state'} <= set(ckpt)
    assert 'stc_head.logit_scale' in ckpt['state_dict']
