"""configs/_base_/vis_backends: each is default_runtime.py plus one mmengine
backend, usable in place of default_runtime.py in a config's _base_."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.visualization import (LocalVisBackend, TensorboardVisBackend,
                                    WandbVisBackend)

from slp_mm.registry import VISUALIZERS
from slp_mm.visualization import SignLocalVisualizer

from ..conftest import REPO


@pytest.mark.parametrize('name, backend', [('tensorboard',
                                             TensorboardVisBackend),
                                            ('wandb', WandbVisBackend)])
def test_switch_replaces_default_runtime(name, backend, tmp_path):
    cfg_file = tmp_path / 'cfg.py'
    base = osp.join(REPO, 'configs', '_base_')
    cfg_file.write_text(
        f"_base_ = ['{base}/models/sign_pretrainer.py', "
        f"'{base}/schedules/pretrain_adamw_100e.py', "
        f"'{base}/vis_backends/{name}.py']\n")
    cfg = Config.fromfile(str(cfg_file))
    runtime = Config.fromfile(osp.join(base, 'default_runtime.py'))
    assert cfg.default_hooks == runtime.default_hooks
    assert cfg.custom_hooks == runtime.custom_hooks
    # building needs neither tensorboard nor wandb: backends start lazily
    vis = VISUALIZERS.build(
        dict(cfg.visualizer, name=f'vis_{name}', save_dir=str(tmp_path)))
    assert isinstance(vis, SignLocalVisualizer)
    assert [type(b) for b in vis._vis_backends.values()] == [
        LocalVisBackend, backend
    ]
