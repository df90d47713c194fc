"""Corrupted shards are caught when a dataset opens the corpus (issue 18:
200 flipped bytes used to change 46 of 48 rows and train silently)."""
import os

import numpy as np
import pytest

import slp_mm.corpus.sign_corpus as sign_corpus
from slp_mm.corpus import SignCorpusWriter
from slp_mm.corpus.verified_shard_cache import VerifiedShardCache
from slp_mm.datasets import SignPoseDataset

from ..conftest import random_pose_sample


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    """12 samples in 3 shards of 4, and a private verified-shard cache."""
    monkeypatch.setenv('SLP_MM_CACHE_DIR', str(tmp_path / 'cache'))
    path = tmp_path / 'corpus'
    with SignCorpusWriter(str(path), samples_per_shard=4) as writer:
        writer.write_all(random_pose_sample(i) for i in range(12))
    return path


def _flip_bytes(file, count=200):
    """Flip ``count`` bytes in the middle of ``file``; its size stays."""
    data = bytearray(file.read_bytes())
    middle = len(data) // 2
    for i in range(middle - count // 2, middle + count // 2):
        data[i] ^= 0x5A
    file.write_bytes(bytes(data))


@pytest.fixture
def hashed(monkeypatch):
    """Names of the shard files hashed, in order."""
    files = []
    original = sign_corpus.file_sha256

    def counting(path, *args, **kwargs):
        files.append(os.path.basename(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(sign_corpus, 'file_sha256', counting)
    return files


def test_corrupted_shard_stops_the_dataset_by_default(corpus):
    _flip_bytes(corpus / 'shard-00001.arrow')
    dataset = SignPoseDataset(ann_file=str(corpus), lazy_init=True)
    with pytest.raises(IOError,
                       match=r'shard-00001\.arrow does not match its SHA-256'
                       r'.*corrupt_shards'):
        dataset.full_init()


def test_skip_mode_drops_only_the_corrupt_shard(corpus):
    _flip_bytes(corpus / 'shard-00001.arrow')
    dataset = SignPoseDataset(ann_file=str(corpus), corrupt_shards='skip')
    assert len(dataset) == 8
    ids = [dataset.get_data_info(i)['id'] for i in range(len(dataset))]
    assert ids == [f'v{i}' for i in (0, 1, 2, 3, 8, 9, 10, 11)]
    np.testing.assert_array_equal(dataset.lengths(), [6] * 8)


def test_verified_shards_are_hashed_once_until_they_change(corpus, hashed):
    SignPoseDataset(ann_file=str(corpus)).full_init()
    assert sorted(hashed) == [f'shard-0000{i}.arrow' for i in range(3)]
    SignPoseDataset(ann_file=str(corpus)).full_init()
    assert len(hashed) == 3  # all three from the cache
    # a rewritten shard (same size, new mtime) is hashed again, and caught
    shard = corpus / 'shard-00002.arrow'
    _flip_bytes(shard)
    os.utime(shard, ns=(1, 1))
    with pytest.raises(IOError, match='shard-00002'):
        SignPoseDataset(ann_file=str(corpus)).full_init()
    assert hashed[3:] == ['shard-00002.arrow']


@pytest.mark.parametrize('mode,expected', [('always', 6), ('off', 0)])
def test_verify_modes(corpus, hashed, mode, expected):
    for _ in range(2):
        SignPoseDataset(ann_file=str(corpus), verify_shards=mode).full_init()
    assert len(hashed) == expected


def test_ranks_start_at_different_shards(corpus, hashed, monkeypatch):
    from slp_mm.corpus import SignCorpus
    monkeypatch.setenv('RANK', '1')
    monkeypatch.setenv('WORLD_SIZE', '2')
    assert SignCorpus(str(corpus)).check_integrity(threads=1) == {}
    assert hashed == ['shard-00001.arrow', 'shard-00002.arrow',
                      'shard-00000.arrow']


def test_unwritable_cache_only_costs_rehashing(corpus, tmp_path, hashed):
    blocker = tmp_path / 'file'
    blocker.write_text('not a folder')
    cache = VerifiedShardCache(str(blocker))
    from slp_mm.corpus import SignCorpus
    assert SignCorpus(str(corpus)).check_integrity(cache) == {}
    assert SignCorpus(str(corpus)).check_integrity(cache) == {}
    assert len(hashed) == 6


@pytest.mark.parametrize('key', ['verify_shards', 'corrupt_shards'])
def test_mode_typo_names_the_key(corpus, key):
    with pytest.raises(ValueError, match=f"{key} must be one of"):
        SignPoseDataset(ann_file=str(corpus), **{key: 'cahced'})
