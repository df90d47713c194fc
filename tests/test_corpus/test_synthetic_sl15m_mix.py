"""The SL-1.5M-like synthetic mix that rehearses the paper's run."""
from collections import Counter

import pytest

from slp_mm.corpus.synthetic_sign_corpus import (SL15M_SOURCES,
                                                 build_synthetic_corpus,
                                                 generate_sl15m_samples)


@pytest.fixture(scope='module')
def samples():
    return list(generate_sl15m_samples(40, seed=0))


def test_every_source_in_its_share(samples):
    counts = Counter(s['dataset'] for s in samples)
    # 40 x shares 0.1 / 0.15: 4 per source, 6 for BOBSL and PHOENIX-2014
    assert counts == {
        name: 6 if share == 0.15 else 4
        for name, _, _, _, share in SL15M_SOURCES
    }
    assert len({s['id'] for s in samples}) == 40


def test_kinds_languages_and_lengths(samples):
    for s in samples:
        frames = len(s['keypoints'])
        if s['dataset'] == 'synthetic-phoenix2014':
            assert s['text'] is None and s['language'] == 'de'
            assert 100 <= frames <= 400
        elif s['label'] is not None:  # isolated
            assert s['language'] in ('en', 'zh')
            assert 30 <= frames <= 100
        else:
            assert s['text'] is not None and len(s['gloss']) >= 4
            assert 100 <= frames <= 400
    assert any(len(s['keypoints']) > 256 for s in samples)
    assert {s['language'] for s in samples} == {'en', 'de', 'zh'}


def test_isolated_words_come_back_with_the_template(samples):
    wlasl = [s['text'] for s in samples if s['dataset'] == 'synthetic-wlasl']
    assert wlasl == ['This word is apple.'] * 3 + ['This word is house.']
    slr500 = [s['text'] for s in samples if s['dataset'] == 'synthetic-slr500']
    assert slr500 == ['这个词是苹果。'] * 3 + ['这个词是房子。']


def test_unknown_mix_is_refused(tmp_path):
    with pytest.raises(ValueError, match="'sl1.5m'.*'demo', 'sl15m'"):
        build_synthetic_corpus(str(tmp_path / 'corpus'), mix='sl1.5m')
