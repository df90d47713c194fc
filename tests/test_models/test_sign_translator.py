"""Gloss-free SLT: the translation head (targets, overfitting, causality,
beam search, padding) and a short training run of the PHOENIX-2014-T
config on the synthetic corpus."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from slp_mm.corpus import SignCorpus
from slp_mm.datasets.transforms import TokenizeText
from slp_mm.models import SignTranslationHead
from slp_mm.models.heads.translation_head import IGNORE_INDEX, mbart_targets
from slp_mm.structures import SignDataSample

from ..conftest import REPO

# a tiny mBART decoder over the synthetic tokenizer (at most 500 tokens)
TINY_DECODER = dict(
    model_type='mbart',
    vocab_size=500,
    d_model=32,
    decoder_layers=2,
    decoder_attention_heads=4,
    decoder_ffn_dim=64,
    max_position_embeddings=64,
    pad_token_id=1,
    bos_token_id=0,
    eos_token_id=2)


@pytest.fixture(scope='module')
def tokenizer(synthetic_corpus):
    return osp.join(synthetic_corpus, 'tokenizer')


@pytest.fixture(scope='module')
def samples(synthetic_corpus, tokenizer):
    """Four paired samples in mixed languages, tokenised as in training."""
    corpus = SignCorpus(synthetic_corpus)
    tokenize = TokenizeText(tokenizer, max_length=32)
    out = []
    for i, (text, lang) in enumerate(
            zip(corpus.column('text'), corpus.column('language'))):
        if text is None:
            continue
        s = SignDataSample()
        s.set_metainfo(dict(sample_id=f's{i}', text=text, language=lang))
        s.text_ids = tokenize.transform(
            dict(id=i, text=text, language=lang))['text_ids']
        out.append(s)
    assert len({s.language for s in out[:4]}) > 1
    return out[:4]


def _head(tokenizer, **kwargs):
    torch.manual_seed(0)
    cfg = dict(decoder=TINY_DECODER, tokenizer=tokenizer, in_channels=16,
               max_new_tokens=12)
    cfg.update(kwargs)
    return SignTranslationHead(**cfg)


def _feats():
    """(4, 10, 16) features; samples 1 and 3 have 6 and 3 real frames."""
    torch.manual_seed(1)
    feats = torch.randn(4, 10, 16)
    mask = torch.ones(4, 10, dtype=torch.bool)
    mask[1, 6:] = mask[3, 3:] = False
    return feats, mask


def test_mbart_targets():
    # w1 w2 </s> <de_DE>
    dec_in, labels = mbart_targets(torch.tensor([11, 12, 2, 6]), eos_id=2)
    assert dec_in.tolist() == [2, 6, 11, 12]
    assert labels.tolist() == [IGNORE_INDEX, 11, 12, 2]


def test_encoder_remains_are_frozen(tokenizer):
    head = _head(tokenizer)
    assert head.decoder.config.encoder_layers == 0
    frozen = {n for n, p in head.named_parameters() if not p.requires_grad}
    assert frozen and all(n.startswith('decoder.model.encoder.')
                          for n in frozen)
    # the embedding shared with the decoder still trains
    assert head.decoder.get_input_embeddings().weight.requires_grad


def test_overfits_a_batch_and_translates_it_back(tokenizer, samples):
    head = _head(tokenizer, num_beams=4)
    feats, mask = _feats()
    optim = torch.optim.AdamW(
        [p for p in head.parameters() if p.requires_grad], lr=1e-2)
    losses = []
    for _ in range(30):
        out = head.loss(feats, mask, samples)
        assert torch.isfinite(out['loss_translation'])
        optim.zero_grad()
        out['loss_translation'].backward()
        # every trainable weight gets a gradient: DDP needs no
        # find_unused_parameters
        assert all(p.grad is not None for p in head.parameters()
                   if p.requires_grad)
        optim.step()
        losses.append(out['loss_translation'].item())
    assert losses[-1] < 0.4 * losses[0], losses
    assert out['token_acc'] == 1.0
    # generation starts from the prefix training used: it reproduces the
    # memorised sentences, each in its own language
    head.eval()
    head.predict(feats, mask, samples)
    assert [s.pred_text for s in samples] == [s.text for s in samples]
    assert all('pred_text' not in s.metainfo for s in samples)  # a field


def test_decoder_is_causal(tokenizer, samples):
    head = _head(tokenizer).eval()
    feats, mask = _feats()
    dec_in, _, dec_mask = head._targets(samples, feats.device)
    with torch.no_grad():
        ref = head.logits(feats, mask, dec_in, dec_mask)
        changed = dec_in.clone()
        changed[:, 3:] = 300  # rewrite every token from position 3 on
        out = head.logits(feats, mask, changed, dec_mask)
    assert torch.allclose(ref[:, :3], out[:, :3], atol=1e-6)
    assert not torch.allclose(ref[0, 3:4], out[0, 3:4])


@pytest.mark.parametrize('num_beams', [1, 4])
def test_generate_returns_strings_and_ignores_padding(tokenizer, samples,
                                                      num_beams):
    head = _head(tokenizer, num_beams=num_beams).eval()
    feats, mask = _feats()
    head.predict(feats, mask, samples)
    texts = [s.pred_text for s in samples]
    assert all(isinstance(t, str) for t in texts)
    # sample 3 alone on its 3 real frames translates as in the padded batch
    alone = copy.deepcopy(samples[3:])
    head.predict(feats[3:, :3], mask[3:, :3], alone)
    assert alone[0].pred_text == texts[3]


def test_target_language_overrides_the_samples(tokenizer, samples):
    head = _head(tokenizer, target_language='de_DE')
    de_id = head.tokenizer.convert_tokens_to_ids('de_DE')
    assert all(head._language_id(s) == de_id for s in samples)
    with pytest.raises(KeyError, match='xx_XX'):
        _head(tokenizer, target_language='xx_XX')._language_id(samples[0])


def test_errors_name_sample_and_field(tokenizer):
    head = _head(tokenizer)
    s = SignDataSample()
    s.set_metainfo(dict(sample_id='no-text'))
    feats, mask = _feats()
    with pytest.raises(ValueError, match="'no-text'.*'text_ids'"):
        head.loss(feats[:1], mask[:1], [s])
    small = dict(TINY_DECODER, vocab_size=100)
    with pytest.raises(ValueError, match='tokens but the decoder only 100'):
        _head(tokenizer, decoder=small).tokenizer


@pytest.mark.parametrize('name,language,token', [
    ('phoenix2014t', 'de', 'de_DE'),
    ('csl_daily', 'zh', 'zh_CN'),
    ('how2sign', 'en', 'en_XX'),
])
def test_slt_configs(name, language, token):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'slt', f'{name}.py'))
    assert cfg.model.head.target_language == token
    assert cfg.val_evaluator == dict(
        type='TranslationMetric', language=language, protocol='slrt',
        output_dir=f'work_dirs/slt_{name}/predictions')
    assert cfg.default_hooks.checkpoint.save_best == 'slt/slrt/bleu4'
    assert cfg.model.head.decoder.decoder_layers == 3
    assert cfg.model.head.decoder.d_model == 1024
    for loader in (cfg.train_dataloader, cfg.val_dataloader,
                   cfg.test_dataloader):
        assert loader.dataset.paired_only
        assert loader.dataset.data_root == f'data/{name}'
    # Table: 10% linear warm-up, then cosine to the end of 60 epochs
    assert cfg.param_scheduler[0].end == 6
    assert cfg.param_scheduler[1].end == cfg.train_cfg.max_epochs == 60
    assert cfg.train_dataloader.batch_size == 32
    assert cfg.optim_wrapper.optimizer.weight_decay == 1e-4


def test_phoenix2014t_config_trains_and_scores(synthetic_corpus, tokenizer,
                                               tmp_path):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'slt',
                                   'phoenix2014t.py'))
    cfg = copy.deepcopy(cfg)
    cfg.model.embedder.update(gcn_channels=(16, ), embed_dims=32)
    cfg.model.encoder.update(embed_dims=32, num_layers=1, num_heads=4)
    # the synthetic corpus mixes languages: each sample's own token
    cfg.model.head.update(in_channels=64, tokenizer=tokenizer,
                          target_language=None, max_new_tokens=8)
    cfg.model.head.decoder = TINY_DECODER
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.num_workers = 0
        loader.dataset.update(data_root='', ann_file=synthetic_corpus,
                              indices=16)
        for t in loader.dataset.pipeline:
            if t.type == 'TemporalSample':
                t.max_frames = 64
            if t.type == 'TokenizeText':
                t.tokenizer = tokenizer
    cfg.val_dataloader.dataset.indices = 8
    cfg.train_cfg.max_epochs = 1
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.work_dir = str(tmp_path)
    runner = Runner.from_cfg(cfg)
    runner.train()
    # the pre-trained encoder at lr x 0.1, all of the decoder at full lr
    groups = runner.optim_wrapper.optimizer.param_groups
    lr = {id(p): g['initial_lr'] for g in groups for p in g['params']}
    model = runner.model
    full = lr[id(model.head.projector[0].weight)]
    assert lr[id(next(model.embedder.parameters()))] == pytest.approx(
        0.1 * full)
    assert lr[id(next(model.encoder.parameters()))] == pytest.approx(
        0.1 * full)
    cross = model.head.decoder.model.decoder.layers[0].encoder_attn
    assert lr[id(cross.q_proj.weight)] == full
    assert lr[id(model.head.decoder.get_input_embeddings().weight)] == full
    metrics = runner.val_loop.run()
    assert {f'slt/slrt/bleu{n}' for n in range(1, 5)} | {
        'slt/slrt/rouge_l'} <= set(metrics)
    assert all(0 <= v <= 100 for v in metrics.values())
