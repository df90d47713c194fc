"""Pre-training data pipeline, per sample vs batched, from corpus row to the
batch the model receives, on one CPU core.

    python benchmarks/bench_pipeline.py [--samples 1024] [--repeats 3]

Both paths read the same corpus of paper-like synthetic clips
(``synthetic_clips.py``: length mix, COCO-WholeBody 133 keypoints) through a
torch DataLoader with 0 workers (so the figure is per core), one torch
thread, batch 64, the ``LengthBucketSampler`` of
``configs/_base_/datasets/sl15m.py`` and the model's ``SignDataPreprocessor``
(on CPU):

- per sample: the config's ``train_pipeline``, every stage in the dataset
  (tokenizer cache off), ``pseudo_collate``: as before issue 15;
- batched (the training default): the config's ``batched_train_pipeline``
  (row read, check, temporal sampling, cached tokenisation, packing of the
  stored arrays), its ``collate_fn`` (``collate_sign_batch``: padding into
  one buffer, with the keypoint selection, and the MPM masks) and its
  ``train_batch_transforms`` run by the data preprocessor on the batch;
- batched, values re-checked: the same on a corpus whose shards were not
  verified (``verify_shards='off'``), so ``CheckPoseSample`` reads every
  value of every row again instead of trusting the writer's check.

The datasets hash the corpus at start (``verify_shards='always'``, as the
training default ``'cached'`` does once per machine), so the first two paths
check each row's shape only (``contract_checked``, see ``SignCorpus``).

``--workers`` then times the loader alone with worker processes, what a
GPU's training process receives: the batches cross a process boundary.

Sentences: one of ``--sentences`` per clip (each repeats), as in SL-1.5M
where isolated-sign words and sentences recur. The paths alternate
``--repeats`` times; the best (and every) samples/s is printed, then a
per-stage breakdown from one extra instrumented pass per path.
"""
import argparse
import os.path as osp
import sys
import tempfile
import time
from collections import defaultdict
from functools import partial

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from slp_mm.corpus import SignCorpusWriter
from slp_mm.datasets import LengthBucketSampler, SignPoseDataset
from slp_mm.datasets.transforms import HierarchicalPoseMask
from slp_mm.engine import register_all_modules
from slp_mm.registry import FUNCTIONS, MODELS
from slp_mm.structures.tokenizer import train_tokenizer
from slp_mm.utils.heap_reuse import reuse_freed_heap
from synthetic_clips import CLIP_TEXT, paper_like_lengths, random_clips

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(REPO, 'configs/_base_/datasets/sl15m.py')
BATCH = 64
# transform type -> stage of the breakdown
STAGES = dict(CheckPoseSample='read', TemporalSample='temporal sampling',
              SelectKeypoints='selection + normalisation',
              NormalizeParts='selection + normalisation',
              HierarchicalPoseMask='masking', TokenizeText='tokenisation',
              PackSignInputs='packing')
# what a loader worker does (the batched collate_fn draws the masks)
DATASET_STAGES = ('read', 'temporal sampling', 'tokenisation', 'packing',
                  'collate', 'masking')
ORDER = ('read', 'temporal sampling', 'selection + normalisation', 'masking',
         'tokenisation', 'packing', 'pseudo_collate', 'collate',
         'host-to-device')


def write_corpus(path, num, sentences, seed=0):
    def clips():
        for i, clip in enumerate(random_clips(paper_like_lengths(num, seed),
                                              seed)):
            clip['text'] = f'{CLIP_TEXT} {i % sentences}'
            yield clip

    with SignCorpusWriter(path) as writer:
        writer.write_all(clips())


def build_paths(tokenizer):
    """name -> (dataset pipeline, preprocessor batch transforms)."""
    cfg = Config.fromfile(CONFIG)

    def local(pipeline, **tokenize):
        return [
            dict(t, tokenizer=tokenizer, **tokenize)
            if t['type'] == 'TokenizeText' else dict(t) for t in pipeline
        ]

    per_sample = local(cfg.train_pipeline, cache_size=0)  # every stage
    fast = local(cfg.batched_train_pipeline)
    batched = [dict(t) for t in cfg.train_batch_transforms]
    collate = dict(cfg.train_dataloader.collate_fn)
    collate = partial(FUNCTIONS.get(collate.pop('type')), **collate)
    return {
        'per sample': (per_sample, [], pseudo_collate, 'always'),
        'batched': (fast, batched, collate, 'always'),
        'batched, values re-checked': (fast, batched, collate, 'off')
    }


class Path:
    """One way through the data: dataset, loader (``collate_fn``: mmengine's
    ``pseudo_collate`` by default, as before issue 15) and preprocessor."""

    def __init__(self, corpus, pipeline, batch_transforms,
                 collate_fn=pseudo_collate, verify_shards='always'):
        self.dataset = SignPoseDataset(ann_file=corpus, pipeline=pipeline,
                                       verify_shards=verify_shards)
        self.preprocessor = MODELS.build(
            dict(type='SignDataPreprocessor',
                 batch_transforms=batch_transforms))
        self.collate_fn = collate_fn

    def loader(self, epoch, collate_fn=None, num_workers=0):
        sampler = LengthBucketSampler(self.dataset, BATCH, shuffle=True,
                                      seed=0)
        sampler.set_epoch(epoch)
        return torch.utils.data.DataLoader(
            self.dataset, BATCH, sampler=sampler, num_workers=num_workers,
            collate_fn=collate_fn or self.collate_fn)

    def delivered(self, epoch, num_workers):
        """Samples/s a DataLoader with ``num_workers`` hands the training
        process (after its first batch: worker start-up left out)."""
        batches = iter(self.loader(epoch, num_workers=num_workers))
        next(batches)
        n, start = 0, time.perf_counter()
        for data in batches:
            n += len(data['data_samples'])
        return n / (time.perf_counter() - start)

    def run(self, epoch):
        """Samples/s of one epoch, from row to the model's batch."""
        n = 0
        start = time.perf_counter()
        for data in self.loader(epoch):
            out = self.preprocessor(data, True)
            n += out['inputs']['pose'].shape[0]
        return n / (time.perf_counter() - start)

    def breakdown(self, epoch):
        """Stage -> seconds per sample, from one instrumented epoch."""
        spent = defaultdict(float)

        def timed(fn, stage):
            def call(*args, **kwargs):
                t0 = time.perf_counter()
                out = fn(*args, **kwargs)
                spent[stage] += time.perf_counter() - t0
                return out
            return call

        for t in self.dataset.pipeline.transforms:
            t.transform = timed(t.transform, STAGES[type(t).__name__])
        for t in self.preprocessor.batch_transforms:
            t.transform_batch = timed(t.transform_batch,
                                      STAGES[type(t).__name__])
        self.dataset.get_data_info = timed(self.dataset.get_data_info, 'read')
        self.preprocessor._pad = timed(self.preprocessor._pad, 'pad')
        stage = ('pseudo_collate' if self.collate_fn is pseudo_collate else
                 'collate')
        # masks the collate_fn draws (the batched default) are its masking
        drawn_in_collate = bool(getattr(self.collate_fn, 'keywords',
                                        {}).get('mask'))
        sample_mask = HierarchicalPoseMask.sample_mask
        if drawn_in_collate:
            HierarchicalPoseMask.sample_mask = timed(sample_mask, 'masking')
        n = 0
        try:
            for data in self.loader(epoch, timed(self.collate_fn, stage)):
                t0 = time.perf_counter()
                self.preprocessor(data, True)
                spent['preprocessor'] += time.perf_counter() - t0
                n += len(data['data_samples'])
        finally:
            HierarchicalPoseMask.sample_mask = sample_mask
        if drawn_in_collate:
            spent['collate'] -= spent['masking']
        # padding: in the collate function, or in the preprocessor for
        # pseudo_collate's lists; the preprocessor's time past it and its
        # batch stages (the copy to the device, masks) is host-to-device
        pad = spent.pop('pad', 0.0)
        spent['collate'] += pad
        in_preprocessor = {STAGES[type(t).__name__]
                           for t in self.preprocessor.batch_transforms}
        spent['host-to-device'] = spent.pop('preprocessor') - pad - sum(
            spent[s] for s in in_preprocessor)
        return {k: v / n for k, v in spent.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--samples', type=int, default=1024)
    parser.add_argument('--sentences', type=int, default=256)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument(
        '--workers', type=int, nargs='*', default=[1, 2],
        help='also time the loader alone with these numbers of worker '
        'processes (none: skip)')
    args = parser.parse_args()
    torch.set_num_threads(1)
    reuse_freed_heap()  # as training does (build_runner)
    register_all_modules()
    with tempfile.TemporaryDirectory() as work:
        corpus = osp.join(work, 'corpus')
        write_corpus(corpus, args.samples, args.sentences)
        tokenizer = osp.join(work, 'tokenizer')
        train_tokenizer([CLIP_TEXT] + [str(i) for i in range(10)], tokenizer,
                        80)
        paths = {
            name: Path(corpus, *spec)
            for name, spec in build_paths(tokenizer).items()
        }
        for path in paths.values():
            path.run(epoch=0)  # warm-up: tokenizer, memory map, caches
        rates = defaultdict(list)
        for r in range(args.repeats):
            for name, path in paths.items():
                rates[name].append(path.run(epoch=1 + r))
        stages = {name: path.breakdown(epoch=99)
                  for name, path in paths.items()}
        delivered = {(name, w): path.delivered(100, w)
                     for w in args.workers for name, path in paths.items()}
    try:
        load = ' (load average %.2f %.2f %.2f)' % tuple(
            float(x) for x in open('/proc/loadavg').read().split()[:3])
    except OSError:
        load = ''
    print(f'{args.samples} clips, batch {BATCH}, 0 workers, 1 torch thread, '
          f'CPU{load}')
    print('| path | best samples/s | all runs |')
    print('|---|---|---|')
    for name, rs in rates.items():
        print(f'| {name} | {max(rs):,.0f} | '
              + ', '.join(f'{r:,.0f}' for r in rs) + ' |')
    best = {name: max(rs) for name, rs in rates.items()}
    ratio = best['batched'] / best['per sample']
    print(f'\nbatched / per sample: {ratio:.2f}x (best of each)\n')
    print('| stage (us per sample) | ' + ' | '.join(stages) + ' |')
    print('|---|' + '---|' * len(stages))
    for stage in ORDER:
        row = [stages[n].get(stage) for n in stages]
        print(f'| {stage} | ' + ' | '.join(
            '-' if v is None else f'{v * 1e6:.1f}' for v in row) + ' |')
    print('| total | ' + ' | '.join(
        f'{sum(s.values()) * 1e6:.1f}' for s in stages.values()) + ' |')
    # what a loader worker does per sample when the preprocessor's batch
    # stages run in the training process, on the GPU; and what that
    # process then does on the host (mmengine syncs every iteration, so
    # the GPU waits for it)
    worker = sum(stages['batched'].get(s, 0) for s in DATASET_STAGES)
    print(f'\nbatched, dataset side only ({", ".join(DATASET_STAGES)}): '
          f'{worker * 1e6:.1f} us per sample = {1 / worker:,.0f} samples/s '
          'per loader worker core; the training process on the host: '
          f'{stages["batched"]["host-to-device"] * 1e6:.1f} us per sample '
          '(host-to-device; the normalisation runs on the GPU)')
    if delivered:
        print('\n| loader alone, samples/s (after the first batch) | '
              + ' | '.join(paths) + ' |')
        print('|---|' + '---|' * len(paths))
        for w in args.workers:
            print(f'| {w} worker process(es) | ' + ' | '.join(
                f'{delivered[name, w]:,.0f}' for name in paths) + ' |')


if __name__ == '__main__':
    sys.exit(main())
