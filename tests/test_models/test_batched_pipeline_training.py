"""Pre-training with the pose stages batched in the data preprocessor
(``batch_transforms``), the masks drawn there or in the loader workers'
``collate_fn``: a killed and resumed run ends with the weights of an
uninterrupted one, so the masks (seeded from torch's generators) replay."""
import copy

import pytest
import torch
from mmengine.runner import Runner

from ..test_engine.test_train_resume import _cfg, _weights


def _batched(demo_cfg, masks_in_loader):
    cfg = copy.deepcopy(demo_cfg)
    cfg.train_dataloader.dataset.pipeline = cfg.batched_train_pipeline
    stages = list(cfg.train_batch_transforms)
    if masks_in_loader:  # as sl15m: drawn by two workers' generators
        mask = next(t for t in stages if t.type == 'HierarchicalPoseMask')
        stages.remove(mask)
        cfg.train_dataloader.update(
            num_workers=2, persistent_workers=False,
            collate_fn=dict(type='slp_mm.collate_sign_batch',
                            layout=stages[0].layout, mask=mask))
    cfg.model.data_preprocessor.batch_transforms = stages
    return cfg


@pytest.mark.slow
@pytest.mark.parametrize('masks_in_loader', [False, True],
                         ids=['masks_in_preprocessor', 'masks_in_loader'])
def test_killed_batched_run_resumes_to_identical_weights(
        masks_in_loader, demo_cfg, synthetic_corpus, tmp_path):
    base = _batched(demo_cfg, masks_in_loader)
    full = Runner.from_cfg(_cfg(base, synthetic_corpus, tmp_path / 'a'))
    full.train()
    expected = _weights(full)
    cfg = _cfg(base, synthetic_corpus, tmp_path / 'b')
    cfg.custom_hooks = cfg.custom_hooks + [
        dict(type='_KillAfterEpochHook', epoch=1)]
    with pytest.raises(KeyboardInterrupt):
        Runner.from_cfg(cfg).train()
    cfg = _cfg(base, synthetic_corpus, tmp_path / 'b')
    cfg.resume = True
    # its own logger and visualizer: mmengine names a run's instances by
    # experiment name and start second, and the killed run can start in the
    # same second
    cfg.experiment_name = 'b_resumed'
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    got = _weights(resumed)
    assert got.keys() == expected.keys()
    for k in expected:
        assert torch.equal(got[k], expected[k]), k
