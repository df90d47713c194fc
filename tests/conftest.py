import atexit
import os
import os.path as osp
import shutil
import socket
import tempfile

import numpy as np
import pytest
import torch

from slp_mm.engine import install_checkpoint_safety, register_all_modules

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DATA = osp.join(osp.dirname(REPO), 'shared', 'data')

# verified-shard markers of test corpora go to a throwaway folder, not the
# user's cache (subprocesses inherit the variable)
if not os.environ.get('SLP_MM_CACHE_DIR'):
    os.environ['SLP_MM_CACHE_DIR'] = tempfile.mkdtemp(prefix='slp_mm_cache-')
    atexit.register(shutil.rmtree, os.environ['SLP_MM_CACHE_DIR'], True)

# as the tools set up a run: registries, then weights-only loading and
# atomic writes
register_all_modules()
install_checkpoint_safety()


def pytest_collection_modifyitems(config, items):
    """Skip the tests marked ``gpu`` (setup.cfg) where CUDA is absent;
    benchmarks/gpu_check.py runs them on a GPU."""
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason='needs CUDA (benchmarks/gpu_check.py)')
    for item in items:
        if item.get_closest_marker('gpu'):
            item.add_marker(skip)


def free_port() -> int:
    """A free localhost port for a process group: parallel test runs must
    not meet in one rendezvous."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def random_pose_sample(i: int, t: int = 6, **fields) -> dict:
    """A COCO-WholeBody 133 sample of ``t`` frames, random joints seeded by
    ``i`` in a 640x480 frame, paired with 'Sentence i.' unless ``fields``
    say otherwise."""
    rng = np.random.default_rng(i)
    sample = dict(
        id=f'v{i}', text=f'Sentence {i}.', language='en', dataset='toy',
        keypoints=rng.uniform(0, 640, (t, 133, 2)).astype(np.float32),
        scores=rng.uniform(0, 1, (t, 133)).astype(np.float32),
        width=640, height=480, fps=25.0)
    sample.update(fields)
    return sample


def shared_file(*parts):
    """Path of a file in ../shared/data, or skip the test if absent."""
    path = osp.join(SHARED_DATA, *parts)
    if not osp.exists(path):
        pytest.skip(f'{path} not available')
    return path


@pytest.fixture(scope='session')
def synthetic_corpus(tmp_path_factory):
    """A small synthetic corpus (and its tokenizer) shared by the tests."""
    from slp_mm.corpus.synthetic_sign_corpus import build_synthetic_corpus
    path = str(tmp_path_factory.mktemp('synthetic') / 'corpus')
    return build_synthetic_corpus(path, num_samples=48, seed=1)


@pytest.fixture(scope='session')
def demo_cfg():
    from mmengine.config import Config
    return Config.fromfile(osp.join(REPO, 'configs', 'pretrain', 'demo.py'))


@pytest.fixture(scope='session')
def demo_text_encoder_dir(demo_cfg, tmp_path_factory):
    """The demo's tiny mBART saved as a pretrained model directory, for
    configs whose HFTextEncoder loads it by name (as sl15m loads
    mBART-cc25)."""
    from transformers import AutoConfig, AutoModel
    path = str(tmp_path_factory.mktemp('tiny_mbart'))
    torch.manual_seed(0)
    AutoModel.from_config(
        AutoConfig.for_model(**demo_cfg.model.text_encoder.config.to_dict())
    ).save_pretrained(path)
    return path
