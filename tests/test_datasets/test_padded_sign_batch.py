"""``collate_sign_batch`` pads a batch in the loader worker into one buffer:
the data preprocessor then gives the same model inputs as when it pads
``pseudo_collate``'s lists itself, the buffer crosses from a worker as one
shared-memory segment, and a mismatched config is refused by name."""
import pickle

import pytest
import torch
from mmengine.dataset import pseudo_collate

from slp_mm.corpus import SignCorpusWriter
from slp_mm.datasets import SignPoseDataset
from slp_mm.datasets.padded_sign_batch import (PaddedSignBatch,
                                               collate_sign_batch)
from slp_mm.registry import FUNCTIONS, MODELS
from slp_mm.structures import SignDataSample
from slp_mm.utils.cli_errors import ConfigError

from ..conftest import random_pose_sample

PIPELINE = [
    dict(type='CheckPoseSample'),
    dict(type='TemporalSample', max_frames=32, mode='random_uniform'),
    dict(type='PackSignInputs', stack=False),
]
STAGES = [
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts'),
    dict(type='HierarchicalPoseMask', ratio=0.4),
]


def _sample(i):
    """Clips of 5 to 20 frames, every third unpaired."""
    return random_pose_sample(
        i, 5 + 3 * i, text=None if i % 3 == 2 else f'Sentence {i}.')


@pytest.fixture
def dataset(tmp_path, monkeypatch):
    monkeypatch.setenv('SLP_MM_CACHE_DIR', str(tmp_path / 'cache'))
    with SignCorpusWriter(str(tmp_path / 'corpus')) as writer:
        writer.write_all(_sample(i) for i in range(6))
    return SignPoseDataset(ann_file=str(tmp_path / 'corpus'),
                           pipeline=PIPELINE, test_mode=True)


def _with_text_ids(items):
    """Paired samples get token ids, as TokenizeText would give."""
    for i, item in enumerate(items):
        if item['data_samples'].text is not None:
            item['data_samples'].text_ids = [10 + i, 11, 2, 250004][:2 + i % 3]
    return items


def _inputs(data, seed=0):
    pre = MODELS.build(dict(type='SignDataPreprocessor',
                            batch_transforms=STAGES))
    torch.manual_seed(seed)
    return pre(data, True)['inputs']


def test_worker_padded_batch_gives_the_same_inputs(dataset):
    items = _with_text_ids([dataset[i] for i in range(6)])
    padded = collate_sign_batch(items, layout='sign79')
    assert isinstance(padded['inputs'], PaddedSignBatch)
    assert padded['inputs'].views()['pose'].shape == (6, 20, 79, 3)
    want = _inputs(pseudo_collate(items))
    got = _inputs(padded)
    assert want.keys() == got.keys()
    for key, value in want.items():
        if value is None:
            assert got[key] is None, key
        else:
            assert torch.equal(got[key], value), key
    assert got['text_ids'][2].tolist() == [1, 1, 1]  # unpaired: padding


def test_collate_is_found_as_the_runner_looks_it_up():
    """mmengine's Runner asks its root FUNCTIONS registry, which finds a
    child's function by its scoped name (the configs' type)."""
    from mmengine.registry import FUNCTIONS as ROOT
    assert ROOT.get('slp_mm.collate_sign_batch') is collate_sign_batch
    assert FUNCTIONS.get('collate_sign_batch') is collate_sign_batch


def test_loader_workers_send_one_shared_segment(dataset):
    """Through two real worker processes: every batch equals the one padded
    in this process, and its buffer arrived in shared memory."""
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=3, num_workers=2,
        collate_fn=lambda b: collate_sign_batch(b, layout='sign79'))
    batches = list(loader)
    assert len(batches) == 2
    for k, batch in enumerate(batches):
        buffer = batch['inputs'].buffer
        assert buffer.is_shared()
        local = collate_sign_batch(
            [dataset[i] for i in range(3 * k, 3 * k + 3)],
            layout='sign79')['inputs']
        assert batch['inputs'].fields == local.fields
        got, want = batch['inputs'].views(), local.views()
        for key in want:  # (not the alignment gaps between the fields)
            assert torch.equal(got[key], want[key]), key


def test_data_samples_pickle_their_tensors_by_value():
    """A worker's data sample would otherwise send each small tensor
    through a shared-memory segment of its own (~0.5 ms a sample)."""
    sample = SignDataSample(metainfo=dict(sample_id='a'))
    sample.text_ids = [5, 6, 2]
    sample.gt_label = 3
    state = sample.__getstate__()
    assert not any(isinstance(v, torch.Tensor) for v in state.values())
    back = pickle.loads(pickle.dumps(sample))
    assert back.text_ids.tolist() == [5, 6, 2] and back.text_ids.dtype == \
        torch.long
    assert back.gt_label.tolist() == [3] and back.sample_id == 'a'
    back.text_ids = [7]  # typed setters still work after unpickling
    assert back.is_paired


@pytest.mark.parametrize('collate,pre,match', [
    (dict(layout='sign79_manual'), dict(), 'sign79_manual'),
    (dict(layout='sign79', text_pad_id=0), dict(), 'text_pad_id'),
])
def test_mismatched_collate_and_preprocessor_are_refused(
        dataset, collate, pre, match):
    items = _with_text_ids([dataset[i] for i in range(2)])
    padded = collate_sign_batch(items, **collate)
    preprocessor = MODELS.build(dict(type='SignDataPreprocessor',
                                     batch_transforms=STAGES, **pre))
    with pytest.raises(ConfigError, match=match):
        preprocessor(padded, True)
