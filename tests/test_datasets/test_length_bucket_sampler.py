"""LengthBucketSampler: disjoint equal rank shares, determinism, buckets."""
import numpy as np
import pytest
from mmengine.dataset import DefaultSampler
from mmengine.runner import Runner

from slp_mm.datasets import SignPoseDataset
from slp_mm.datasets.samplers import LengthBucketSampler
from slp_mm.datasets.samplers import length_bucket_sampler as lbs_module


class _Lengths:
    """A dataset stand-in: only its size and lengths matter."""

    def __init__(self, lengths):
        self._lengths = np.asarray(lengths)

    def __len__(self):
        return len(self._lengths)

    def __getitem__(self, idx):
        return int(self._lengths[idx])

    def lengths(self):
        return self._lengths


def _skewed(n=1000, seed=0):
    """Like SL-1.5M: most clips 25-100 frames, a tail beyond 300."""
    rng = np.random.default_rng(seed)
    short = rng.integers(25, 101, n)
    long = rng.integers(101, 400, n)
    return np.where(rng.random(n) < 0.85, short, long)


def _rank_indices(monkeypatch, dataset, world, epoch=0, **kwargs):
    """Indices of each of ``world`` simulated ranks."""
    shares = []
    for rank in range(world):
        monkeypatch.setattr(lbs_module, 'get_dist_info',
                            lambda r=rank: (r, world))
        sampler = LengthBucketSampler(dataset, seed=3, **kwargs)
        sampler.set_epoch(epoch)
        shares.append(list(sampler))
        assert len(shares[-1]) == len(sampler)
    return shares


def _padding(lengths, indices, batch_size):
    """Fraction of padded frames when batches are padded to their longest."""
    padded = real = 0
    for i in range(0, len(indices), batch_size):
        batch = lengths[indices[i:i + batch_size]]
        padded += batch.max() * len(batch)
        real += batch.sum()
    return 1 - real / padded


@pytest.mark.parametrize('n', [1000, 997])
def test_ranks_get_disjoint_equal_shares_covering_the_dataset(
        monkeypatch, n):
    dataset = _Lengths(_skewed(n))
    shares = _rank_indices(monkeypatch, dataset, 4, batch_size=16,
                           pool_batches=3)
    assert len({len(s) for s in shares}) == 1  # same size on every rank
    flat = sum(shares, [])
    assert set(flat) == set(range(n))  # every sample
    assert len(flat) - n == (-n) % 4  # repeats only to equalise the shares
    if n % 4 == 0:
        assert len(flat) == len(set(flat))  # disjoint


def test_deterministic_per_seed_and_epoch(monkeypatch):
    dataset = _Lengths(_skewed())
    kw = dict(batch_size=8, pool_batches=4)
    first = _rank_indices(monkeypatch, dataset, 2, epoch=1, **kw)
    assert _rank_indices(monkeypatch, dataset, 2, epoch=1, **kw) == first
    assert _rank_indices(monkeypatch, dataset, 2, epoch=2, **kw) != first


def test_batches_are_buckets_with_less_padding_than_random(monkeypatch):
    lengths = _skewed(2000)
    dataset = _Lengths(lengths)
    bs, world = 16, 2
    shares = _rank_indices(monkeypatch, dataset, world, batch_size=bs,
                           pool_batches=8)
    rand = []
    for rank in range(world):
        monkeypatch.setattr('mmengine.dataset.sampler.get_dist_info',
                            lambda r=rank: (r, world))
        sampler = DefaultSampler(dataset, seed=3)
        rand.append(list(sampler))
    bucketed = np.mean([_padding(lengths, s, bs) for s in shares])
    random = np.mean([_padding(lengths, s, bs) for s in rand])
    assert bucketed < random / 5, (bucketed, random)
    # the batches are shuffled: not in length order
    means = [lengths[shares[0][i:i + bs]].mean()
             for i in range(0, len(shares[0]), bs)]
    assert not np.all(np.diff(means) >= 0)


def test_incomplete_batch_comes_last(monkeypatch):
    dataset = _Lengths(_skewed(100))
    shares = _rank_indices(monkeypatch, dataset, 2, batch_size=8,
                           pool_batches=2)
    # 100 = 6 global batches of 16 + 4 leftovers (sorted together): each
    # rank gets 6 batches of 8, then its 2 of the leftovers
    assert [len(s) for s in shares] == [50, 50]
    last = sorted(shares[0][-2:] + shares[1][-2:],
                  key=lambda i: dataset.lengths()[i])
    assert shares[0][-2:] == last[:2] and shares[1][-2:] == last[2:]


def test_needs_lengths():
    with pytest.raises(TypeError, match='lengths'):
        LengthBucketSampler(list(range(4)), batch_size=2, seed=0)


def test_sign_pose_dataset_lengths_and_runner_dataloader(synthetic_corpus):
    dataset = SignPoseDataset(synthetic_corpus)
    lengths = dataset.lengths()
    assert len(lengths) == len(dataset) == 48
    for i in (0, 17, 47):
        assert lengths[i] == dataset.get_data_info(i)['num_frames']
    loader = Runner.build_dataloader(
        dict(
            batch_size=8,
            sampler=dict(type='LengthBucketSampler', batch_size=8),
            collate_fn=dict(type='pseudo_collate'),
            dataset=_Lengths(lengths)),
        seed=0)
    batches = list(loader)
    assert sorted(sum(batches, [])) == sorted(lengths.tolist())
    # one pool of 48: the DataLoader's batches are its sorted buckets of 8
    batches.sort(key=min)
    for batch, following in zip(batches, batches[1:]):
        assert sorted(batch) == batch and max(batch) <= min(following)
