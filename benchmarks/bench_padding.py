"""Padding waste and training throughput of random batches (mmengine's
DefaultSampler) vs length-bucketed ones (LengthBucketSampler), on a
synthetic length distribution like SL-1.5M's (most clips 25-100 frames, a
tail beyond 300).

    python benchmarks/bench_padding.py --samples 50000 --world 8 \
        --batch 64

Padding: the fraction of padded frames over all batches of all ranks, each
batch padded to its longest clip after ``TemporalSample``'s crop to
``--max-frames``. Throughput: real frames per second through a small
transformer encoder (training mode, so padding is computed, as in
pre-training) over the first ``--steps`` batches of rank 0.
"""
import argparse
import time
from unittest import mock

import numpy as np
import torch
from mmengine.dataset import DefaultSampler

from slp_mm.datasets.samplers import LengthBucketSampler
from synthetic_clips import paper_like_lengths


class _Lengths:
    """Stands in for a dataset: only its size and lengths matter."""

    def __init__(self, lengths):
        self._lengths = lengths

    def __len__(self):
        return len(self._lengths)

    def lengths(self):
        return self._lengths


def rank_shares(sampler_cls, dataset, world, **kwargs):
    """Indices of every simulated rank."""
    shares = []
    for rank in range(world):
        module = sampler_cls.__module__
        with mock.patch(f'{module}.get_dist_info',
                        return_value=(rank, world)):
            shares.append(list(sampler_cls(dataset, seed=0, **kwargs)))
    return shares


def batches(lengths, share, batch_size):
    return [lengths[share[i:i + batch_size]]
            for i in range(0, len(share), batch_size)]


def padding(all_batches):
    real = sum(int(b.sum()) for b in all_batches)
    padded = sum(int(b.max()) * len(b) for b in all_batches)
    return 1 - real / padded


def throughput(rank_batches, steps, dims=128):
    """Real frames / s of a 2-layer transformer over padded batches."""
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(
        dims, 4, 2 * dims, batch_first=True)
    model = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    model.train()
    model(torch.randn(2, 8, dims)).sum().backward()  # warm-up
    real, t0 = 0, time.perf_counter()
    for lens in rank_batches[:steps]:
        t = int(lens.max())
        x = torch.randn(len(lens), t, dims)
        pad = torch.arange(t)[None] >= torch.as_tensor(lens)[:, None]
        model(x, src_key_padding_mask=pad).sum().backward()
        real += int(lens.sum())
    return real / (time.perf_counter() - t0)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--samples', type=int, default=50000)
    p.add_argument('--world', type=int, default=8)
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--pool-batches', type=int, default=100)
    p.add_argument('--max-frames', type=int, default=256)
    p.add_argument('--steps', type=int, default=20)
    args = p.parse_args()
    lengths = paper_like_lengths(args.samples)
    cropped = np.minimum(lengths, args.max_frames)
    dataset = _Lengths(lengths)
    print(f'{args.samples} clips: {np.percentile(lengths, 50):.0f} median, '
          f'{(lengths > 300).mean():.1%} over 300 frames; batch '
          f'{args.batch} x {args.world} ranks, crop at {args.max_frames}')
    print(f"{'sampler':>22} {'padding':>8} {'frames/s':>9}")
    for name, cls, kw in (
            ('random (Default)', DefaultSampler, {}),
            ('LengthBucketSampler', LengthBucketSampler,
             dict(batch_size=args.batch, pool_batches=args.pool_batches))):
        shares = rank_shares(cls, dataset, args.world, **kw)
        per_rank = [batches(cropped, s, args.batch) for s in shares]
        waste = padding(sum(per_rank, []))
        speed = throughput(per_rank[0], args.steps)
        print(f'{name:>22} {waste:>8.1%} {speed:>9.0f}')


if __name__ == '__main__':
    main()
