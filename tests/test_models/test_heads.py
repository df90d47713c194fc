import math

import pytest
import torch
import torch.nn.functional as F

from slp_mm.models import FineGrainedContrastiveHead, MaskedPoseHead

from .test_sign_pretrainer import _batch, batch_and_model  # noqa: F401


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


def _identity_projections(head):
    with torch.no_grad():  # embeddings = features (normalised)
        head.pose_proj.weight.copy_(torch.eye(head.pose_proj.in_features))
        head.text_proj.weight.copy_(torch.eye(head.text_proj.in_features))
        head.pose_proj.bias.zero_()
        head.text_proj.bias.zero_()


def test_symmetric_info_nce_2x2_by_hand():
    head = FineGrainedContrastiveHead(2, 2, 2)
    _identity_projections(head)
    clips, clip_mask, words, word_mask = _two_by_two()
    clips[1, 1] = clips[1, 0]  # padding content must not matter
    pose = clips.repeat_interleave(4, dim=1)  # 4 frames per clip
    pose_mask = clip_mask.repeat_interleave(4, dim=1)
    ids = torch.tensor([[5, 6], [7, 1]])  # two different sentences
    out = head.loss(pose, pose_mask, words, word_mask, ids)
    # scores (test above) over the temperature 0.07
    a = math.e / (math.e + 1)
    s00, s01, s10, s11 = a / 0.07, 0.5 / 0.07, a / 0.07, 0.0
    sign_to_text = (math.log(1 + math.exp(s01 - s00)) +
                    math.log(1 + math.exp(s10 - s11))) / 2
    text_to_sign = (math.log(1 + math.exp(s10 - s00)) +
                    math.log(1 + math.exp(s01 - s11))) / 2
    assert out['loss_stc'].item() == pytest.approx(
        (sign_to_text + text_to_sign) / 2, rel=1e-5)
    assert out['stc_duplicate_pairs'].item() == 0


def _repeated_sentence_4x4(duplicate_sentences, sentence_2_feature):
    """Coarse head with identity projections, signs e0 e1 e2 e3 and
    sentences e0 e1 e<sentence_2_feature> e3, where sentences 1 and 2 are
    the same (equal real tokens, different padding ids)."""
    head = FineGrainedContrastiveHead(
        4, 4, 4, init_temperature=0.5, granularity='coarse',
        duplicate_sentences=duplicate_sentences)
    _identity_projections(head)
    eye = torch.eye(4)
    pose = eye[:, None].repeat(1, 3, 1)  # (4, 3 frames, 4)
    text = eye[[0, 1, sentence_2_feature, 3]][:, None].repeat(1, 4, 1)
    ids = torch.tensor([[5, 6, 2, 1], [7, 8, 2, 1], [7, 8, 2, 0],
                        [7, 8, 9, 2]])  # sentence 3: sentence 1's prefix
    text_mask = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 1, 0],
                              [1, 1, 1, 1]]).bool()
    return head.loss(pose, torch.ones(4, 3, dtype=torch.bool), text,
                     text_mask, ids)


K = 1 / 0.5  # the logit scale of _repeated_sentence_4x4
ONE_OF_FOUR = math.log(1 + 3 * math.exp(-K))  # -log softmax([K 0 0 0])[0]


def test_repeated_sentences_excluded_from_each_others_negatives_by_hand():
    # equal features (the frozen text encoder): the case where only
    # 'excluded' differs from the paper's loss
    out = _repeated_sentence_4x4('excluded', sentence_2_feature=1)
    # scores [[1 0 0 0], [0 1 1 0], [0 0 0 0], [0 0 0 1]]; entries (1, 2)
    # and (2, 1) leave the sums: row 1 / column 1 (0 K . 0) -> target K,
    # row 2 / column 2 (0 . 0 0) -> target 0 among three
    repeat = math.log(1 + 2 * math.exp(-K)) + math.log(3)
    assert out['loss_stc'].item() == pytest.approx(
        (2 * ONE_OF_FOUR + repeat) / 4, rel=1e-5)
    paper = _repeated_sentence_4x4('negatives', sentence_2_feature=1)
    assert paper['loss_stc'].item() > out['loss_stc'].item() + 0.1
    # the masked entries get no gradient, the rest is finite
    pose = torch.eye(4)[:, None].repeat(1, 3, 1).requires_grad_()
    head = FineGrainedContrastiveHead(4, 4, 4, granularity='coarse')
    ids = torch.tensor([[5], [7], [7], [9]])
    loss = head.loss(pose, torch.ones(4, 3, dtype=torch.bool),
                     torch.eye(4)[[0, 1, 1, 3]][:, None].repeat(1, 2, 1),
                     torch.ones(4, 2, dtype=torch.bool), ids)['loss_stc']
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(pose.grad).all()


def test_repeated_sentences_are_positives_by_hand():
    # the repeat's features differ (as under dropout): scores = identity
    out = _repeated_sentence_4x4('positives', sentence_2_feature=2)
    # rows 1, 2 and columns 1, 2 have targets (0 .5 .5 0) on logits with
    # one K at 1 or 2: -(log softmax_1 + log softmax_2) / 2
    half = math.log(math.exp(K) + 3) - K / 2
    assert out['loss_stc'].item() == pytest.approx(
        (2 * ONE_OF_FOUR + 2 * half) / 4, rel=1e-5)
    assert out['stc_duplicate_pairs'].item() == 1
    out = _repeated_sentence_4x4('negatives', sentence_2_feature=2)
    assert out['loss_stc'].item() == pytest.approx(ONE_OF_FOUR, rel=1e-5)
    assert out['stc_duplicate_pairs'].item() == 1  # counted all the same
    with pytest.raises(ValueError, match='duplicate_sentences must be one '
                       "of .*'excluded'.*got 'ignore'"):
        FineGrainedContrastiveHead(duplicate_sentences='ignore')


@pytest.mark.parametrize('duplicate_sentences', ['positives', 'negatives'])
def test_repeats_with_equal_features_give_the_same_loss_both_ways(
        duplicate_sentences):
    """Equal sentences with equal features (the frozen text encoder) give
    equal columns, and the one-hot targets of those columns average to the
    uniform target: the two losses agree."""
    out = _repeated_sentence_4x4(duplicate_sentences, sentence_2_feature=1)
    # scores [[1 0 0 0], [0 1 1 0], [0 0 0 0], [0 0 0 1]]
    rows = [ONE_OF_FOUR,
            math.log(2 + 2 * math.exp(-K)),  # (0 K K 0), mass on 1, 2
            math.log(4),  # (0 0 0 0)
            ONE_OF_FOUR]
    # columns (K 0 0 0), (0 K 0 0) x2, (0 0 0 K); the two repeats' columns
    # together: -log softmax_1 - log softmax_2 of (0 K 0 0)
    cols = 2 * ONE_OF_FOUR + 2 * math.log(math.exp(K) + 3) - K
    assert out['loss_stc'].item() == pytest.approx(
        (sum(rows) / 4 + cols / 4) / 2, rel=1e-5)


def test_duplicate_pairs_count_unordered_pairs():
    head = FineGrainedContrastiveHead(4, 4, 4)
    ids = torch.tensor([[3], [4], [3], [5], [3], [4]])  # 3 x3, 4 x2
    out = head.loss(torch.randn(6, 8, 4), torch.ones(6, 8, dtype=torch.bool),
                    torch.randn(6, 1, 4), torch.ones(6, 1, dtype=torch.bool),
                    ids)
    assert out['stc_duplicate_pairs'].item() == 3 + 1


def test_temperature_above_the_cap_can_rise_again():
    head = FineGrainedContrastiveHead(4, 4, 4)
    _identity_projections(head)
    eye = torch.eye(4)
    # mismatched pairs (scores [[0 1] [1 0]]): the loss wants a higher
    # temperature, i.e. a lower logit_scale
    inputs = (eye[:2, None].repeat(1, 4, 1), torch.ones(2, 4,
                                                       dtype=torch.bool),
              eye[[1, 0], None].repeat(1, 3, 1), torch.ones(2, 3,
                                                            dtype=torch.bool),
              torch.tensor([[5, 6, 2], [7, 8, 2]]))
    with torch.no_grad():
        head.logit_scale.fill_(10.0)  # exp(10) = 22026 > the cap of 100
    out = head.loss(*inputs)
    # the temperature used and logged is the capped one
    assert out['stc_temperature'].item() == pytest.approx(0.01)
    assert head(*inputs[:4]).abs().max().item() == pytest.approx(100.0)
    out['loss_stc'].backward()
    # the parameter itself is clamped, so its gradient is exp's, not 0
    assert head.logit_scale.item() == pytest.approx(math.log(100))
    assert head.logit_scale.grad.item() > 0
    torch.optim.SGD([head.logit_scale], lr=0.01).step()
    assert head.loss(*inputs)['stc_temperature'].item() > 0.0101


def test_zero_loss_reaches_every_parameter():
    head = FineGrainedContrastiveHead(4, 4, 4)
    out = head.zero_loss()
    out['loss_stc'].backward()
    assert out['loss_stc'].item() == 0.0
    assert all(p.grad is not None for p in head.parameters())
    assert out['stc_duplicate_pairs'].item() == 0
    assert out['stc_temperature'].item() == pytest.approx(0.07)


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


def test_pretrainer_logs_used_temperature_and_duplicate_pairs(
        batch_and_model):
    ds, model = batch_and_model
    data = _batch(ds, model, [0, 0, 2, 3])  # sample 0 twice: one repeat
    ids, mask = data['inputs']['text_ids'], data['inputs']['text_mask']
    sentences = [tuple(i[m].tolist()) for i, m in zip(ids, mask)]
    repeats = sum(a == b for k, a in enumerate(sentences)
                  for b in sentences[k + 1:])
    assert repeats >= 1
    with torch.no_grad():
        model.stc_head.logit_scale.fill_(10.0)  # above the cap of 100
    losses = model(**data, mode='loss')
    assert losses['stc_temperature'].item() == pytest.approx(0.01)
    assert losses['stc_duplicate_pairs'].item() == repeats
    # logged, not trained: only the keys named loss* make the loss
    loss, log_vars = model.parse_losses(losses)
    assert loss.item() == pytest.approx(
        (losses['loss_mpm'] + losses['loss_stc']).item())
    assert log_vars['stc_duplicate_pairs'].item() == repeats
