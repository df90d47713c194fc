import glob
import os.path as osp

import pytest
from mmengine.config import Config

from slp_mm.utils import check_config

from ..conftest import REPO


def test_every_shipped_config_passes():
    files = [f for f in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                                  recursive=True) if '/_base_/' not in f]
    assert len(files) > 40
    for f in files:
        check_config(Config.fromfile(f))


def test_mistakes_are_reported_with_path_and_closest_names():
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'pretrain', 'demo.py'))
    cfg.model.embedder.gcn_chanels = [8]
    cfg.model.encoder.type = 'DualBranchEncodr'
    cfg.train_dataloader.dataset.pipeline[3].box_part = ('left_hand', )
    with pytest.raises(ValueError) as e:
        check_config(cfg)
    msg = str(e.value)
    assert ("model.embedder.gcn_chanels: PoseGCNEmbedder has no argument "
            "'gcn_chanels'; closest: ['gcn_channels'") in msg
    assert ("model.encoder.type: unknown component 'DualBranchEncodr'; "
            "closest: ['DualBranchEncoder']") in msg
    assert 'train_dataloader.dataset.pipeline[3].box_part' in msg
    assert "'box_parts'" in msg


def test_hook_runner_and_optimizer_arguments_are_checked():
    """Issue 18 #7: ``CheckpointHook`` takes ``**kwargs`` (forwarded to
    ``Runner.save_checkpoint``), so a typo used to pass and crash at the
    first save; the loops and the optimizer are the Runner's own."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'pretrain', 'demo.py'))
    cfg.merge_from_dict({
        'default_hooks.checkpoint.intervall': 1,
        'train_cfg.max_epoch': 2,
        'optim_wrapper.optimizer.lrr': 0.1,
        'default_hooks.checkpoint.save_optimizer': False,  # forwarded: ok
    })
    with pytest.raises(ValueError) as e:
        check_config(cfg)
    lines = str(e.value).splitlines()[1:]
    assert [line.strip() for line in lines] == [
        "default_hooks.checkpoint.intervall: CheckpointHook has no argument "
        "'intervall'; closest: ['interval']",
        "optim_wrapper.optimizer.lrr: AdamW has no argument 'lrr'; "
        "closest: ['lr']",
        "train_cfg.max_epoch: EpochBasedTrainLoop has no argument "
        "'max_epoch'; closest: ['max_epochs']",
    ]


def test_a_string_where_a_number_goes_names_key_and_type():
    """Issue 18 #8: ``--cfg-options model.encoder.num_layers=two`` ended in
    a TypeError inside torch."""
    from mmengine.config import DictAction
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    options = parser.parse_args(
        ['--cfg-options', 'model.encoder.num_layers=two']).cfg_options
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'pretrain', 'demo.py'))
    cfg.merge_from_dict(options)
    with pytest.raises(ValueError, match=r"model\.encoder\.num_layers: "
                       r"DualBranchEncoder expects int, got 'two' \(str\)"):
        check_config(cfg)
