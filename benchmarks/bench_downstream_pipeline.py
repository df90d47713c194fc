"""Downstream (ISLR) training data pipeline, per sample vs batched, from
corpus row to the batch the model receives, on one CPU core.

    python benchmarks/bench_downstream_pipeline.py [--samples 1024]
        [--repeats 5] [--config configs/_base_/datasets/islr_pose_corpus.py]

The set-up of ``bench_pipeline.py`` (paper-like synthetic clips, 0 workers,
one torch thread, batch 64, ``SignDataPreprocessor`` on CPU) with a
downstream dataset config, by default ISLR's (32 frames,
``SelectKeypoints``, ``NormalizeParts``, ``RandomAffinePose``):

- per sample: the config's ``train_pipeline``, every stage in the dataset,
  ``pseudo_collate``;
- batched (the training default): its ``batched_train_pipeline`` (row read,
  check, temporal sampling, packing of the stored arrays) and its
  ``train_batch_transforms`` run by the data preprocessor on the batch,
  after the config's ``collate_fn`` padded it.

The paths alternate ``--repeats`` times; the best (and every) samples/s of
each is printed, and their ratio.
"""
import argparse
import os
import os.path as osp
import sys
import tempfile
from collections import defaultdict

from functools import partial

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from bench_pipeline import REPO, Path, write_corpus
from slp_mm.engine import register_all_modules
from slp_mm.registry import FUNCTIONS


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--samples', type=int, default=1024)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument(
        '--config',
        default='configs/_base_/datasets/islr_pose_corpus.py',
        help='a downstream dataset config without text tokenisation')
    args = parser.parse_args()
    torch.set_num_threads(1)
    register_all_modules()
    cfg = Config.fromfile(osp.join(REPO, args.config))
    collate = dict(cfg.train_dataloader.collate_fn)
    specs = {
        'per sample': (cfg.train_pipeline, [], pseudo_collate),
        'batched': (cfg.batched_train_pipeline, cfg.train_batch_transforms,
                    partial(FUNCTIONS.get(collate.pop('type')), **collate)),
    }
    with tempfile.TemporaryDirectory() as work:
        corpus = osp.join(work, 'corpus')
        write_corpus(corpus, args.samples, sentences=1)
        paths = {
            name:
            Path(corpus, [dict(t) for t in pipeline],
                 [dict(t) for t in batch_transforms], collate_fn)
            for name, (pipeline, batch_transforms, collate_fn) in specs.items()
        }
        for path in paths.values():
            path.run(epoch=0)  # warm-up: memory map, caches
        rates = defaultdict(list)
        for r in range(args.repeats):
            for name, path in paths.items():
                rates[name].append(path.run(epoch=1 + r))
    load = ' '.join(f'{x:.2f}' for x in os.getloadavg())
    print(f'{args.config}: {args.samples} clips, batch 64, 0 workers, '
          f'1 torch thread, CPU (load average {load})')
    for name, rs in rates.items():
        runs = ', '.join(f'{r:,.0f}' for r in rs)
        print(f'{name}: best {max(rs):,.0f} samples/s (runs: {runs})')
    ratio = max(rates['batched']) / max(rates['per sample'])
    print(f'batched / per sample: {ratio:.2f}x (best of each)')


if __name__ == '__main__':
    sys.exit(main())
