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
