import math
from typing import Iterator, Optional, Sized

import numpy as np
import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from slp_mm.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class LengthBucketSampler(Sampler):
    """Shuffled batches of samples of similar length, distributed like
    mmengine's :class:`DefaultSampler`.

    Sign clips run from 25 to 300+ frames, and a random batch is padded to
    its longest clip: most of its frames are padding. Each epoch this
    sampler shuffles the dataset with ``seed + epoch`` (the same seed on every
    rank), pads it by repetition to a multiple of the world size, and then,
    pool by pool (``pool_batches`` global batches of random samples), sorts
    the samples by length and cuts them into global batches of
    ``batch_size * world_size``. The global batches are shuffled and rank r
    takes the r-th ``batch_size`` slice of each, so:

    - the ranks get disjoint shares of equal size, together every sample
      once (plus the repeats that pad the dataset);
    - consecutive ``batch_size`` indices of a rank form one bucket of
      similar lengths; only the last batch of an epoch can be incomplete;
    - the ranks of one step get neighbouring lengths, so none waits long for
      another at the gradient all-reduce.

    Why a sampler yielding batch-contiguous indices rather than a batch
    sampler: mmengine's runner always builds the ``sampler`` of a dataloader
    config (with the dataset and the synced seed as default arguments) and
    hands it, with ``batch_size``, to the DataLoader, or to a
    ``batch_sampler`` that only regroups that sampler's indices. Taking the
    ``sampler`` slot keeps the standard ``batch_size`` + ``sampler`` config,
    ``DistSamplerSeedHook`` (it calls :meth:`set_epoch`) and ``auto_scale_lr``
    (it reads ``train_dataloader.batch_size``) unchanged. The price:
    ``batch_size`` here must equal the dataloader's, or the buckets straddle
    the DataLoader's batches (still a correct epoch, just more padding).

    Args:
        dataset (Sized): The dataset; its ``lengths()`` gives the length of
            every sample without loading it (:meth:`SignPoseDataset.lengths`).
        batch_size (int): Samples per batch and rank, as in the dataloader.
        shuffle (bool): Shuffle the samples and the batches. Without, the
            pools are the dataset in order and the batches run in order.
        seed (int, optional): Shuffling seed, the same on every rank
            (default: synced from rank 0).
        pool_batches (int): Global batches sorted together. Larger pools
            pad less; smaller ones keep the length order more local.
    """

    def __init__(self,
                 dataset: Sized,
                 batch_size: int,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 pool_batches: int = 100) -> None:
        if not callable(getattr(dataset, 'lengths', None)):
            raise TypeError(f'{type(dataset).__name__} has no lengths() '
                            'method, which LengthBucketSampler needs')
        if batch_size < 1 or pool_batches < 1:
            raise ValueError('batch_size and pool_batches must be >= 1, got '
                             f'{batch_size} and {pool_batches}')
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.pool_batches = pool_batches
        self.epoch = 0
        self.lengths = np.asarray(dataset.lengths(), dtype=np.int64)  # (N, )
        if len(self.lengths) != len(dataset):
            raise ValueError(f'dataset.lengths() gives {len(self.lengths)} '
                             f'lengths for {len(dataset)} samples')
        self.num_samples = math.ceil(len(dataset) / self.world_size)
        self.total_size = self.num_samples * self.world_size

    def __iter__(self) -> Iterator[int]:
        g = torch.Generator()
        g.manual_seed(self.seed + self.epoch)
        n = len(self.lengths)
        order = (torch.randperm(n, generator=g).numpy()
                 if self.shuffle else np.arange(n))
        order = np.resize(order, self.total_size)  # repeat to equal shares
        global_batch = self.batch_size * self.world_size
        pool = self.pool_batches * global_batch
        batches = []
        for start in range(0, self.total_size, pool):
            chunk = order[start:start + pool]
            chunk = chunk[np.argsort(self.lengths[chunk], kind='stable')]
            batches += [
                chunk[i:i + global_batch]
                for i in range(0, len(chunk), global_batch)
            ]
        # only the last pool can end in an incomplete batch: keep it last
        if self.shuffle:
            full = len(batches)
            if batches and len(batches[-1]) < global_batch:
                full -= 1
            perm = torch.randperm(full, generator=g).tolist()
            batches = [batches[i] for i in perm] + batches[full:]
        share = [b.reshape(self.world_size, -1)[self.rank] for b in batches]
        return iter(np.concatenate(share).tolist() if share else [])

    def __len__(self) -> int:
        """The number of samples in this rank."""
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Reshuffle for ``epoch`` (called by ``DistSamplerSeedHook``)."""
        self.epoch = epoch
