import numpy as np
import pytest
import torch

from slp_mm.datasets.transforms import (CheckPoseSample, HierarchicalPoseMask,
                                        NormalizeParts, PackSignInputs,
                                        SelectKeypoints, TemporalSample)
from slp_mm.functional import hierarchical_pose_mask
from slp_mm.structures import get_layout

LAYOUT = get_layout('sign79')


def _sample(t=3, k=133, text='Hello.'):
    rng = np.random.default_rng(0)
    return dict(
        id='s1',
        keypoints=rng.uniform(0, 100, (t, k, 2)).astype(np.float32),
        scores=rng.uniform(0.5, 1, (t, k)).astype(np.float32),
        width=200.0,
        height=100.0,
        text=text,
        language='en')


def test_select_keypoints_takes_paper_joints():
    s = _sample()
    s['keypoints'][:, :, 0] = np.arange(133)  # x = COCO index
    out = SelectKeypoints('sign79').transform(s)
    assert out['keypoints'].shape == (3, 79, 2)
    assert out['scores'].shape == (3, 79)
    np.testing.assert_array_equal(out['keypoints'][0, :, 0],
                                  LAYOUT.source_indexes)
    assert out['layout'] == 'sign79'


def test_normalize_parts_hand_box_and_video_size():
    kpts = np.zeros((1, 79, 2), np.float32)
    scores = np.ones((1, 79), np.float32)
    kpts[0, 0] = (50, 25)  # nose in a 200 x 100 video
    kpts[0, 11] = (200, 100)  # face joint at the bottom-right corner
    left = LAYOUT.parts['left_hand']
    kpts[0, left] = (20, 40)  # all at the box centre...
    kpts[0, left[0]] = (10, 20)  # ...but two corners: box 20 x 40
    kpts[0, left[1]] = (30, 60)
    right = LAYOUT.parts['right_hand']
    scores[0, right] = 0.0  # right hand not detected
    kpts[0, right] = (123, 45)
    out = NormalizeParts(box_margin=0.0).transform(
        dict(keypoints=kpts, scores=scores, width=200, height=100,
             layout='sign79'))
    k = out['keypoints'][0]
    np.testing.assert_allclose(k[0], (-0.5, -0.5))
    np.testing.assert_allclose(k[11], (1.0, 1.0))
    # square box of half-size 20 (the longer side / 2) around (20, 40)
    np.testing.assert_allclose(k[left[0]], (-0.5, -1.0))
    np.testing.assert_allclose(k[left[1]], (0.5, 1.0))
    np.testing.assert_allclose(k[left[2]], (0.0, 0.0))
    np.testing.assert_array_equal(k[right], 0)
    np.testing.assert_array_equal(out['scores'][0, right], 0)
    assert out['scores'][0, 0] == 1.0


def test_normalize_parts_rejects_bad_video_size():
    s = dict(keypoints=np.zeros((1, 79, 2)), scores=np.ones((1, 79)),
             width=0, height=100, layout='sign79', id='vid7')
    with pytest.raises(ValueError, match="vid7.*'width'"):
        NormalizeParts().transform(s)


@pytest.mark.parametrize('mode,expected', [
    ('center_crop', [3, 4, 5, 6]),
    ('uniform', [1, 3, 6, 8]),
])
def test_temporal_sample_deterministic_modes(mode, expected):
    s = _sample(t=10)
    out = TemporalSample(max_frames=4, mode=mode).transform(s)
    np.testing.assert_array_equal(out['frame_inds'], expected)
    assert out['keypoints'].shape[0] == 4


def test_temporal_sample_random_crop_and_short_sequences():
    np.random.seed(0)
    starts = set()
    for _ in range(50):
        inds = TemporalSample(4, 'random_crop').transform(
            _sample(t=10))['frame_inds']
        assert np.all(np.diff(inds) == 1) and 0 <= inds[0] <= 6
        starts.add(inds[0])
    assert len(starts) > 3
    short = TemporalSample(256).transform(_sample(t=5))
    np.testing.assert_array_equal(short['frame_inds'], np.arange(5))
    with pytest.raises(ValueError, match='mode'):
        TemporalSample(4, 'middle')


def _mask(t, weights, seed=0):
    np.random.seed(seed)
    s = dict(keypoints=np.zeros((t, 79, 2)), layout='sign79')
    return HierarchicalPoseMask(0.4, weights).transform(s)['mpm_mask']


@pytest.mark.parametrize('weights', [
    dict(clip=1), dict(frame=1), dict(part=1), dict(joint=1),
    dict(clip=0.25, frame=0.25, part=0.25, joint=0.25)
])
def test_mask_ratio_is_exact(weights):
    for t in (1, 7, 20, 33):
        mask = _mask(t, weights, seed=t)
        assert mask.shape == (t, 79) and mask.dtype == bool
        assert mask.sum() == round(0.4 * t * 79)


def test_mask_levels():
    # 40% of 20 frames is exactly 8 frames: clip and frame levels mask whole
    # frames only
    for level in ('clip', 'frame'):
        mask = _mask(20, {level: 1})
        full = mask.all(1)
        assert full.sum() == 8 and not mask[~full].any()
    # clip level masks runs of frames (2-8 long), frame level single frames
    runs = np.diff(np.flatnonzero(np.diff(np.r_[0, _mask(20, {'clip': 1}).all(
        1), 0])))[::2]
    assert runs.max() >= 2
    # part level: only the joint-level remainder (< the largest part, 21
    # joints) lies outside fully masked (frame, part) units
    mask = _mask(20, {'part': 1})
    covered = np.zeros_like(mask)
    for f in range(20):
        for idx in LAYOUT.parts.values():
            if mask[f, idx].all():
                covered[f, idx] = True
    assert 0 <= (mask & ~covered).sum() < 21
    assert covered.sum() > 0.9 * mask.sum()


def test_part_level_hides_only_the_named_parts_of_a_batch():
    """Parts that do not cover the layout (the hands of sign79): the part
    level hides only their joints, the frame levels every joint; on a batch
    (the joint level's large-batch path) the count stays exact."""
    hands = LAYOUT.parts['left_hand'] + LAYOUT.parts['right_hand']
    others = np.setdiff1d(np.arange(79), hands)
    torch.manual_seed(0)
    lengths = torch.tensor([90, 64, 33, 90] * 16)
    masks = HierarchicalPoseMask(
        0.4, dict(frame=0.5, part=0.5), parts=('left_hand', 'right_hand')
    ).sample_mask(lengths, 90, 79, 'sign79').numpy()
    for mask, t in zip(masks, lengths.tolist()):
        assert mask.sum() == round(0.4 * t * 79) and not mask[t:].any()
        whole = mask.all(1)  # frame level
        # beyond whole frames, only hand joints (part units and the joint
        # level's remainder, fewer than a hand's 21)
        assert mask[~whole][:, others].sum() < 21
        assert mask[~whole][:, hands].sum() > 0.9 * mask[~whole].sum()


def test_overlapping_mask_parts_are_refused():
    with pytest.raises(ValueError, match='parts overlap'):
        hierarchical_pose_mask(torch.tensor([4]), 4, 79, [[0, 1, 2], [2, 3]],
                               0.4, dict(part=1.0))


def test_mask_config_errors():
    with pytest.raises(ValueError, match='Unknown masking level'):
        HierarchicalPoseMask(0.4, dict(video=1))
    with pytest.raises(ValueError, match='ratio'):
        HierarchicalPoseMask(1.5)


@pytest.mark.parametrize('change,field', [
    (lambda s: s['keypoints'].__setitem__((1, 5, 0), np.nan), 'keypoints'),
    (lambda s: s.update(keypoints=s['keypoints'][:0], scores=s['scores'][:0]),
     'zero frames'),
    (lambda s: s.update(keypoints=s['keypoints'][:, :79],
                        scores=s['scores'][:, :79]), '79 keypoints'),
    (lambda s: s.update(text='  '), "'text' is empty"),
    (lambda s: s.update(text=b'\xff\xfe'), 'UTF-8'),
])
def test_check_pose_sample_skips_bad_input(change, field, monkeypatch):
    from slp_mm.datasets.transforms import check_pose_sample
    logged = []
    monkeypatch.setattr(check_pose_sample, 'print_log',
                        lambda msg, **kw: logged.append(msg))
    s = _sample()
    change(s)
    assert CheckPoseSample().transform(s) is None
    assert len(logged) == 1
    assert "Skipping sample 's1'" in logged[0] and field in logged[0]


def test_check_pose_sample_passes_good_and_unpaired():
    assert CheckPoseSample().transform(_sample()) is not None
    assert CheckPoseSample().transform(_sample(text=None)) is not None


def test_pack_sign_inputs():
    s = SelectKeypoints().transform(_sample(t=4))
    s['mpm_mask'] = np.zeros((4, 79), bool)
    s['text_ids'] = [5, 6, 2, 7]
    out = PackSignInputs().transform(s)
    assert out['inputs'].shape == (4, 79, 3)
    np.testing.assert_allclose(out['inputs'][..., 2].numpy(), s['scores'])
    ds = out['data_samples']
    assert ds.sample_id == 's1' and ds.num_frames == 4 and ds.is_paired
    assert ds.text_ids.tolist() == [5, 6, 2, 7]
    s['text_ids'] = None
    assert not PackSignInputs().transform(s)['data_samples'].is_paired


@pytest.mark.parametrize('min_box', [0, -1.0, float('nan')])
def test_a_hand_box_without_a_positive_minimum_is_refused(min_box):
    # a side of 0 (one confident joint) must mark the hand missing, never
    # divide by 0
    with pytest.raises(ValueError, match='min_box must be > 0'):
        NormalizeParts(min_box=min_box)
