"""The pose stages run per sample (dataset pipeline) and batched (data
preprocessor ``batch_transforms``) give the same poses, and the batched MPM
masking keeps the documented statistics and replays under a restored
generator state (what ``RNGStateHook`` saves for a resume)."""
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

from slp_mm.datasets.padded_sign_batch import pad_sign_batch
from slp_mm.datasets.transforms import (HierarchicalPoseMask, NormalizeParts,
                                        PackSignInputs, SelectKeypoints)
from slp_mm.registry import MODELS
from slp_mm.structures import get_layout

LAYOUT = get_layout('sign79')
SRC = np.asarray(LAYOUT.source_indexes)
STAGES = [
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts', box_parts=('left_hand', 'right_hand')),
]
MASK = dict(type='HierarchicalPoseMask', ratio=0.4)


def _clip(t, seed):
    """A stored COCO-WholeBody 133 clip with missing joints (score 0, some
    with stale coordinates) and a right hand with one confident joint."""
    rng = np.random.default_rng(seed)
    kpts = rng.uniform(0, 640, (t, 133, 2)).astype(np.float32)
    scores = rng.uniform(0.01, 1, (t, 133)).astype(np.float32)
    scores[rng.random((t, 133)) < 0.1] = 0
    right = SRC[LAYOUT.parts['right_hand']]
    scores[0, right] = 0.05
    scores[0, right[0]] = 0.9
    return dict(id=f'clip-{seed}', keypoints=kpts, scores=scores,
                width=640 + seed, height=480, text=None, language='en')


def _preprocessor(*batch_transforms):
    return MODELS.build(dict(type='SignDataPreprocessor',
                             batch_transforms=list(batch_transforms)))


def _packed(clips):
    return pseudo_collate([PackSignInputs().transform(dict(c)) for c in clips])


def test_batched_selection_and_normalisation_equal_per_sample():
    lengths = (5, 17, 1, 9)
    clips = [_clip(t, seed) for seed, t in enumerate(lengths)]
    per_sample = [
        NormalizeParts().transform(SelectKeypoints().transform(dict(c)))
        for c in clips
    ]
    out = _preprocessor(*STAGES)(_packed(clips), True)['inputs']
    pose = out['pose'].numpy()  # (B, T, 79, 3)
    assert pose.shape == (4, 17, 79, 3)
    for i, (s, t) in enumerate(zip(per_sample, lengths)):
        np.testing.assert_allclose(pose[i, :t, :, :2], s['keypoints'],
                                   rtol=1e-6, atol=1e-6)
        np.testing.assert_array_equal(pose[i, :t, :, 2], s['scores'])
        # missing joints (0, 0) with score 0, padding untouched (zero)
        missing = s['scores'] == 0
        assert missing[0, LAYOUT.parts['right_hand']].all()
        np.testing.assert_array_equal(pose[i, :t][missing], 0)
        np.testing.assert_array_equal(pose[i, t:], 0)
    np.testing.assert_array_equal(out['pose_mask'].sum(1).numpy(), lengths)


def test_packed_arrays_batch_like_stacked_poses():
    """``PackSignInputs(stack=False)`` hands the stored arrays to the
    preprocessor, which selects and pads them in one copy: the same
    training batch, bit for bit, as stacked (T, K, 3) tensors."""
    clips = [_clip(t, seed) for seed, t in enumerate((7, 2, 11))]
    arrays = pseudo_collate(
        [PackSignInputs(stack=False).transform(dict(c)) for c in clips])
    assert set(arrays['inputs']) == {'keypoints', 'scores'}
    pre = _preprocessor(*STAGES, MASK)
    torch.manual_seed(0)
    want = pre(_packed(clips), True)['inputs']
    torch.manual_seed(0)
    got = pre(arrays, True)['inputs']
    for key in ('pose', 'pose_mask', 'mpm_mask'):
        assert torch.equal(got[key], want[key]), key
    # the 79 selected joints, channels in planes (a view)
    trained = got['pose']
    assert trained.shape == (3, 11, 79, 3)
    assert trained.permute(3, 0, 2, 1).is_contiguous()


def test_batch_transforms_run_on_training_batches_only():
    clips = [_clip(6, 0), _clip(4, 1)]
    pre = _preprocessor(*STAGES, MASK)
    train = pre(_packed(clips), True)['inputs']
    assert train['pose'].shape[2] == 79 and train['mpm_mask'] is not None
    # validation batches come prepared by their (per-sample) pipelines
    val = pre(_packed(clips), False)['inputs']
    assert val['pose'].shape[2] == 133 and val['mpm_mask'] is None


def test_batched_selection_refuses_selected_poses():
    selected = [SelectKeypoints().transform(_clip(3, 0))]
    with pytest.raises(ValueError, match='got 79 keypoints'):
        _preprocessor(*STAGES)(_packed(selected), True)
    with pytest.raises(TypeError, match='PackSignInputs has no'):
        _preprocessor(dict(type='PackSignInputs'))


def test_batch_is_one_host_buffer():
    """Pose, lengths, sizes and text ids lie in one contiguous buffer: one
    (pinned) copy to the device per batch."""
    clips = [dict(_clip(4, 0), text_ids=None), _clip(3, 1)]
    packed = _packed(clips)
    packed['data_samples'][1].text_ids = [5, 6, 2, 250004]
    batch = pad_sign_batch(list(packed['inputs']), packed['data_samples'],
                           planes=True, select=SelectKeypoints())
    host = batch.views()
    storages = {t.untyped_storage().data_ptr() for t in host.values()}
    assert len(storages) == 1
    assert host['pose'].shape == (2, 4, 79, 3)
    assert host['text_ids'].tolist() == [[1, 1, 1, 1], [5, 6, 2, 250004]]
    assert host['size'].tolist() == [[640, 480], [641, 480]]
    # another device gets the whole buffer in one copy, then typed views
    moved = batch.to('meta').views()
    assert {t.device.type for t in moved.values()} == {'meta'}
    assert {k: (t.shape, t.dtype) for k, t in moved.items()} == {
        k: (t.shape, t.dtype) for k, t in host.items()}
    out = _preprocessor(*STAGES)(packed, True)['inputs']
    assert out['paired'].tolist() == [False, True]
    assert out['text_mask'].tolist() == [[False] * 4, [True] * 4]


def _masks(lengths, seed, batches):
    torch.manual_seed(seed)
    pre = _preprocessor(*STAGES, MASK)
    clips = [_clip(t, i) for i, t in enumerate(lengths)]
    return [pre(_packed(clips), True)['inputs']['mpm_mask']
            for _ in range(batches)]


def _level_shares(mask):
    """(B, 3): shares of each sequence's masked joints in fully masked
    frames, in fully masked (frame, part) units of other frames, and
    elsewhere; ``mask`` (B, T, K)."""
    frames = mask.all(2)  # (B, T)
    units = torch.stack([mask[:, :, idx].all(2)
                         for idx in LAYOUT.parts.values()], 2)
    units &= ~frames[..., None]  # (B, T, P)
    sizes = torch.tensor([len(i) for i in LAYOUT.parts.values()])
    total = mask.sum((1, 2)).double()
    frame = frames.sum(1) * mask.shape[2] / total
    part = (units * sizes).sum((1, 2)) / total
    return torch.stack([frame, part, 1 - frame - part], 1).numpy()


def test_mask_statistics_over_many_batches():
    lengths = (25, 40, 60, 60, 100, 180, 31, 70)
    shares = []
    for mask in _masks(lengths, seed=0, batches=12):
        for i, t in enumerate(lengths):
            # exact ratio, no masked padding
            assert mask[i, :t].sum() == round(0.4 * t * 79)
            assert not mask[i, t:].any()
        shares.append(_level_shares(mask))
    frame, part, joint = np.concatenate(shares).mean(0)
    # documented: clip + frame levels half the masked joints (whole frames),
    # part and joint a quarter each; the per-sample numpy masking before the
    # batched one gave 0.500 / 0.245-0.249 / 0.251-0.255 at 25-150 frames
    np.testing.assert_allclose([frame, part, joint], [0.5, 0.248, 0.252],
                               atol=0.006)


def test_clip_level_masks_runs_and_joint_level_is_uniform():
    torch.manual_seed(0)
    mask = HierarchicalPoseMask(0.4, dict(clip=1)).sample_mask(
        torch.tensor([200] * 64), 200, 79, 'sign79')
    frames = mask.all(2)  # (64, 200)
    assert (frames.sum(1) == 80).all()
    starts = frames[:, 1:] & ~frames[:, :-1]
    # runs of 2-8 frames (cut runs may be shorter): far fewer starts than
    # frames
    assert starts.sum(1).float().mean() < 80 / 3
    mask = HierarchicalPoseMask(0.4, dict(joint=1)).sample_mask(
        torch.tensor([50] * 64), 50, 79, 'sign79')
    per_joint = mask.float().mean((0, 1))  # (79, )
    assert abs(per_joint.mean().item() - 0.4) < 1e-6
    assert per_joint.std().item() < 0.02  # every joint alike


def test_per_sample_and_batched_masks_share_statistics():
    torch.manual_seed(1)
    per_sample = [
        HierarchicalPoseMask(0.4).transform(
            dict(keypoints=np.zeros((60, 79, 2)), layout='sign79'))['mpm_mask']
        for _ in range(96)
    ]
    one = _level_shares(torch.from_numpy(np.stack(per_sample))).mean(0)
    batched = _level_shares(torch.cat(_masks([60] * 8, seed=1,
                                             batches=12))).mean(0)
    np.testing.assert_allclose(one, batched, atol=0.02)


def test_masks_replay_from_a_restored_generator_state():
    """A resumed run restores torch's generator state (RNGStateHook) and
    then draws exactly the masks the uninterrupted run drew."""
    lengths = (30, 70, 12)
    torch.manual_seed(3)
    pre = _preprocessor(*STAGES, MASK)
    batch = _packed([_clip(t, i) for i, t in enumerate(lengths)])
    first = [pre(batch, True)['inputs']['mpm_mask'] for _ in range(2)]
    state = torch.get_rng_state()
    rest = [pre(batch, True)['inputs']['mpm_mask'] for _ in range(3)]
    torch.manual_seed(99)  # what mmengine's resume re-seeding would do
    torch.set_rng_state(state)
    resumed = [pre(batch, True)['inputs']['mpm_mask'] for _ in range(3)]
    for a, b in zip(rest, resumed):
        assert torch.equal(a, b)
    assert not torch.equal(first[0], first[1])
    assert all(torch.equal(a, b) for a, b in zip(
        _masks(lengths, 5, 3), _masks(lengths, 5, 3)))


@pytest.mark.parametrize('training,transforms', [(True, ()), (False, STAGES)])
def test_raw_arrays_without_pose_stages_are_refused(training, transforms):
    """A batched dataset pipeline (stored joints in pixels) under a data
    preprocessor that will not run the pose stages used to reach the model
    as 133 joints in pixels; it is a config error that names the fix."""
    from slp_mm.utils.cli_errors import ConfigError
    batch = pseudo_collate([
        PackSignInputs(stack=False).transform(dict(_clip(5, 0)))])
    with pytest.raises(ConfigError, match='batch_transforms'):
        _preprocessor(*transforms)(batch, training)
