import json
import math
import os.path as osp

import pytest
import sacrebleu
from sacrebleu.metrics import BLEU

from slp_mm.evaluation import TranslationMetric
from slp_mm.evaluation.functional import score_translations
from slp_mm.structures import SignDataSample

from ..conftest import shared_file


def _score(pairs, language='de', as_elements=False, protocol='slrt'):
    """pairs: (reference, hypothesis)."""
    metric = TranslationMetric(language=language, protocol=protocol)
    samples = []
    for i, (ref, hyp) in enumerate(pairs):
        if as_elements:
            sample = SignDataSample(metainfo=dict(sample_id=f's{i}', text=ref))
            sample.pred_text = hyp
            samples.append(sample)
        else:
            samples.append(dict(sample_id=f's{i}', text=ref, pred_text=hyp))
    metric.process(None, samples)
    return metric.compute_metrics(metric.results)


GERMAN = [
    ('am tag regnet es im süden .', 'am tag regnet es im norden .'),
    ('morgen wird es kälter , vor allem im osten .',
     'morgen wird es kalt im osten .'),
    ('heute nacht schneit es in den alpen .', 'heute schneit es .'),
]


def test_keys_name_the_protocol_and_slrt_is_the_default():
    assert TranslationMetric().protocol == 'slrt'
    for protocol in ('slrt', 'uni-sign'):
        assert set(_score(GERMAN, protocol=protocol)) == {
            f'{protocol}/bleu{n}'
            for n in range(1, 5)
        } | {f'{protocol}/rouge_l'}
    with pytest.raises(ValueError, match="'bleurt'"):
        TranslationMetric(protocol='bleurt')


def test_bleu_equals_sacrebleu_under_each_protocol():
    refs, hyps = zip(*GERMAN)
    uni = _score(GERMAN, protocol='uni-sign')
    slrt = _score(GERMAN, protocol='slrt')
    assert uni['uni-sign/bleu4'] == pytest.approx(
        sacrebleu.corpus_bleu(list(hyps), [list(refs)]).score)
    for n in (1, 2, 3, 4):
        assert uni[f'uni-sign/bleu{n}'] == pytest.approx(
            BLEU(max_ngram_order=n).corpus_score(list(hyps),
                                                 [list(refs)]).score)
        assert slrt[f'slrt/bleu{n}'] == pytest.approx(
            BLEU(max_ngram_order=n,
                 tokenize='none',
                 smooth_method='floor',
                 smooth_value=0,
                 effective_order=True).corpus_score(list(hyps),
                                                    [list(refs)]).score)
    assert slrt['slrt/bleu1'] > slrt['slrt/bleu4'] > 0


def test_hand_computed_bleu_and_rouge():
    # all 3 unigrams and 2 bigrams match; brevity penalty exp(1 - 6 / 3)
    m = _score([('the cat sat on the mat', 'the cat sat')], language='en')
    assert m['slrt/bleu1'] == pytest.approx(100 * math.exp(-1))
    assert m['slrt/bleu2'] == pytest.approx(100 * math.exp(-1))
    # LCS 'the cat on mat' = 4 of 4 hypothesis and 6 reference words:
    # tensorflow-nmt F with beta = P / R is 26 / 35; the rouge package's F1
    # over the 5 distinct reference words 8 / 9
    pair = ('the cat sat on the mat', 'the cat on mat')
    assert _score([pair], language='en')['slrt/rouge_l'] == pytest.approx(
        100 * 26 / 35)
    assert _score([pair], 'en',
                  protocol='uni-sign')['uni-sign/rouge_l'] == pytest.approx(
                      100 * 8 / 9)
    # sentence scores are averaged: (26 / 35 + 1) / 2
    m = _score([pair, ('it rains .', 'it rains .')], language='en')
    assert m['slrt/rouge_l'] == pytest.approx(100 * (26 / 35 + 1) / 2)
    same = 'morgen regnet es im norden .'
    assert _score([(same, same)])['slrt/bleu4'] == pytest.approx(100.0)


def test_german_words_stay_whole():
    # a tokenizer keeping only [a-z0-9] would split 'grüße' / 'grüne' at 'ü'
    # and find the common token 'gr'
    for protocol in ('slrt', 'uni-sign'):
        m = _score([('grüße', 'grüne')], protocol=protocol)
        assert m[f'{protocol}/rouge_l'] == 0.0


def test_chinese_is_scored_by_character():
    pairs = [('今天下雨。', '今天 雨。'), ('明天很冷', '明天冷')]
    refs, hyps = zip(*pairs)
    m = _score(pairs, language='zh')
    chars = [' '.join(s.replace(' ', '')) for s in hyps]
    ref_chars = [' '.join(s) for s in refs]
    assert m['slrt/bleu4'] == pytest.approx(
        BLEU(tokenize='none',
             smooth_method='floor',
             smooth_value=0,
             effective_order=True).corpus_score(chars, [ref_chars]).score)
    # LCS 4 of 5 and 3 of 4 characters, P = 1: with b = P / R,
    # F = (1 + b^2) P R / (R + b^2 P) = 164 / 189 and 75 / 91
    assert m['slrt/rouge_l'] == pytest.approx(100 * (164 / 189 + 75 / 91) / 2)


@pytest.mark.slow
def test_a_perfect_output_scores_100_on_real_csl_daily_sentences():
    """The tokenizer NFKC-normalises the decoder's targets, so a perfect
    decoder gives CSL-Daily's '，？！' back as ',?!'; the public scorers
    (no NFKC) would count every '！' as an error."""
    from tokenizers.normalizers import NFKC

    from slp_mm.preparation.converters.csl_daily import load_csl_daily
    ann_dir = osp.dirname(shared_file('csl-daily', 'csl-daily.corpus.csv'))
    refs = [
        r['text']
        for r in load_csl_daily(ann_dir, splits=('test', )).records['test']
    ]
    assert len(refs) > 1000 and any('！' in r for r in refs)
    hyps = [NFKC().normalize_str(r) for r in refs]
    for protocol in ('slrt', 'uni-sign'):
        metric = TranslationMetric(language='zh', protocol=protocol)
        for hyp_texts in (hyps, refs):
            metric.results = [
                dict(sample_id=str(i), ref=r, hyp=h)
                for i, (r, h) in enumerate(zip(refs, hyp_texts))
            ]
            scores = metric.compute_metrics(metric.results)
            assert scores == pytest.approx({k: 100.0
                                            for k in scores}), protocol
        assert score_translations(hyps, refs, 'zh', protocol)['bleu4'] < 100


def test_data_elements_and_errors():
    assert _score(GERMAN, as_elements=True) == _score(GERMAN)
    for protocol in ('slrt', 'uni-sign'):
        assert _score([('es regnet .', '')],
                      protocol=protocol)[f'{protocol}/rouge_l'] == 0.0
    with pytest.raises(ValueError, match="'s0'.*'pred_text'"):
        _score([('es regnet .', None)])
    with pytest.raises(ValueError, match="'s0'.*empty"):
        _score([(' ', 'es regnet .')])
    with pytest.raises(ValueError, match="'fr'"):
        TranslationMetric(language='fr')


def test_predictions_are_written_per_evaluation(tmp_path):
    metric = TranslationMetric(language='de', output_dir=str(tmp_path))
    for _ in range(2):
        metric.process(None, [
            dict(sample_id='b', text='es regnet .', pred_text='es regnet .'),
            dict(sample_id='a', text='heute sonne', pred_text='heute')
        ])
        metric.compute_metrics(metric.results)
        metric.results.clear()
    lines = (tmp_path / 'predictions_2.jsonl').read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        dict(sample_id='a', ref='heute sonne', hyp='heute'),
        dict(sample_id='b', ref='es regnet .', hyp='es regnet .')
    ]
    assert (tmp_path / 'predictions_1.jsonl').exists()
