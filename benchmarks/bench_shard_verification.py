"""What integrity checking on by default costs at the start of a run.

    python benchmarks/bench_shard_verification.py --samples 4000

Writes a corpus of paper-like synthetic clips (``synthetic_clips.py``) in
shards of ``--shard-size`` samples, then times ``SignPoseDataset.full_init``
(opening the corpus and indexing it) four ways, each in this process with a
fresh cache folder:

- ``off``: no checksum (today's cost of opening a corpus);
- ``cached, cold``: the first run on a machine, every shard hashed (with
  1 and 2 hashing threads);
- ``cached, warm``: the next runs, every shard found in the cache;
- ``always``: hashing at every start.

It prints seconds, GB/s of hashing, and what the cold start would cost for
the ~260 GB of SL-1.5M's float32 keypoints per rank-set (the ranks of a node
share the hashing: each starts at a different shard).
"""
import argparse
import os
import os.path as osp
import shutil
import sys
import tempfile
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from synthetic_clips import paper_like_lengths, random_clips  # noqa: E402

from slp_mm.corpus import SignCorpus, SignCorpusWriter  # noqa: E402
from slp_mm.corpus.verified_shard_cache import CACHE_ENV  # noqa: E402
from slp_mm.datasets import SignPoseDataset  # noqa: E402

SL15M_BYTES = 260e9


def time_full_init(corpus: str, mode: str, repeats: int = 3) -> float:
    """Best of ``repeats`` seconds of building and indexing the dataset."""
    best = float('inf')
    for _ in range(repeats):
        began = time.perf_counter()
        SignPoseDataset(ann_file=corpus, verify_shards=mode).full_init()
        best = min(best, time.perf_counter() - began)
    return best


def time_cold_hash(corpus: str, threads: int) -> float:
    began = time.perf_counter()
    assert SignCorpus(corpus).check_integrity(threads=threads) == {}
    return time.perf_counter() - began


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--samples', type=int, default=4000,
                        help='clips in the corpus')
    parser.add_argument('--shard-size', type=int, default=500,
                        help='clips per shard')
    parser.add_argument('--dir', default=None,
                        help='where to write it (default: a temp folder)')
    args = parser.parse_args()
    root = tempfile.mkdtemp(dir=args.dir, prefix='bench-verify-')
    try:
        corpus = osp.join(root, 'corpus')
        with SignCorpusWriter(corpus,
                              samples_per_shard=args.shard_size) as writer:
            writer.write_all(random_clips(paper_like_lengths(args.samples)))
        size = sum(osp.getsize(f) for f in SignCorpus(corpus).shard_files)
        shards = len(SignCorpus(corpus).shard_files)
        print(f'corpus: {args.samples} clips, {shards} shards, '
              f'{size / 1e9:.2f} GB, {os.cpu_count()} CPUs')
        os.environ[CACHE_ENV] = osp.join(root, 'cache')
        rows = [('off (no checksum)', time_full_init(corpus, 'off'))]
        for threads in (1, 2):
            seconds = time_cold_hash(corpus, threads)
            rows.append((f'hash all shards, {threads} thread(s)', seconds))
        shutil.rmtree(os.environ[CACHE_ENV], ignore_errors=True)
        rows.append(('cached, cold (first run)',
                     time_full_init(corpus, 'cached', repeats=1)))
        rows.append(('cached, warm (next runs)',
                     time_full_init(corpus, 'cached')))
        rows.append(('always', time_full_init(corpus, 'always', repeats=1)))
        print('| full_init / check | seconds | GB/s hashed | '
              'SL-1.5M cold start (260 GB) |')
        print('|---|---:|---:|---:|')
        for name, seconds in rows:
            hashing = 'hash' in name or 'cold' in name or name == 'always'
            if hashing:
                rate = size / 1e9 / seconds
                cells = f'{rate:.2f} | {SL15M_BYTES / 1e9 / rate / 60:.1f} min'
            else:
                cells = '- | -'
            print(f'| {name} | {seconds:.3f} | {cells} |')
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__':
    main()
