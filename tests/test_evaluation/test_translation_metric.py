import math

import pytest
import sacrebleu
from sacrebleu.metrics import BLEU

from slp_mm.evaluation import TranslationMetric
from slp_mm.structures import SignDataSample


def _score(pairs, language='de', as_elements=False):
    """pairs: (reference, hypothesis)."""
    metric = TranslationMetric(language=language)
    samples = []
    for i, (ref, hyp) in enumerate(pairs):
        meta = dict(sample_id=f's{i}', text=ref, pred_text=hyp)
        samples.append(SignDataSample(metainfo=meta) if as_elements else meta)
    metric.process(None, samples)
    return metric.compute_metrics(metric.results)


GERMAN = [
    ('am tag regnet es im süden .', 'am tag regnet es im norden .'),
    ('morgen wird es kälter , vor allem im osten .',
     'morgen wird es kalt im osten .'),
    ('heute nacht schneit es in den alpen .', 'heute schneit es .'),
]


def test_bleu4_matches_sacrebleu():
    refs, hyps = zip(*GERMAN)
    m = _score(GERMAN)
    assert m['bleu4'] == pytest.approx(
        sacrebleu.corpus_bleu(list(hyps), [list(refs)]).score)
    for n in (1, 2, 3):
        assert m[f'bleu{n}'] == pytest.approx(
            BLEU(max_ngram_order=n).corpus_score(list(hyps),
                                                 [list(refs)]).score)
    assert m['bleu1'] > m['bleu2'] > m['bleu3'] > m['bleu4'] > 0


def test_hand_computed_bleu_and_rouge():
    # all 3 unigrams and 2 bigrams match; brevity penalty exp(1 - 6 / 3)
    m = _score([('the cat sat on the mat', 'the cat sat')], language='en')
    assert m['bleu1'] == pytest.approx(100 * math.exp(-1))
    assert m['bleu2'] == pytest.approx(100 * math.exp(-1))
    # LCS 'the cat on mat' = 4: P = 4 / 4, R = 4 / 6, F1 = 0.8
    m = _score([('the cat sat on the mat', 'the cat on mat')], language='en')
    assert m['rouge_l'] == pytest.approx(80.0)
    # sentence F1s are averaged: (80 + 100) / 2
    m = _score([('the cat sat on the mat', 'the cat on mat'),
                ('it rains .', 'it rains .')], language='en')
    assert m['rouge_l'] == pytest.approx(90.0)
    same = 'morgen regnet es im norden .'
    assert _score([(same, same)])['bleu4'] == pytest.approx(100.0)


def test_german_words_stay_whole():
    # rouge-score's own tokenizer would split 'grüße' / 'grüne' at 'ü' and
    # find the common token 'gr'
    assert _score([('grüße', 'grüne')])['rouge_l'] == 0.0


def test_chinese_is_scored_by_character():
    pairs = [('今天下雨。', '今天 雨。'), ('明天很冷', '明天冷')]
    refs, hyps = zip(*pairs)
    m = _score(pairs, language='zh')
    chars = [' '.join(s.replace(' ', '')) for s in hyps]
    ref_chars = [' '.join(s) for s in refs]
    assert m['bleu4'] == pytest.approx(
        sacrebleu.corpus_bleu(chars, [ref_chars], tokenize='none').score)
    # LCS 4 of 5 and 3 of 4 characters, precision 1
    f1 = [2 * 0.8 / 1.8, 2 * 0.75 / 1.75]
    assert m['rouge_l'] == pytest.approx(100 * sum(f1) / 2)


def test_data_elements_and_errors():
    assert _score(GERMAN, as_elements=True) == _score(GERMAN)
    assert _score([('es regnet .', '')])['rouge_l'] == 0.0
    with pytest.raises(ValueError, match="'s0'.*'pred_text'"):
        _score([('es regnet .', None)])
    with pytest.raises(ValueError, match="'s0'.*empty"):
        _score([(' ', 'es regnet .')])
    with pytest.raises(ValueError, match="'fr'"):
        TranslationMetric(language='fr')


def test_predictions_are_written_per_evaluation(tmp_path):
    import json

    from slp_mm.evaluation import TranslationMetric
    metric = TranslationMetric(language='de', output_dir=str(tmp_path))
    for _ in range(2):
        metric.process(None, [dict(sample_id='b', text='es regnet .',
                                   pred_text='es regnet .'),
                              dict(sample_id='a', text='heute sonne',
                                   pred_text='heute')])
        metric.compute_metrics(metric.results)
        metric.results.clear()
    lines = (tmp_path / 'predictions_2.jsonl').read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        dict(sample_id='a', ref='heute sonne', hyp='heute'),
        dict(sample_id='b', ref='es regnet .', hyp='es regnet .')]
    assert (tmp_path / 'predictions_1.jsonl').exists()
