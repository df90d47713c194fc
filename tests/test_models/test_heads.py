import math

import pytest
import torch
import torch.nn.functional as F

from slp_mm.models import FineGrainedContrastiveHead, MaskedPoseHead


def test_masked_pose_loss_by_hand():
    head = MaskedPoseHead(in_channels=3, num_keypoints=2, hidden_channels=4)
    with torch.no_grad():  # constant prediction: j0 (0, 0), j1 (1, 1)
        for p in head.parameters():
            p.zero_()
        head.decoder[2].bias.copy_(torch.tensor([0., 0., 1., 1.]))
    feats = torch.randn(1, 3, 3)
    target = torch.tensor([[[[1., 0.], [3., 3.]],
                            [[0., 2.], [0., 0.]],
                            [[9., 9.], [9., 9.]]]])
    conf = torch.tensor([[[0.5, 1.0], [1.0, 0.25], [1.0, 1.0]]])
    mask = torch.tensor([[[True, False], [True, True], [True, True]]])
    pose_mask = torch.tensor([[True, True, False]])  # frame 3 is padding
    loss = head.loss(feats, target, conf, mask, pose_mask)['loss_mpm']
    # masked real joints: err 1 (w .5), err 4 (w 1), err 2 (w .25)
    assert loss.item() == pytest.approx((0.5 * 1 + 4 + 0.25 * 2) / 1.75)


def test_masked_pose_loss_ignores_visible_joints():
    head = MaskedPoseHead(in_channels=8, num_keypoints=5)
    feats = torch.randn(2, 4, 8)
    target = torch.randn(2, 4, 5, 2)
    conf = torch.rand(2, 4, 5)
    mask = torch.rand(2, 4, 5) > 0.5
    pm = torch.ones(2, 4, dtype=torch.bool)
    base = head.loss(feats, target, conf, mask, pm)['loss_mpm']
    moved = target.clone()
    moved[~mask] += 100  # visible joints do not count
    assert torch.allclose(head.loss(feats, moved, conf, mask, pm)['loss_mpm'],
                          base)


def test_clip_pooling_averages_real_frames_in_windows_of_4():
    head = FineGrainedContrastiveHead(1, 1, 2, window=4)
    feats = torch.tensor([1., 2., 3., 4., 5., 0., 0., 0., 0.]).view(1, 9, 1)
    mask = torch.tensor([[True] * 5 + [False] * 4])
    clips, clip_mask = head.pool_clips(feats, mask)
    assert clips.flatten().tolist() == [2.5, 5.0, 0.0]
    assert clip_mask.tolist() == [[True, True, False]]


def _two_by_two():
    e1, e2, z = torch.eye(2)[0], torch.eye(2)[1], torch.zeros(2)
    clips = torch.stack([torch.stack([e1, e2]), torch.stack([e1, z])])
    clip_mask = torch.tensor([[True, True], [True, False]])
    words = torch.stack([torch.stack([e1, e2]), torch.stack([e2, z])])
    word_mask = torch.tensor([[True, True], [True, False]])
    return clips, clip_mask, words, word_mask


def test_fine_grained_similarity_2x2_by_hand():
    head = FineGrainedContrastiveHead(2, 2, 2)
    sim = head.similarity(*_two_by_two())
    a = math.e / (math.e + 1)  # softmax weight of the matching word
    expected = torch.tensor([[a, 0.5], [a, 0.0]])
    assert torch.allclose(sim, expected, atol=1e-6)


def test_symmetric_info_nce_by_hand():
    head = FineGrainedContrastiveHead(2, 2, 2)
    with torch.no_grad():  # identity projections: embeddings = features
        head.pose_proj.weight.copy_(torch.eye(2))
        head.text_proj.weight.copy_(torch.eye(2))
        head.pose_proj.bias.zero_()
        head.text_proj.bias.zero_()
    clips, clip_mask, words, word_mask = _two_by_two()
    clips[1, 1] = clips[1, 0]  # padding content must not matter
    pose = clips.repeat_interleave(4, dim=1)  # 4 frames per clip
    pose_mask = clip_mask.repeat_interleave(4, dim=1)
    loss = head.loss(pose, pose_mask, words, word_mask)['loss_stc']
    a = math.e / (math.e + 1)
    s = torch.tensor([[a, 0.5], [a, 0.0]]) / 0.07
    v2t = -(s[0, 0] - s[0].logsumexp(0) + s[1, 1] - s[1].logsumexp(0)) / 2
    t2v = -(s[0, 0] - s[:, 0].logsumexp(0) + s[1, 1] -
            s[:, 1].logsumexp(0)) / 2
    assert loss.item() == pytest.approx(((v2t + t2v) / 2).item(), rel=1e-5)
    # symmetric: swapping the two directions gives the same loss
    logits = head(pose, pose_mask, words, word_mask)
    lbl = torch.arange(2)
    assert torch.allclose(
        (F.cross_entropy(logits, lbl) + F.cross_entropy(logits.t(), lbl)) / 2,
        (F.cross_entropy(logits.t(), lbl) + F.cross_entropy(logits, lbl)) / 2)
    assert head.logit_scale.exp().item() == pytest.approx(1 / 0.07)


def test_temperature_is_learnable_and_capped():
    head = FineGrainedContrastiveHead(4, 4, 4)
    pose, text = torch.randn(3, 8, 4), torch.randn(3, 5, 4)
    pm, tm = torch.ones(3, 8, dtype=torch.bool), torch.ones(3, 5,
                                                            dtype=torch.bool)
    head.loss(pose, pm, text, tm)['loss_stc'].backward()
    assert head.logit_scale.grad is not None
    with torch.no_grad():
        head.logit_scale.fill_(10.0)
    logits = head(pose, pm, text, tm)
    assert logits.abs().max() <= 100.0 + 1e-4
    zero = head.zero_loss()['loss_stc']
    zero.backward()
    assert zero.item() == 0.0


def test_coarse_granularity_is_cosine_of_means():
    torch.manual_seed(0)
    head = FineGrainedContrastiveHead(4, 3, 5, granularity='coarse')
    pose, text = torch.randn(2, 6, 4), torch.randn(3, 4, 3)
    pm = torch.tensor([[True] * 6, [True] * 2 + [False] * 4])
    tm = torch.tensor([[True] * 4, [True] * 1 + [False] * 3, [True] * 4])
    logits = head(pose, pm, text, tm)  # (2, 3)
    v = torch.stack([pose[0].mean(0), pose[1, :2].mean(0)])
    t = torch.stack([text[0].mean(0), text[1, 0], text[2].mean(0)])
    v = F.normalize(head.pose_proj(v), dim=-1)
    t = F.normalize(head.text_proj(t), dim=-1)
    assert torch.allclose(logits, head.logit_scale.exp() * v @ t.t(),
                          atol=1e-5)
    with pytest.raises(ValueError, match='granularity'):
        FineGrainedContrastiveHead(granularity='medium')


def test_old_zero_dim_logit_scale_loads():
    from slp_mm.models.heads import FineGrainedContrastiveHead
    head = FineGrainedContrastiveHead(pose_channels=8, text_channels=8,
                                      embed_dims=4)
    state = head.state_dict()
    state['logit_scale'] = torch.tensor(3.0)  # as saved before (0-dim)
    head.load_state_dict(state, strict=True)
    assert head.logit_scale.shape == (1, )
    assert head.logit_scale.item() == 3.0
