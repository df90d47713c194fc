"""tools/data/verify_corpus.py: OK only when every shard was compared in
full against its manifest entry."""
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest

from slp_mm.corpus import SignCorpusWriter
from ..conftest import REPO

TOOL = osp.join(REPO, 'tools', 'data', 'verify_corpus.py')


@pytest.fixture
def corpus(tmp_path):
    """Two shards, of 2 and 1 samples."""
    rng = np.random.default_rng(0)
    with SignCorpusWriter(str(tmp_path), samples_per_shard=2) as w:
        for i in range(3):
            w.write(dict(id=f'v{i}', keypoints=rng.uniform(
                0, 99, (4, 133, 2)), scores=np.ones((4, 133)), width=100,
                         height=100, fps=25.0))
    return tmp_path


def _verify(path):
    """(exit status, what it printed), the tool run as a program."""
    proc = subprocess.run([sys.executable, TOOL, str(path)],
                          capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=REPO))
    return proc.returncode, proc.stdout + proc.stderr


def _edit_manifest(path, edit):
    manifest = json.loads((path / 'corpus.json').read_text())
    edit(manifest)
    (path / 'corpus.json').write_text(json.dumps(manifest))


def test_intact_corpus_is_ok(corpus):
    assert _verify(corpus) == (0, 'OK: 2 shards, 3 samples\n')


@pytest.mark.parametrize('unrecord', [
    lambda shard: shard.update(sha256=None),
    lambda shard: shard.pop('sha256'),
    lambda shard: shard.update(bytes=None, sha256=None),
    lambda shard: shard.pop('bytes'),
])
def test_shard_without_size_or_checksum_is_unverified(corpus, unrecord):
    _edit_manifest(corpus, lambda m: unrecord(m['shards'][1]))
    status, out = _verify(corpus)
    assert status == 1 and 'OK' not in out
    assert 'shard-00001.arrow cannot be verified: the manifest records ' \
        'no' in out and 'shard-00000' not in out


def test_wrong_row_counts_fail(corpus):
    # the total stays consistent, so the manifest itself opens
    def move_a_row(manifest):
        manifest['shards'][0]['num_samples'] = 1
        manifest['shards'][1]['num_samples'] = 2

    _edit_manifest(corpus, move_a_row)
    status, out = _verify(corpus)
    assert status == 1 and 'OK' not in out
    assert 'shard-00000.arrow has 2 rows, the manifest says 1' in out
    assert 'shard-00001.arrow has 1 rows, the manifest says 2' in out
