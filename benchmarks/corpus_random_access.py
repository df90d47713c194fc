"""Random-access read speed of the sign corpus, raw and through the full
pre-training pipeline with DataLoader workers.

    python benchmarks/corpus_random_access.py --samples 5000 --frames 120
"""
import argparse
import os.path as osp
import tempfile
import time

import numpy as np
import torch
from mmengine.dataset import pseudo_collate

from slp_mm.corpus import SignCorpus, SignCorpusWriter
from slp_mm.datasets import SignPoseDataset
from slp_mm.structures.tokenizer import train_tokenizer
from slp_mm.engine import register_all_modules
from synthetic_clips import CLIP_TEXT, random_clips


def write_corpus(path, n, frames):
    lengths = np.random.default_rng(0).integers(frames // 2, frames * 3 // 2,
                                                n)
    t0 = time.perf_counter()
    with SignCorpusWriter(path) as w:
        w.write_all(random_clips(lengths))
    return time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--samples', type=int, default=5000)
    p.add_argument('--frames', type=int, default=120)
    p.add_argument('--reads', type=int, default=2000)
    p.add_argument('--workers', type=int, nargs='+', default=[0, 2])
    args = p.parse_args()
    register_all_modules()
    tmp = tempfile.mkdtemp()
    path = osp.join(tmp, 'corpus')
    secs = write_corpus(path, args.samples, args.frames)
    size = sum(osp.getsize(osp.join(path, s['file']))
               for s in SignCorpus(path).manifest['shards'])
    print(f'write: {args.samples} samples, {size / 2**20:.0f} MiB in '
          f'{secs:.1f} s ({args.samples / secs:.0f} samples/s)')

    corpus = SignCorpus(path)
    idx = np.random.default_rng(1).integers(0, len(corpus), args.reads)
    t0 = time.perf_counter()
    for i in idx:
        corpus[int(i)]
    dt = time.perf_counter() - t0
    print(f'raw random reads: {args.reads / dt:.0f} samples/s '
          f'({dt / args.reads * 1e6:.0f} us each)')

    tok = osp.join(tmp, 'tok')
    train_tokenizer([CLIP_TEXT], tok, 60)
    pipeline = [
        dict(type='CheckPoseSample'),
        dict(type='TemporalSample', max_frames=256),
        dict(type='SelectKeypoints'),
        dict(type='NormalizeParts'),
        dict(type='HierarchicalPoseMask'),
        dict(type='TokenizeText', tokenizer=tok),
        dict(type='PackSignInputs'),
    ]
    ds = SignPoseDataset(ann_file=path, pipeline=pipeline)
    for workers in args.workers:
        loader = torch.utils.data.DataLoader(
            ds, batch_size=64, shuffle=True, num_workers=workers,
            collate_fn=pseudo_collate)
        n, t0 = 0, time.perf_counter()
        for batch in loader:
            n += len(batch['inputs'])
            if n >= args.reads:
                break
        dt = time.perf_counter() - t0
        print(f'full pipeline, {workers} workers: {n / dt:.0f} samples/s')


if __name__ == '__main__':
    main()
