"""The Sigma plugin (projects/sigma): hand-computed losses, pose-only
identity of the early fusion, and two training iterations of its config."""
import copy
import math
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from ..conftest import REPO, shared_file

SIGMA_CFG = osp.join(REPO, 'projects', 'sigma', 'configs', 'sigma_demo.py')


def _sigma():
    if REPO not in sys.path:
        sys.path.insert(0, REPO)
    import projects.sigma.models as sigma
    return sigma


def _softplus(x):
    return math.log1p(math.exp(x))


def test_matching_loss_with_hard_negatives_3x3():
    sigma = _sigma()
    # scores[i, j]: sign i vs sentence j, pairs on the diagonal
    scores = torch.tensor([[0.9, 0.5, 0.7],
                           [0.2, 0.8, 0.1],
                           [0.6, 0.3, 0.4]], requires_grad=True)
    text_neg, text_ok, sign_neg, sign_ok = sigma.mine_hard_negatives(scores)
    # sign 0: max(0.5, 0.7) -> sentence 2; sign 1: max(0.2, 0.1) -> 0;
    # sign 2: max(0.6, 0.3) -> 0
    assert text_neg.tolist() == [2, 0, 0]
    # sentence 0: max(0.2, 0.6) -> sign 2; sentence 1: max(0.5, 0.3) -> 0;
    # sentence 2: max(0.7, 0.1) -> 0
    assert sign_neg.tolist() == [2, 0, 0]
    assert text_ok.all() and sign_ok.all()
    assert not text_neg.requires_grad  # mined from detached scores

    # sentence 2 repeats sentence 0: sign 0 must not take it as negative
    same = torch.eye(3, dtype=torch.bool)
    same[0, 2] = same[2, 0] = True
    text_neg, _, sign_neg, _ = sigma.mine_hard_negatives(scores, same)
    assert text_neg.tolist() == [1, 0, 1]  # row 0: only 0.5; row 2: 0.3
    assert sign_neg.tolist() == [1, 0, 1]  # col 0: only 0.2; col 2: 0.1

    # BCE: -log sigmoid(x) = softplus(-x) on positives, softplus(x) on
    # negatives, averaged over the 3 positives + 6 hard negatives
    pos = torch.tensor([2., 0., -1.])
    neg = torch.tensor([0., 1., -2., 3., 0., -1.])
    expected = (sum(_softplus(-x) for x in pos.tolist()) +
                sum(_softplus(x) for x in neg.tolist())) / 9
    assert abs(expected - 8.321670 / 9) < 1e-5
    got = sigma.matching_loss(pos, neg)
    assert torch.allclose(got, torch.tensor(expected), atol=1e-6)


def test_lm_loss_ignores_padding():
    sigma = _sigma()
    torch.manual_seed(0)
    logits = torch.randn(2, 4, 7)
    labels = torch.tensor([[3, 5, 2, 1], [4, 2, 1, 1]])
    mask = torch.tensor([[True, True, True, False],
                         [True, True, False, False]])
    loss = sigma.lm_loss(logits, labels, mask)
    # by hand: mean over the 5 real tokens of -log softmax
    logp = logits.log_softmax(-1)
    real = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]
    expected = -sum(logp[b, t, labels[b, t]] for b, t in real) / 5
    assert torch.allclose(loss, expected, atol=1e-6)
    changed = labels.clone()
    changed[~mask] = 6
    assert torch.equal(sigma.lm_loss(logits, changed, mask), loss)

    # the LM head end to end: padded targets do not change its loss
    cfg = Config.fromfile(SIGMA_CFG)
    head = sigma.SigmaLMHead(
        **{k: v for k, v in cfg.model.lm_head.items() if k != 'type'})
    head.eval()
    feats = torch.randn(2, 5, 128)
    pose_mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2])
    ids = torch.tensor([[10, 11, 12, 2, 1, 1], [20, 21, 2, 1, 1, 1]])
    tmask = ids != 1
    a = head.lm_loss(feats, pose_mask, ids, tmask)['loss_lm']
    ids2 = ids.masked_fill(~tmask, 77)
    b = head.lm_loss(feats, pose_mask, ids2, tmask)['loss_lm']
    assert torch.allclose(a, b, atol=1e-6)
    assert torch.isfinite(a)


def test_early_fusion_without_text_is_identity(tmp_path):
    sigma = _sigma()
    from slp_mm.models.utils.pretrained import load_pretrained_encoder
    from slp_mm.registry import MODELS
    torch.manual_seed(0)
    fusion = sigma.SignAwareEarlyFusion(
        embed_dims=8, text_channels=6, num_heads=2, init_gate=1.0)
    x = torch.randn(2, 5, 8)
    tokens = dict(manual=x, non_manual=x + 1)
    assert fusion(tokens) is tokens
    assert fusion(x, torch.ones(2, 5, dtype=torch.bool)) is x
    text, tmask = torch.randn(2, 3, 6), torch.tensor([[1, 1, 0], [1, 0, 0]
                                                      ]).bool()
    fused = fusion(tokens, None, text, tmask)
    assert not torch.allclose(fused['manual'], x)
    # masked words are ignored
    text2 = text.clone()
    text2[~tmask] = 100.
    assert torch.allclose(fusion(x, None, text2, tmask),
                          fusion(x, None, text, tmask), atol=1e-5)

    # in the model: pose-only features are embedder -> encoder, unchanged
    cfg = Config.fromfile(SIGMA_CFG)
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        model.fusion.gate.fill_(1.0)
    pose = torch.randn(2, 6, 79, 3)
    pm = torch.tensor([[True] * 6, [True] * 4 + [False] * 2])
    with torch.no_grad():
        got = model(dict(pose=pose, pose_mask=pm), mode='tensor')
        plain = model.encoder(model.embedder(pose, pm), pm)
        ids = torch.tensor([[5, 6, 2], [7, 2, 1]])
        tf = model.text_encoder(ids, ids != 1)
        with_text = model.extract_fused_feat(pose, pm, tf, ids != 1)
    assert torch.equal(got, plain)
    assert not torch.allclose(with_text, plain)
    # downstream: the embedder./encoder. weights load into the core model
    torch.save(dict(state_dict=model.state_dict()), tmp_path / 'sigma.pth')
    core = MODELS.build(
        Config.fromfile(osp.join(REPO, 'configs', 'pretrain',
                                 'demo.py')).model)
    out = load_pretrained_encoder(core, str(tmp_path / 'sigma.pth'))
    assert out['loaded'] and not out['missing']


def test_sigma_demo_config_trains(synthetic_corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)  # custom_imports resolve `projects` from here
    monkeypatch.syspath_prepend(REPO)
    cfg = copy.deepcopy(Config.fromfile(SIGMA_CFG))
    tokenizer = osp.join(synthetic_corpus, 'tokenizer')
    ds = cfg.train_dataloader.dataset
    ds.data_root, ds.ann_file = '', synthetic_corpus
    for t in ds.pipeline:
        if t.type == 'TokenizeText':
            t.tokenizer = tokenizer
    cfg.model.lm_head.tokenizer = tokenizer
    cfg.train_dataloader.sampler = dict(type='DefaultSampler', shuffle=True)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', by_epoch=False, interval=2)
    cfg.default_hooks.logger.interval = 1
    cfg.log_processor = dict(by_epoch=False)
    cfg.work_dir = str(tmp_path)
    cfg.randomness = dict(seed=3)
    runner = Runner.from_cfg(cfg)
    assert type(runner.model).__name__ == 'SigmaPretrainer'
    runner.train()
    assert runner.iter == 2
    assert osp.isfile(tmp_path / 'iter_2.pth')

    batch = next(iter(runner.train_dataloader))
    data = runner.model.data_preprocessor(batch, True)
    losses = runner.model(**data, mode='loss')
    assert int(data['inputs']['paired'].sum()) >= 2
    for key in ('loss_stc', 'loss_stc_embedder', 'loss_itm', 'loss_lm'):
        assert torch.isfinite(losses[key]) and losses[key] > 0, key

    # a batch without pairs: zero text losses that still reach the encoder
    data['inputs']['paired'] = torch.zeros_like(data['inputs']['paired'])
    losses = runner.model(**data, mode='loss')
    total = sum(v for k, v in losses.items() if k.startswith('loss'))
    assert float(total.detach()) == 0
    total.backward()
    assert runner.model.encoder.pos_embed['manual'].grad is not None


def test_sigma_model_ranks_sentences_in_the_inferencer(synthetic_corpus,
                                                        monkeypatch):
    """SignInferencer takes a Sigma model as a sign-text model (it has an
    STC head on a text encoder), not by its class."""
    from slp_mm.apis import SignInferencer, init_model
    monkeypatch.chdir(REPO)  # custom_imports resolve `projects` from here
    monkeypatch.syspath_prepend(REPO)
    cfg = copy.deepcopy(Config.fromfile(SIGMA_CFG))
    tokenizer = osp.join(synthetic_corpus, 'tokenizer')
    for t in cfg.test_pipeline:
        if t.type == 'TokenizeText':
            t.tokenizer = tokenizer
    cfg.model.lm_head.tokenizer = tokenizer
    torch.manual_seed(0)
    model = init_model(cfg)  # random weights: the ranking, not its quality
    assert type(model).__name__ == 'SigmaPretrainer'
    files = [
        shared_file('slp-pose-wholebody133', 'SOUP.mmposewholebody.pose'),
        shared_file('slp-pose-wholebody133', 'FOOTBALL.mmposewholebody.pose')
    ]
    texts = ['This word is soup.', 'This word is football.', 'I like trains.']
    inferencer = SignInferencer(model, topk=2)
    out = inferencer(files, texts=texts, language='en', batch_size=1)
    sim = inferencer.similarity(files, texts, 'en', batch_size=2)
    assert sim.shape == (2, 3)
    for row, r in zip(sim, out):
        best = row.topk(2)
        assert [t for t, _ in r['ranked_texts']] == [
            texts[j] for j in best.indices.tolist()]
        assert [s for _, s in r['ranked_texts']] == pytest.approx(
            best.values.tolist(), abs=1e-5)
    hits = inferencer.search(texts[0], files, language='en')
    assert hits[0]['file'] == files[int(sim[:, 0].argmax())]
