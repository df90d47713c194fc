"""RandomAffinePose per sample (numpy's draws) and batched (torch's draws,
in the data preprocessor) apply one definition: the same parameters give
the same poses, missing joints and padding stay 0, and the batched draws
cover their ranges and replay under a restored generator state."""
import math

import numpy as np
import pytest
import torch

from slp_mm.datasets.transforms import RandomAffinePose
from slp_mm.functional import affine_pose_, draw_affine_params


def _normalised(t, seed):
    """(T, 79, 2) coordinates in [-1, 1] and (T, 79) scores, ~10% missing
    (score 0) with stale coordinates left in place."""
    rng = np.random.default_rng(seed)
    kpts = rng.uniform(-1, 1, (t, 79, 2)).astype(np.float32)
    scores = rng.uniform(0.01, 1, (t, 79)).astype(np.float32)
    scores[rng.random((t, 79)) < 0.1] = 0
    return kpts, scores


def _padded_planes(clips):
    """The data preprocessor's batch layout: (B, T, K, 3) view of channel
    planes (3, B, T, K), zero-padded in time."""
    t = max(len(k) for k, _ in clips)
    planes = torch.zeros(3, len(clips), t, 79)
    for i, (kpts, scores) in enumerate(clips):
        planes[:2, i, :len(kpts)] = torch.from_numpy(kpts).permute(2, 0, 1)
        planes[2, i, :len(kpts)] = torch.from_numpy(scores)
    return planes.permute(1, 2, 3, 0)


def test_the_same_parameters_give_the_same_poses_both_ways():
    lengths = (5, 32, 1, 17)
    clips = [_normalised(t, seed) for seed, t in enumerate(lengths)]
    affine = RandomAffinePose()
    np.random.seed(0)
    params = [affine.numpy_params() for _ in clips]
    np.random.seed(0)  # the transform draws the same parameters
    per_sample = [
        affine.transform(dict(keypoints=k.copy(), scores=s.copy()))
        for k, s in clips
    ]
    pose = _padded_planes(clips)
    affine_pose_(
        pose, **{
            key: torch.cat([p[key] for p in params])
            for key in ('rotation', 'scale', 'shift')
        })
    for i, ((kpts, scores), out) in enumerate(zip(clips, per_sample)):
        t = len(kpts)
        np.testing.assert_array_equal(pose[i, :t, :, :2].numpy(),
                                      out['keypoints'])
        np.testing.assert_array_equal(out['scores'], scores)  # untouched
        missing = scores == 0
        assert missing.any()
        np.testing.assert_array_equal(out['keypoints'][missing], 0)
        np.testing.assert_array_equal(pose[i, t:].numpy(), 0)  # padding
    np.testing.assert_array_equal(pose[..., 2].numpy(),
                                  _padded_planes(clips)[..., 2].numpy())


def test_per_sample_transform_keeps_its_numpy_draws():
    """The rotation, scale and shift drawn from numpy's generator in the
    order of the transform before the batched path (seeded runs keep their
    values), applied as x' = s R x + shift."""
    np.random.seed(7)
    theta = np.deg2rad(np.random.uniform(-15, 15))
    s = np.random.uniform(0.85, 1.15)
    shift = np.random.uniform(-0.1, 0.1, 2)
    kpts = np.array([[[0, 0], [1, 0], [0, 1], [0.5, 0.5]]], np.float32)
    scores = np.array([[1, 1, 0.5, 0]], np.float32)
    np.random.seed(7)
    out = RandomAffinePose().transform(
        dict(keypoints=kpts.copy(), scores=scores))['keypoints']
    c, n = s * np.cos(theta), s * np.sin(theta)
    expected = np.array([[
        shift, (c + shift[0], n + shift[1]), (-n + shift[0], c + shift[1]),
        (0, 0)
    ]])
    np.testing.assert_allclose(out, expected, atol=1e-6)


def test_transform_batch_draws_per_sequence_from_torch():
    affine = RandomAffinePose()
    clips = [_normalised(t, seed) for seed, t in enumerate((9, 3, 12))]
    torch.manual_seed(0)
    params = draw_affine_params(3, 15.0, (0.85, 1.15), 0.1)
    expected = affine_pose_(_padded_planes(clips), **params)
    torch.manual_seed(0)
    batch = affine.transform_batch(dict(pose=_padded_planes(clips)))
    assert torch.equal(batch['pose'], expected)
    # one draw per sequence: the sequences move differently
    assert len(set(params['scale'].tolist())) == 3
    # a resumed run restores torch's state (RNGStateHook): the same draws
    state = torch.get_rng_state()
    first = affine.transform_batch(dict(pose=_padded_planes(clips)))['pose']
    torch.manual_seed(99)
    torch.set_rng_state(state)
    again = affine.transform_batch(dict(pose=_padded_planes(clips)))['pose']
    assert torch.equal(first, again)


def test_batched_draws_cover_their_ranges():
    """Over many batches (fixed seed) the rotation, scale and shift read
    back from moved unit points are uniform in the configured ranges."""
    affine = RandomAffinePose(max_rotation=15.0,
                              scale=(0.85, 1.15),
                              max_shift=0.1)
    torch.manual_seed(0)
    found = []
    for _ in range(50):
        # per sequence: the origin and (1, 0), then a padding frame
        pose = torch.zeros(64, 2, 2, 3)
        pose[:, 0, 1, 0] = 1
        pose[:, 0, :, 2] = 1
        out = affine.transform_batch(dict(pose=pose))['pose']
        assert (out[:, 1] == 0).all()  # padding stays 0
        shift = out[:, 0, 0, :2]  # (64, 2)
        arm = out[:, 0, 1, :2] - shift  # s (cos, sin)
        found.append(
            torch.cat([
                torch.rad2deg(torch.atan2(arm[:, 1], arm[:, 0]))[:, None],
                arm.norm(dim=1)[:, None], shift
            ], 1))
    rotation, scale, sx, sy = torch.cat(found).double().T  # 3,200 each
    for values, lo, hi in ((rotation, -15, 15), (scale, 0.85, 1.15),
                           (sx, -0.1, 0.1), (sy, -0.1, 0.1)):
        width = hi - lo
        assert lo - 1e-5 <= values.min() and values.max() <= hi + 1e-5
        # uniform: mean mid-range, std width / sqrt(12), ends reached
        assert values.mean().item() == pytest.approx((lo + hi) / 2,
                                                     abs=0.02 * width)
        assert values.std().item() == pytest.approx(width / math.sqrt(12),
                                                    rel=0.03)
        assert values.min() < lo + 0.01 * width
        assert values.max() > hi - 0.01 * width
    # the four draws of a sequence are independent (correlation within
    # ~5 standard errors, 1 / sqrt(3,200), of 0)
    corr = torch.corrcoef(torch.stack([rotation, scale, sx, sy]))
    assert (corr - torch.eye(4)).abs().max() < 0.09
