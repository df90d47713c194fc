"""Damaged sign corpora: a changed shard byte is caught by the size or
SHA-256 check with the shard named; a damaged manifest is refused naming
it, or the corpus still reads every row it lists."""
import json
import os.path as osp
import shutil
import tempfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slp_mm.corpus import SignCorpus
from slp_mm.corpus.sign_corpus import MANIFEST, SignCorpusWriter
from .case_outcomes import count, read_or_refuse
from .mutations import damaged_bytes, damaged_json

NUM_SAMPLES, PER_SHARD = 5, 3


@pytest.fixture(scope='module')
def corpus(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('corpus') / 'corpus')
    rng = np.random.default_rng(0)
    with SignCorpusWriter(path, samples_per_shard=PER_SHARD,
                          batch_size=2) as writer:
        for i in range(NUM_SAMPLES):
            writer.write(
                dict(id=f's{i}', text=f'sentence {i}', width=64.0,
                     height=48.0, fps=25.0,
                     keypoints=rng.uniform(0, 48, (i + 1, 133, 2)),
                     scores=rng.uniform(0, 1, (i + 1, 133))))
    return path


def _read_all(path, verify):
    corpus = SignCorpus(path, verify=verify)
    rows = [corpus[i] for i in range(len(corpus))]
    if verify:
        corpus.verify()
    return rows


@given(shard=st.integers(0, 1), data=st.data())
def test_damaged_shard_is_caught_and_named(corpus, shard, data):
    with tempfile.TemporaryDirectory() as tmp:
        path = shutil.copytree(corpus, osp.join(tmp, 'corpus'))
        file = osp.join(path, f'shard-{shard:05d}.arrow')
        with open(file, 'rb') as f:
            damaged = data.draw(damaged_bytes(f.read()), label='shard')
        with open(file, 'wb') as f:
            f.write(damaged)
        with pytest.raises(IOError, match=f'{file} .*(bytes|SHA-256)'):
            _read_all(path, verify=True)
    count('corpus shard', 'caught')


@given(data=st.data())
def test_damaged_manifest_is_refused_or_consistent(corpus, data):
    with open(osp.join(corpus, MANIFEST)) as f:
        manifest = json.load(f)
    with tempfile.TemporaryDirectory() as tmp:
        path = shutil.copytree(corpus, osp.join(tmp, 'corpus'))
        with open(osp.join(path, MANIFEST), 'w') as f:
            f.write(data.draw(damaged_json(st.just(manifest)),
                              label='manifest'))
        # every message names the manifest or a shard of this corpus
        rows = read_or_refuse('corpus manifest',
                              lambda: _read_all(path, verify=True), path,
                              errors=(ValueError, OSError))
    if rows is not None:
        assert [r['id'] for r in rows] == [f"s{i}" for i in range(NUM_SAMPLES)]
        assert [r['keypoints'].shape for r in rows] == \
            [(i + 1, 133, 2) for i in range(NUM_SAMPLES)]
