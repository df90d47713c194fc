"""The CSLR gloss vocabulary has one name, ``gloss_vocab``, in the dataset,
the EncodeGloss transform and the CTC head; the former ``vocab_file`` is
refused with a message naming it."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from slp_mm.datasets.transforms import EncodeGloss
from slp_mm.registry import MODELS

from ..conftest import REPO

CSLR_CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'cslr', '*.py')))


@pytest.mark.parametrize('config', CSLR_CONFIGS,
                         ids=[osp.basename(c) for c in CSLR_CONFIGS])
def test_head_and_dataset_read_the_same_vocabulary(config):
    cfg = Config.fromfile(config)
    dataset = cfg.train_dataloader.dataset
    assert cfg.model.head.gloss_vocab == osp.join(dataset.data_root,
                                                  dataset.gloss_vocab)
    assert cfg.model.head.gloss_vocab.endswith('/gloss_vocab.json')


def test_the_former_name_is_refused_by_name(tmp_path):
    head = dict(type='SignCTCHead', vocab_file=str(tmp_path / 'v.json'),
                in_channels=8, hidden_channels=8)
    with pytest.raises(TypeError, match='vocab_file was renamed gloss_vocab'):
        MODELS.build(head)
    with pytest.raises(TypeError, match='vocab_file was renamed gloss_vocab'):
        EncodeGloss(vocab_file=str(tmp_path / 'v.json'))
    with pytest.raises(ValueError, match='needs gloss_vocab'):
        MODELS.build(dict(type='SignCTCHead', in_channels=8))
