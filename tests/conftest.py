import os.path as osp

import pytest

from slp_mm.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DATA = osp.join(osp.dirname(REPO), 'shared', 'data')

register_all_modules()


def shared_file(*parts):
    """Path of a file in ../shared/data, or skip the test if absent."""
    path = osp.join(SHARED_DATA, *parts)
    if not osp.exists(path):
        pytest.skip(f'{path} not available')
    return path


@pytest.fixture(scope='session')
def synthetic_corpus(tmp_path_factory):
    """A small synthetic corpus (and its tokenizer) shared by the tests."""
    from slp_mm.datasets.synthetic_sign_corpus import build_synthetic_corpus
    path = str(tmp_path_factory.mktemp('synthetic') / 'corpus')
    return build_synthetic_corpus(path, num_samples=48, seed=1)


@pytest.fixture(scope='session')
def demo_cfg():
    from mmengine.config import Config
    return Config.fromfile(osp.join(REPO, 'configs', 'pretrain', 'demo.py'))
