"""Every ISLR and CSLR config trains a few iterations on CPU, shrunk to the
demo encoder size and re-pointed at the synthetic corpus."""
import copy
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from slp_mm.datasets import SignCorpus
from slp_mm.structures import GlossVocabulary

from ..conftest import REPO


def _configs(task):
    return sorted(
        osp.relpath(f, REPO)
        for f in glob.glob(osp.join(REPO, 'configs', task, '*.py')))


def _shrink(cfg, corpus, tmp_path):
    cfg = copy.deepcopy(cfg)
    cfg.model.embedder.update(gcn_channels=(16, ), embed_dims=32)
    cfg.model.encoder.update(embed_dims=32, num_layers=1, num_heads=4,
                             max_frames=64)
    cfg.model.pretrained = None
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.update(batch_size=8, num_workers=0, persistent_workers=False)
        loader.sampler = dict(type='DefaultSampler', shuffle=True)
        loader.dataset.update(data_root='', ann_file=corpus)
        for t in loader.dataset.pipeline:
            if t.type == 'TemporalSample':
                t.max_frames = 64
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2,
                         val_interval=2)
    cfg.param_scheduler = []
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=2)
    cfg.work_dir = str(tmp_path)
    return cfg


@pytest.mark.parametrize('config', _configs('islr'))
def test_islr_config_trains(config, synthetic_corpus, tmp_path):
    cfg = _shrink(Config.fromfile(osp.join(REPO, config)), synthetic_corpus,
                  tmp_path)
    cfg.model.head.in_channels = 64
    # the synthetic isolated signs have 16 classes
    cfg.model.head.num_classes = max(cfg.model.head.num_classes, 16)
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.dataset.datasets = ['synthetic-isolated']  # labelled samples
    cfg.val_evaluator.pop('subsets', None)
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2
    metrics = runner.val_loop.run()
    assert 0 <= metrics['islr/top1_acc'] <= 100


@pytest.mark.parametrize('config', _configs('cslr'))
def test_cslr_config_trains(config, synthetic_corpus, tmp_path):
    vocab = str(tmp_path / 'vocab.json')
    GlossVocabulary.build(SignCorpus(synthetic_corpus).column('gloss')).save(
        vocab)
    cfg = _shrink(Config.fromfile(osp.join(REPO, config)), synthetic_corpus,
                  tmp_path)
    cfg.model.head.update(vocab_file=vocab, in_channels=64,
                          hidden_channels=32, beam_size=2)
    cfg.train_dataloader.dataset.gloss_vocab = vocab
    cfg.val_evaluator.protocol = 'raw'
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2
    assert torch.isfinite(torch.tensor(runner.val_loop.run()['cslr/wer']))
