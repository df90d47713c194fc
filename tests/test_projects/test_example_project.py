"""The example plugin loads through custom_imports and trains."""
import copy
import os.path as osp
import sys

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from ..conftest import REPO


def test_plugin_head_pools_with_attention():
    sys.path.insert(0, REPO)
    from projects.example_project.models import AttentionPoolClsHead
    head = AttentionPoolClsHead(num_classes=2, in_channels=2)
    with torch.no_grad():
        head.score.weight.copy_(torch.tensor([[100., 0.]]))
        head.score.bias.zero_()
        head.fc.weight.copy_(torch.eye(2))
        head.fc.bias.zero_()
    feats = torch.tensor([[[1., 0.], [0., 1.], [5., 5.]]])
    mask = torch.tensor([[True, True, False]])
    # frame 0 scores 100, frame 1 scores 0, frame 2 is padding
    assert torch.allclose(head(feats, mask), torch.tensor([[1., 0.]]),
                          atol=1e-6)


def test_plugin_config_trains(synthetic_corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)  # custom_imports resolve `projects` from here
    monkeypatch.syspath_prepend(REPO)
    cfg = Config.fromfile(osp.join(REPO, 'projects', 'example_project',
                                   'configs',
                                   'traduttore_asl_words_attnpool.py'))
    cfg = copy.deepcopy(cfg)
    cfg.model.head.num_classes = 16
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.dataset.update(data_root='', ann_file=synthetic_corpus,
                              datasets=['synthetic-isolated'])
    cfg.train_cfg.update(max_epochs=2, val_interval=2)
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.work_dir = str(tmp_path)
    runner = Runner.from_cfg(cfg)
    assert type(runner.model.head).__name__ == 'AttentionPoolClsHead'
    runner.train()
    assert runner.epoch == 2
    assert 'islr/top1_acc' in runner.val_loop.run()
