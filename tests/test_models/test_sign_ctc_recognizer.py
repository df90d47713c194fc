"""CSLR: CTC head behaviour and a short training run of the PHOENIX config
on the synthetic corpus (which carries gloss sequences)."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from slp_mm.corpus import SignCorpus
from slp_mm.datasets.transforms import EncodeGloss
from slp_mm.models import SignCTCHead
from slp_mm.models.heads.sign_ctc_head import ctc_min_frames
from slp_mm.structures import GlossVocabulary, SignDataSample

from ..conftest import REPO


@pytest.fixture(scope='module')
def vocab_file(synthetic_corpus, tmp_path_factory):
    path = str(tmp_path_factory.mktemp('vocab') / 'gloss_vocab.json')
    GlossVocabulary.build(SignCorpus(synthetic_corpus).column('gloss')).save(
        path)
    return path


def test_vocabulary_round_trip(vocab_file):
    vocab = GlossVocabulary.load(vocab_file)
    assert vocab.tokens[0] == '<blank>' and len(vocab) == 17
    ids = vocab.encode(['APPLE', 'HOUSE', 'APPLE'])
    assert vocab.decode([0] + ids + [0]) == ['APPLE', 'HOUSE', 'APPLE']
    with pytest.raises(KeyError, match='PIZZA'):
        vocab.encode(['PIZZA'])


def test_encode_gloss_skips_unknown_and_empty(vocab_file, monkeypatch):
    from slp_mm.datasets.transforms import encode_gloss
    logged = []
    monkeypatch.setattr(encode_gloss, 'print_log',
                        lambda msg, **kw: logged.append(msg))
    t = EncodeGloss(vocab_file)
    assert t.transform(dict(id='a', gloss=['SUN']))['gloss_ids'] == [
        GlossVocabulary.load(vocab_file).index['SUN']]
    assert t.transform(dict(id='b', gloss=['SUN', 'PIZZA'])) is None
    assert t.transform(dict(id='c', gloss=[])) is None
    assert "'b'" in logged[0] and 'PIZZA' in logged[0]
    assert "'c'" in logged[1] and 'empty' in logged[1]
    with pytest.raises(KeyError, match="'b'.*PIZZA"):
        EncodeGloss(vocab_file, on_unknown='error').transform(
            dict(id='b', gloss=['PIZZA']))


def test_encode_gloss_takes_the_datasets_vocabulary(vocab_file,
                                                    synthetic_corpus):
    from slp_mm.datasets import SignPoseDataset
    dataset = SignPoseDataset(
        ann_file=synthetic_corpus, gloss_vocab=vocab_file,
        pipeline=[dict(type='EncodeGloss')])
    item = dataset[0]
    vocab = GlossVocabulary.load(vocab_file)
    assert item['gloss_ids'] == vocab.encode(item['gloss'])
    assert item['gloss_vocab_file'] == vocab_file
    with pytest.raises(ValueError, match='give the dataset a gloss_vocab'):
        EncodeGloss().transform(dict(id='a', gloss=['SUN']))


def test_ctc_min_frames():
    assert ctc_min_frames([1, 2, 3]) == 3
    assert ctc_min_frames([1, 1, 2, 2, 2]) == 8


def test_too_short_clips_are_skipped_not_nan(vocab_file):
    head = SignCTCHead(vocab_file, in_channels=8, hidden_channels=8)
    feats = torch.randn(2, 12, 8, requires_grad=True)  # 12 frames -> 3 steps
    mask = torch.ones(2, 12, dtype=torch.bool)
    samples = []
    for ids in ([1, 2], [1, 1, 2, 3]):  # needs 2 and 5 steps
        s = SignDataSample()
        s.gloss_ids = ids
        samples.append(s)
    out = head.loss(feats, mask, samples)
    assert out['ctc_skipped'].item() == 1
    assert torch.isfinite(out['loss_ctc']) and out['loss_ctc'] > 0
    out = head.loss(feats, mask, samples[1:])
    assert out['ctc_skipped'].item() == 1 and out['loss_ctc'].item() == 0
    out['loss_ctc'].backward()  # still connected to the graph


def test_predict_sets_typed_gloss_fields(vocab_file):
    """The decoded glosses are a typed field (what WERMetric reads), the
    greedy CTC path of the head's own log-probabilities."""
    torch.manual_seed(0)
    head = SignCTCHead(vocab_file, in_channels=8, hidden_channels=8,
                       decoder='greedy').eval()
    feats, mask = torch.randn(2, 16, 8), torch.ones(2, 16, dtype=torch.bool)
    mask[1, 8:] = False
    samples = head.predict(feats, mask, [SignDataSample(), SignDataSample()])
    log_probs, lengths = head(feats, mask)  # (B, T', V), (B,)
    vocab = GlossVocabulary.load(vocab_file)
    for s, lp, n in zip(samples, log_probs, lengths):
        path = lp[:int(n)].argmax(-1).tolist()
        ids = [i for j, i in enumerate(path)
               if i != vocab.blank_id and (j == 0 or i != path[j - 1])]
        assert s.pred_gloss_ids.tolist() == ids
        assert s.pred_gloss == vocab.decode(ids)
        assert 'pred_gloss' in s and 'pred_gloss' not in s.metainfo


def test_phoenix_config_trains_and_scores_wer(synthetic_corpus, vocab_file,
                                              tmp_path):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'cslr',
                                   'phoenix2014.py'))
    cfg = copy.deepcopy(cfg)
    cfg.model.embedder.update(gcn_channels=(16, ), embed_dims=32)
    cfg.model.encoder.update(embed_dims=32, num_layers=1, num_heads=4)
    cfg.model.head.update(gloss_vocab=vocab_file, in_channels=64,
                          hidden_channels=32, beam_size=4)
    cfg.val_evaluator.protocol = 'raw'
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.num_workers = 0
        loader.dataset.update(data_root='', ann_file=synthetic_corpus,
                              indices=16)
    cfg.train_dataloader.dataset.gloss_vocab = vocab_file
    cfg.train_dataloader.dataset.pipeline[1].max_frames = 64
    cfg.val_dataloader.dataset.pipeline[1].max_frames = 64
    cfg.train_cfg.max_epochs = 2
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.work_dir = str(tmp_path)
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.val_loop.run()
    assert {'cslr/wer', 'cslr/sub', 'cslr/del', 'cslr/ins'} <= set(metrics)
    assert metrics['cslr/wer'] >= 0
