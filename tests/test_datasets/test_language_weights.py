"""SignPoseDataset(language_weights=...): the paper's up-weighting of
low-resource languages by repeating indexes, not pose data."""
from collections import Counter

import numpy as np
import pytest

from slp_mm.corpus import SignCorpus
from slp_mm.datasets import SignPoseDataset


def _languages(dataset):
    column = np.array(dataset.corpus.column('language'), dtype=object)
    return Counter(column[dataset._indexes].tolist())


def test_language_weights_repeat_and_subsample(synthetic_corpus):
    base = SignPoseDataset(ann_file=synthetic_corpus, pipeline=[])
    counts = _languages(base)
    assert len(counts) >= 2
    low, high = sorted(counts, key=counts.get)[:2]
    weights = {low: 2.5, high: 0.5}
    ds = SignPoseDataset(ann_file=synthetic_corpus, pipeline=[],
                         language_weights=weights)
    got = _languages(ds)
    for lang, n in counts.items():
        w = weights.get(lang, 1.0)
        assert got[lang] == int(w * n + 0.5), lang  # round half up
    assert len(ds) == sum(got.values())
    # every repeated row is a row of the corpus, each at most ceil(w) times
    reps = Counter(ds._indexes.tolist())
    lang_of = np.array(SignCorpus(synthetic_corpus).column('language'),
                       dtype=object)
    for row, k in reps.items():
        assert k <= int(np.ceil(weights.get(lang_of[row], 1.0)))
    # seeded: the same subset every run, another seed another one
    again = SignPoseDataset(ann_file=synthetic_corpus, pipeline=[],
                            language_weights=weights)
    np.testing.assert_array_equal(ds._indexes, again._indexes)
    other = SignPoseDataset(ann_file=synthetic_corpus, pipeline=[],
                            language_weights=weights, fraction_seed=7)
    assert not np.array_equal(ds._indexes, other._indexes)
    # lengths() (for LengthBucketSampler) follows the repeats
    assert len(ds.lengths()) == len(ds)
    assert ds[0]['id'] == SignCorpus(synthetic_corpus)[int(
        ds._indexes[0])]['id']


def test_bad_language_weights_are_refused(synthetic_corpus):
    for bad in (-1, float('inf'), float('nan'), 'two'):
        with pytest.raises(ValueError, match="weight of 'zh'"):
            SignPoseDataset(ann_file=synthetic_corpus, pipeline=[],
                            language_weights={'zh': bad})
