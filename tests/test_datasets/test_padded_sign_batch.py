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
MASK = dict(type='HierarchicalPoseMask', ratio=0.4)
STAGES = [
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts'),
    MASK,
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


def _inputs(data, seed=0, stages=STAGES):
    pre = MODELS.build(dict(type='SignDataPreprocessor',
                            batch_transforms=stages))
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


def test_masks_drawn_while_padding_are_the_preprocessor_s(dataset):
    """The loader's collate_fn draws the same masks from the same torch
    generator state (one definition), exact in count, none on padding."""
    items = _with_text_ids([dataset[i] for i in range(6)])
    want = _inputs(pseudo_collate(items), seed=3)
    torch.manual_seed(3)
    padded = collate_sign_batch(items, layout='sign79', mask=MASK)
    got = _inputs(padded, seed=4, stages=STAGES[:2])  # no draw left
    for key, value in want.items():
        if value is not None:
            assert torch.equal(got[key], value), key
    lengths = padded['inputs'].views()['lengths']
    assert got['mpm_mask'].sum((1, 2)).tolist() == [
        round(0.4 * n * 79) for n in lengths.tolist()]
    assert not (got['mpm_mask'] & ~got['pose_mask'][..., None]).any()


def test_collate_is_found_as_the_runner_looks_it_up():
    """mmengine's Runner asks its root FUNCTIONS registry, which finds a
    child's function by its scoped name (the configs' type)."""
    from mmengine.registry import FUNCTIONS as ROOT
    assert ROOT.get('slp_mm.collate_sign_batch') is collate_sign_batch
    assert FUNCTIONS.get('collate_sign_batch') is collate_sign_batch


def test_loader_workers_send_one_shared_segment(dataset):
    """Through two real worker processes: every batch equals the one padded
    in this process (its masks drawn by the worker's generator), and its
    buffer arrived in shared memory."""
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=3, num_workers=2,
        collate_fn=lambda b: collate_sign_batch(b, layout='sign79',
                                                mask=MASK))
    batches = list(loader)
    assert len(batches) == 2
    for k, batch in enumerate(batches):
        buffer = batch['inputs'].buffer
        assert buffer.is_shared()
        local = collate_sign_batch(
            [dataset[i] for i in range(3 * k, 3 * k + 3)],
            layout='sign79', mask=MASK)['inputs']
        assert batch['inputs'].fields == local.fields
        got, want = batch['inputs'].views(), local.views()
        for key in want:  # (not the alignment gaps between the fields)
            if key != 'mpm_mask':
                assert torch.equal(got[key], want[key]), key
        assert got['mpm_mask'].sum((1, 2)).tolist() == [
            round(0.4 * n * 79) for n in got['lengths'].tolist()]


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
    (dict(layout='sign79', mask=MASK), dict(), 'draws them again'),
])
def test_mismatched_collate_and_preprocessor_are_refused(
        dataset, collate, pre, match):
    items = _with_text_ids([dataset[i] for i in range(2)])
    padded = collate_sign_batch(items, **collate)
    preprocessor = MODELS.build(dict(type='SignDataPreprocessor',
                                     batch_transforms=STAGES, **pre))
    with pytest.raises(ConfigError, match=match):
        preprocessor(padded, True)


@pytest.mark.parametrize('collate,match', [
    (dict(mask=MASK), 'no layout'),
    (dict(layout='sign79', mask=dict(type='NormalizeParts')),
     'NormalizeParts, which draws no batch masks'),
])
def test_a_collate_mask_it_cannot_draw_is_refused(dataset, collate, match):
    items = _with_text_ids([dataset[i] for i in range(2)])
    with pytest.raises(ConfigError, match=match):
        collate_sign_batch(items, **collate)
