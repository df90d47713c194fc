"""The two SLT scoring protocols: every figure of the reference table in
../shared/data/slt-eval-references (scores that the public scorers give
Uni-Sign's test outputs), and each rule on hand-computed cases."""
import math
import os.path as osp
import re

import pytest

from slp_mm.evaluation.functional import (lcs_length, read_translation_file,
                                          read_translation_pairs,
                                          rouge_l_sentence_level,
                                          rouge_l_summary_level,
                                          score_translations)

from ..conftest import shared_file

REFERENCES = 'slt-eval-references'
LANGUAGES = {'unisign-csl-daily-test': 'zh', 'unisign-how2sign-test': 'en'}


def _reference_table():
    """Rows ``(file, n, protocol, {bleu1..4, rouge_l})`` of SOURCE.md."""
    with open(shared_file(REFERENCES, 'SOURCE.md'), encoding='utf-8') as f:
        rows = re.findall(r'^\| (unisign-\S+) \| (\d+) \| (\S+) \|(.*)\|$',
                          f.read(), re.M)
    assert len(rows) == 4, rows
    keys = ('bleu1', 'bleu2', 'bleu3', 'bleu4', 'rouge_l')
    return [(name, int(n), protocol,
             dict(zip(keys, map(float, cells.split('|')))))
            for name, n, protocol, cells in rows]


def test_reproduces_every_figure_of_the_public_scorers():
    table = _reference_table()
    for name, n, protocol, expected in table:
        path = osp.join(osp.dirname(shared_file(REFERENCES, 'SOURCE.md')),
                        name)
        ids, hyps, refs = read_translation_pairs(f'{path}.predictions.txt',
                                                 f'{path}.references.txt')
        assert len(ids) == n
        scores = score_translations(hyps, refs, LANGUAGES[name], protocol)
        assert scores == pytest.approx(expected, abs=0.01), (name, protocol)


def test_the_metric_gives_the_same_figures():
    """How2Sign holds no character that NFKC changes, so TranslationMetric
    (which normalises) must give the public scorers' figures too."""
    from slp_mm.evaluation import TranslationMetric
    name = 'unisign-how2sign-test'
    path = osp.join(osp.dirname(shared_file(REFERENCES, 'SOURCE.md')), name)
    ids, hyps, refs = read_translation_pairs(f'{path}.predictions.txt',
                                             f'{path}.references.txt')
    for row_name, _, protocol, expected in _reference_table():
        if row_name != name:
            continue
        metric = TranslationMetric(language='en', protocol=protocol)
        metric.process(None, [
            dict(sample_id=i, text=r, pred_text=h)
            for i, h, r in zip(ids, hyps, refs)
        ])
        assert metric.compute_metrics(metric.results) == pytest.approx(
            {
                f'{protocol}/{k}': v
                for k, v in expected.items()
            }, abs=0.01)


def test_lcs_length():
    assert lcs_length('abcbdab', 'bdcaba') == 4  # 'bcba'
    assert lcs_length([], ['a']) == 0
    assert lcs_length(['a', 'b'], ['b', 'a']) == 1


def test_rouge_l_sentence_level_by_hand():
    # LCS 'the cat on mat' = 4: P = 1, R = 4 / 6; beta = P / R = 3 / 2:
    # F = (1 + 9/4) * 1 * 2/3 / (2/3 + 9/4) = 26 / 35 (F1 would be 0.8)
    ref = 'the cat sat on the mat'
    assert rouge_l_sentence_level('the cat on mat',
                                  ref) == pytest.approx(26 / 35)
    # every word counts, repeats too: LCS 1, P = 1/3, R = 1/2, beta = 2/3:
    # F = (1 + 4/9) / 6 / (1/2 + 4/27) = 13 / 35
    assert rouge_l_sentence_level('the the the',
                                  'the cat') == pytest.approx(13 / 35)
    # whitespace-split words: 'b.' is not 'b'; LCS 'a d': P = R = 1/2
    assert rouge_l_sentence_level('a b. c d', 'a c. b d') == pytest.approx(0.5)
    assert rouge_l_sentence_level(ref, ref) == pytest.approx(1.0)
    assert rouge_l_sentence_level('', ref) == 0.0
    assert rouge_l_sentence_level('dog', ref) == 0.0


def test_rouge_l_summary_level_by_hand():
    # distinct words: 5 in the reference, 4 in the hypothesis, union LCS 4:
    # P = 1, R = 4/5, F1 = 8/9
    ref = 'the cat sat on the mat'
    assert rouge_l_summary_level('the cat on mat', ref) == pytest.approx(8 / 9)
    # distinct words again: {the} against {the, cat}: P = 1, R = 1/2
    assert rouge_l_summary_level('the the the',
                                 'the cat') == pytest.approx(2 / 3)
    # sentences end at '.': 'a c' takes {a, c} from 'a b' and 'c d', then
    # 'b d' takes {b, d}: union LCS 4 of 4 distinct words on each side
    assert rouge_l_summary_level('a b. c d', 'a c. b d') == pytest.approx(1.0)
    # the package raises on a hypothesis without a sentence
    assert rouge_l_summary_level('', ref) == 0.0
    assert rouge_l_summary_level('..', ref) == 0.0


def test_bleu_smoothing_and_effective_order():
    ref = ['the cat sat on the mat']
    # brevity penalty exp(1 - 6/3); all 1..3-grams match, no 4-gram at
    # all: 'slrt' takes the 3 orders there are, 'uni-sign' scores 0
    slrt = score_translations(['the cat sat'], ref, 'en', 'slrt')
    uni = score_translations(['the cat sat'], ref, 'en', 'uni-sign')
    for n in (1, 2, 3):
        assert slrt[f'bleu{n}'] == uni[f'bleu{n}'] == pytest.approx(
            100 * math.exp(-1))
    assert slrt['bleu4'] == pytest.approx(100 * math.exp(-1))
    assert uni['bleu4'] == 0.0
    # precisions 3/4, 1/3, 0/2, 0/1: floor smoothing with 0 leaves BLEU-3
    # and BLEU-4 at 0; exponential smoothing counts the 3-gram as 1/(2*2)
    # and the 4-gram as 1/(4*1)
    slrt = score_translations(['a b c d'], ['a b x d'], 'en', 'slrt')
    uni = score_translations(['a b c d'], ['a b x d'], 'en', 'uni-sign')
    assert [slrt[f'bleu{n}']
            for n in range(1, 5)] == pytest.approx([75, 50, 0, 0])
    assert [uni[f'bleu{n}'] for n in range(1, 5)] == pytest.approx([
        75, 50, 100 * (3 / 4 * 1 / 3 * 1 / 4)**(1 / 3), 100 * (1 / 64)**(1 / 4)
    ])


def test_tokenisation_of_each_protocol():
    # 13a splits the full stop off: 2 of 3 tokens, brevity exp(1 - 3/2);
    # untokenised, 'rains.' is not 'rains': 1 of 2
    assert score_translations(['it rains'], ['it rains.'], 'en',
                              'uni-sign')['bleu1'] == pytest.approx(
                                  100 * math.exp(-0.5))
    slrt = score_translations(['it rains'], ['it rains.'], 'en', 'slrt')
    assert slrt['bleu1'] == pytest.approx(50.0)
    assert slrt['rouge_l'] == pytest.approx(50.0)
    # the mean of sentence ROUGE-L: (26/35 + 1) / 2
    slrt = score_translations(['the cat on mat', 'es regnet'],
                              ['the cat sat on the mat', 'es regnet'], 'de',
                              'slrt')
    assert slrt['rouge_l'] == pytest.approx(100 * (26 / 35 + 1) / 2)


def test_chinese_characters_and_punctuation():
    # characters, whitespace dropped; Uni-Sign turns the reference's '？'
    # into '?', the SLRT scorer does not: 5 of 6 characters match
    hyp, ref = ['今天 星期几?'], ['今天星期几？']
    uni = score_translations(hyp, ref, 'zh', 'uni-sign')
    slrt = score_translations(hyp, ref, 'zh', 'slrt')
    assert uni == pytest.approx(
        dict(bleu1=100, bleu2=100, bleu3=100, bleu4=100, rouge_l=100))
    assert slrt['bleu1'] == pytest.approx(100 * 5 / 6)
    assert slrt['rouge_l'] == pytest.approx(100 * 5 / 6)
    # '！' stays in the reference for both: the NFKC output '!' misses it
    # unless both sides are normalised
    hyp, ref = ['请保持安静!'], ['请保持安静！']
    for protocol in ('slrt', 'uni-sign'):
        raw = score_translations(hyp, ref, 'zh', protocol)
        assert raw['bleu1'] == pytest.approx(100 * 5 / 6)
        normalised = score_translations(hyp, ref, 'zh', protocol, nfkc=True)
        assert normalised['bleu4'] == pytest.approx(100.0)
        assert normalised['rouge_l'] == pytest.approx(100.0)


def test_scoring_errors():
    with pytest.raises(ValueError, match="'bleurt'.*slrt, uni-sign"):
        score_translations(['a'], ['a'], 'en', 'bleurt')
    with pytest.raises(ValueError, match="'fr'"):
        score_translations(['a'], ['a'], 'fr')
    with pytest.raises(ValueError, match='2 hypotheses but 1 references'):
        score_translations(['a', 'b'], ['a'], 'en')
    with pytest.raises(ValueError, match=r'references \[1\] are empty'):
        score_translations(['a', 'b'], ['a', ' '], 'en')


def _write(path, lines):
    path.write_text(''.join(line + '\n' for line in lines), encoding='utf-8')
    return str(path)


def test_reads_one_sentence_a_line(tmp_path):
    hyp = _write(tmp_path / 'hyp.txt', ['es regnet .', ''])
    ref = _write(tmp_path / 'ref.txt', ['es regnet .', 'heute sonne .'])
    assert read_translation_pairs(hyp,
                                  ref) == (['1', '2'], ['es regnet .', ''],
                                           ['es regnet .', 'heute sonne .'])
    short = _write(tmp_path / 'short.txt', ['es regnet .'])
    with pytest.raises(ValueError, match='hyp.txt has 2 lines but .*short'):
        read_translation_pairs(hyp, short)


def test_reads_sample_lines_and_pairs_them_by_id(tmp_path):
    hyp = _write(
        tmp_path / 'hyp.txt',
        ['sample: b-1.mp4, prediction: Hi, there!', 'sample: a, prediction:'])
    ref = _write(tmp_path / 'ref.txt', [
        'sample: a, ground-truth: Hello.', 'sample: b-1.mp4, ground-truth: '
        'Hi: you!'
    ])
    assert read_translation_file(hyp) == (['b-1.mp4', 'a'], ['Hi, there!', ''])
    assert read_translation_pairs(hyp,
                                  ref) == (['a',
                                            'b-1.mp4'], ['', 'Hi, there!'],
                                           ['Hello.', 'Hi: you!'])
    other = _write(tmp_path / 'other.txt', ['sample: c, prediction: x'])
    with pytest.raises(ValueError, match="other.txt has no line for 2 .*'a'"):
        read_translation_pairs(other, ref)
    twice = _write(tmp_path / 'twice.txt',
                   ['sample: a, prediction: x', 'sample: a, prediction: y'])
    with pytest.raises(ValueError,
                       match="twice.txt, line 2: sample 'a' "
                       'appears twice'):
        read_translation_file(twice)
    mixed = _write(tmp_path / 'mixed.txt',
                   ['sample: a, prediction: x', 'just a sentence'])
    with pytest.raises(ValueError, match="mixed.txt, line 2: expected"):
        read_translation_file(mixed)
    plain = _write(tmp_path / 'plain.txt', ['Hello.', 'Hi: you!'])
    with pytest.raises(ValueError, match='one holds "sample'):
        read_translation_pairs(plain, ref)
    with pytest.raises(ValueError, match='empty.txt: empty file'):
        read_translation_file(_write(tmp_path / 'empty.txt', []))
