import os.path as osp
from types import SimpleNamespace

import pytest
import torch


@pytest.fixture(scope='session')
def demo_pretrainer(demo_cfg, synthetic_corpus, tmp_path_factory):
    """The demo pre-training model (random weights, eval mode), its
    checkpoint, and the config options that point its pipeline at the
    synthetic corpus' tokenizer."""
    from slp_mm.apis import init_model
    cfg = demo_cfg.copy()
    tokenizer = osp.join(synthetic_corpus, 'tokenizer')
    options = {'train_dataloader.dataset.pipeline.5.tokenizer': tokenizer,
               'test_pipeline.4.tokenizer': tokenizer}
    cfg.merge_from_dict(options)
    assert cfg.train_dataloader.dataset.pipeline[5].type == 'TokenizeText'
    assert cfg.test_pipeline[4].type == 'TokenizeText'
    torch.manual_seed(0)
    model = init_model(cfg)
    checkpoint = str(tmp_path_factory.mktemp('ckpt') / 'model.pth')
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    return SimpleNamespace(
        cfg=cfg,
        model=model,
        checkpoint=checkpoint,
        pipeline=cfg.train_dataloader.dataset.pipeline,
        cli_options=['--cfg-options'] + [f'{k}={v}'
                                          for k, v in options.items()])
