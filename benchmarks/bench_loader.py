"""Loader benchmark: our corpus format (sharded Arrow IPC, memory-mapped) vs
one pickle per clip (Uni-Sign's way) vs one whole-dataset pickle loaded into
RAM (SLRT's way).

    python benchmarks/bench_loader.py --sizes 10000 50000

For each corpus size the same seeded synthetic corpus (COCO-WholeBody 133
keypoints + scores, paper-like clip lengths: ``synthetic_clips.py``) is
written each way in turn, measured, and deleted, so the disk holds one copy
at a time. Per way and size:

- files on disk per 10k samples, GiB on disk, write time, open time (the
  whole pickle is loaded here);
- samples/s of random-order reads + the pre-training transforms of
  ``configs/_base_/datasets/sl15m.py`` (its ``TokenizeText`` pointed at a
  small local tokenizer: mbart-large-cc25 is not available offline) through
  a torch DataLoader (batch 32, ``pseudo_collate``) with 0 and 4 workers:
  after warm-up batches, the median of 3 consecutive windows (the machine
  may be shared: the range is printed too);
- the peak memory of the loader while iterating, main process + workers:
  RSS, and PSS / USS / anonymous PSS where the OS has them. RSS counts a
  shared page (the memory map, the pages inherited by fork) once in every
  process that maps it; PSS splits it among them, so it sums to what the
  processes map. PSS still counts the page cache of our memory map, which
  grows with the pages read so far (on kernels with large page-cache folios
  one fault maps up to ~2 MB) and which the kernel drops under pressure, so
  the memory goal is judged on anonymous PSS: what the loader itself needs.

Each write and each measurement runs in a fresh interpreter (spawn), so
memory one way freed does not count in the next way's figures.

Pickle is only the comparison baseline (our formats never use it): those
files are read with a restricted unpickler that resolves only numpy's array
reconstruction globals (``pickle_baselines.py``).
"""
import argparse
import multiprocessing
import os
import os.path as osp
import shlex
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import psutil
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from pickle_baselines import (ClipPickles, DatasetPickle,
                              PickleSignPoseDataset, write_clip_pickles,
                              write_dataset_pickle)
from slp_mm.corpus import SignCorpusWriter
from slp_mm.datasets import SignPoseDataset
from slp_mm.structures.tokenizer import train_tokenizer
from slp_mm.engine import register_all_modules
from synthetic_clips import (CLIP_TEXT, clip_bytes, paper_like_lengths,
                             random_clips)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
PIPELINE_CONFIG = 'configs/_base_/datasets/sl15m.py'
WAYS = ('ours', 'per-clip pickle', 'whole pickle')
WHOLE_PICKLE_FILE = 'dataset.pkl'
GiB, MiB = 2**30, 2**20
# headroom on top of the raw float32 bytes (pickle / Arrow overhead), and
# disk and RAM left to everyone else on the machine
SIZE_OVERHEAD, KEEP_FREE = 1.1, 2 * GiB
FLAT_TOLERANCE = 1.25  # "flat": largest-size memory <= 1.25x smallest-size
MEMORY = dict(rss='RSS', pss='PSS', uss='USS', pss_anon='PSS anon')


def write_way(way, path, lengths, seed):
    """Write the corpus ``way`` under the directory ``path``; seconds."""
    t0 = time.perf_counter()
    samples = random_clips(lengths, seed)
    if way == 'ours':
        with SignCorpusWriter(path) as writer:
            writer.write_all(samples)
    elif way == 'per-clip pickle':
        write_clip_pickles(path, samples)
    else:
        write_dataset_pickle(osp.join(path, WHOLE_PICKLE_FILE), samples)
    return time.perf_counter() - t0


def build_dataset(way, path, pipeline):
    if way == 'ours':
        return SignPoseDataset(ann_file=path, pipeline=pipeline)
    reader = (ClipPickles(path) if way == 'per-clip pickle' else
              DatasetPickle(osp.join(path, WHOLE_PICKLE_FILE)))
    return PickleSignPoseDataset(reader, pipeline)


def pss_anon(pid):
    """Anonymous part of a process's PSS in bytes (``Pss_Anon`` of
    /proc/<pid>/smaps_rollup), or None where the kernel does not report it.
    Unlike mapped page cache (the memory map of our corpus), the kernel
    cannot drop these pages: they are what the loader itself needs."""
    try:
        with open(f'/proc/{pid}/smaps_rollup') as f:
            for line in f:
                if line.startswith('Pss_Anon:'):
                    return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    return None


class PeakMemory:
    """Peak summed RSS / PSS / USS / anonymous PSS in MiB of this process
    and its children (the DataLoader workers), sampled by a thread every
    ``interval`` s and on exit. Figures the OS does not report are absent."""

    def __init__(self, interval=1.0):
        self.interval = interval
        self._proc = psutil.Process()
        fields = self._proc.memory_full_info()._fields
        self.peak = {k: 0.0 for k in MEMORY if k in fields}
        if pss_anon(self._proc.pid) is not None:
            self.peak['pss_anon'] = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self):
        total = dict.fromkeys(self.peak, 0)
        for proc in [self._proc] + self._proc.children(recursive=True):
            try:
                info = proc.memory_full_info()._asdict()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue  # a worker that just exited
            info['pss_anon'] = pss_anon(proc.pid) or 0
            for key in total:
                total[key] += info[key]
        for key, value in total.items():
            self.peak[key] = max(self.peak[key], value / MiB)

    def _run(self):
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self):
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()


def measure_way(way, path, pipeline, workers_list, batch_size, warmup,
                batches, windows, seed):
    """Open time, then per worker count the median samples/s of
    ``windows`` consecutive windows of ``batches`` batches and the peak
    memory over them."""
    register_all_modules()
    t0 = time.perf_counter()
    dataset = build_dataset(way, path, pipeline)
    out = dict(open_s=time.perf_counter() - t0, loaders={})
    for workers in workers_list:
        loader = torch.utils.data.DataLoader(
            dataset,
            batch_size=batch_size,
            shuffle=True,
            num_workers=workers,
            collate_fn=pseudo_collate,
            # fork, as in training on Linux (workers share the parent's
            # pages), not the spawn this process inherits from its parent
            multiprocessing_context='fork' if workers else None,
            generator=torch.Generator().manual_seed(seed))
        batch_iter = iter(loader)
        for _ in range(warmup):  # worker start-up, tokenizer loading
            next(batch_iter)
        rates = []
        with PeakMemory() as memory:
            for _ in range(windows):
                n, t0 = 0, time.perf_counter()
                for _ in range(batches):
                    n += len(next(batch_iter)['inputs'])
                rates.append(n / (time.perf_counter() - t0))
        del batch_iter  # stops the workers
        out['loaders'][workers] = dict(
            samples_per_s=float(np.median(rates)), slowest=min(rates),
            fastest=max(rates), **memory.peak)
    return out


def in_fresh_process(fn, *args):
    """``fn(*args)`` in a new interpreter, so its heap starts empty."""
    with ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context('spawn')) as pool:
        return pool.submit(fn, *args).result()


def files_and_bytes(path):
    sizes = [osp.getsize(osp.join(root, name))
             for root, _, names in os.walk(path) for name in names]
    return len(sizes), sum(sizes)


def pretrain_pipeline(tokenizer):
    """The SL-1.5M pre-training transforms, with a local tokenizer."""
    pipeline = Config.fromfile(osp.join(REPO, PIPELINE_CONFIG)).to_dict()[
        'train_pipeline']
    for transform in pipeline:
        if transform['type'] == 'TokenizeText':
            transform['tokenizer'] = tokenizer
    return pipeline


def corpus_lengths(n, seed, frames_scale):
    """(n, ) frames of the benchmark corpus of n clips."""
    lengths = paper_like_lengths(n, seed) * frames_scale
    return np.maximum(np.rint(lengths), 1).astype(np.int64)


def sizes_that_fit(sizes, lengths_of, tmp_dir):
    """The sizes whose one-way-at-a-time copy fits on disk; those whose
    whole pickle fits in RAM. Prints why any size or way is refused."""
    free_disk = shutil.disk_usage(tmp_dir).free
    free_ram = psutil.virtual_memory().available
    fit, in_ram = [], set()
    for n in sizes:
        need = SIZE_OVERHEAD * clip_bytes(lengths_of(n))
        print(f'size {n}: ~{need / GiB:.1f} GiB of disk (one way at a time) '
              f'and ~{need / GiB:.1f} GiB of RAM (whole pickle); '
              f'{free_disk / GiB:.1f} GiB free in {tmp_dir}, '
              f'{free_ram / GiB:.1f} GiB RAM available')
        if need > free_disk - KEEP_FREE:
            print(f'  REFUSED: size {n} does not fit on disk (keeping '
                  f'{KEEP_FREE / GiB:.0f} GiB free); use a smaller size, '
                  '--frames-scale or --tmp-dir on a larger disk')
            continue
        fit.append(n)
        if need > free_ram - KEEP_FREE:
            print(f'  the whole pickle of size {n} does not fit in RAM: '
                  'skipped at this size')
        else:
            in_ram.add(n)
    return fit, in_ram


def print_tables(results, workers_list):
    print(f"\n{'size':>7}  {'way':<16}{'files':>7}{'files/10k':>10}"
          f"{'GiB':>7}{'write s':>9}{'open s':>8}")
    for (n, way), r in results.items():
        print(f"{n:>7}  {way:<16}{r['files']:>7}"
              f"{r['files'] * 1e4 / n:>10.2f}{r['bytes'] / GiB:>7.2f}"
              f"{r['write_s']:>9.1f}{r['open_s']:>8.1f}")
    print(f"\n{'size':>7}  {'way':<16}{'workers':>8}{'samples/s':>10}"
          f"{'(range)':>12}"
          + ''.join(f'{name + " MiB":>14}' for name in MEMORY.values()))
    for (n, way), r in results.items():
        for w in workers_list:
            m = r['loaders'][w]
            spread = f"({m['slowest']:.0f}-{m['fastest']:.0f})"
            mem = ''.join(f'{m[k]:>14.0f}' if k in m else f"{'n/a':>14}"
                          for k in MEMORY)
            print(f"{n:>7}  {way:<16}{w:>8}{m['samples_per_s']:>10.0f}"
                  f'{spread:>12}{mem}')


def print_goals(results, sizes, workers_list):
    """PASS / FAIL of the three goals; a goal lacking figures is n/a."""
    lo, hi = min(sizes), max(sizes)
    measured = results[lo, 'ours']['loaders'][workers_list[0]]
    # judged on the memory the loader needs: anonymous PSS; the pages of
    # our memory map are clean page cache, shared and dropped under pressure
    judged = next(k for k in ('pss_anon', 'pss', 'rss') if k in measured)

    def ratios(top, bottom, key):
        """{workers: loader figure ``key`` of results[top] / of
        results[bottom]}; empty if either was not measured."""
        if top not in results or bottom not in results:
            return {}
        return {w: results[top]['loaders'][w][key] /
                results[bottom]['loaders'][w][key] for w in workers_list}

    def listed(found):
        return ', '.join(f'{w} workers {r:.2f}x'
                         for w, r in found.items()) or 'n/a'

    def verdict(ok):
        return 'PASS' if ok else 'FAIL'

    growth = ratios((hi, 'ours'), (lo, 'ours'), judged)
    flat = ('n/a (needs two sizes)' if lo == hi else verdict(
        max(growth.values()) <= FLAT_TOLERANCE))
    print(f'\ngoal 1  ours: loader {MEMORY[judged]} flat from {lo} to {hi} '
          f'samples (<= {FLAT_TOLERANCE}x): {listed(growth)} -> {flat}')
    if lo != hi:
        print(f'        growth {lo} -> {hi} samples of every figure:')
        for key in (k for k in MEMORY if k in measured):
            print(f'        {MEMORY[key]:<9}' + '; '.join(
                f'{way}: {listed(ratios((hi, way), (lo, way), key))}'
                for way in WAYS))
    per_10k = results[hi, 'ours']['files'] * 1e4 / hi
    print(f'goal 2  ours: <= 1 file per 10k samples at {hi} samples: '
          f'{per_10k:.2f} -> {verdict(per_10k <= 1)}')
    speed = {(n, w): r for n in sizes for w, r in ratios(
        (n, 'ours'), (n, 'per-clip pickle'), 'samples_per_s').items()}
    found = ', '.join(f'{n}/{w}w {r:.2f}' for (n, w), r in speed.items())
    print(f'goal 3  throughput ours / per-clip pickle >= 1.0 (size/workers):'
          f' {found} -> {verdict(min(speed.values()) >= 1)}')


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--sizes', type=int, nargs='+',
                   default=[10000, 50000, 200000], help='corpus sizes')
    p.add_argument('--frames-scale', type=float, default=1.0,
                   help='multiply every clip length (to fit a small disk)')
    p.add_argument('--workers', type=int, nargs='+', default=[0, 4])
    p.add_argument('--batch-size', type=int, default=32)
    p.add_argument('--warmup', type=int, default=10, help='batches')
    p.add_argument('--batches', type=int, default=60,
                   help='measured batches per window')
    p.add_argument('--windows', type=int, default=3,
                   help='measured windows per loader (median reported)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--tmp-dir', default=tempfile.gettempdir(),
                   help='where the corpora are written (one at a time)')
    args = p.parse_args(argv)
    reads = (args.warmup + args.windows * args.batches) * args.batch_size
    if min(args.sizes) < reads:
        p.error(f'--sizes: {min(args.sizes)} samples is fewer than the '
                f'{reads} read per loader ((warmup + windows x batches) x '
                'batch size)')
    if args.frames_scale <= 0:
        p.error(f'--frames-scale must be > 0, got {args.frames_scale}')
    return args


def main(argv=None):
    args = parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    print('command: python', osp.relpath(__file__, REPO),
          shlex.join(map(str, argv)))
    load = ', '.join(f'{x:.1f}' for x in os.getloadavg())
    print(f'machine: {os.cpu_count()} CPUs, '
          f'{psutil.virtual_memory().total / GiB:.0f} GiB RAM, load average '
          f'{load} at start; python {sys.version.split()[0]}, torch '
          f'{torch.__version__}')

    def lengths_of(n):
        return corpus_lengths(n, args.seed, args.frames_scale)

    lengths = lengths_of(max(args.sizes))
    print(f'clips: seed {args.seed}, frames-scale {args.frames_scale}, '
          f'median {np.median(lengths):.0f} frames, mean '
          f'{lengths.mean():.0f}, {(lengths > 300).mean():.1%} over 300, '
          f'{clip_bytes(lengths) / len(lengths) / 1e3:.0f} KB per clip '
          '(float32)')
    sizes, in_ram = sizes_that_fit(sorted(set(args.sizes)), lengths_of,
                                   args.tmp_dir)
    if not sizes:
        sys.exit('No size fits on disk; nothing measured.')
    print(f'pipeline: train_pipeline of {PIPELINE_CONFIG}; batch '
          f'{args.batch_size}, pseudo_collate, shuffled; {args.warmup} '
          f'warm-up batches, then samples/s is the median of {args.windows} '
          f'windows of {args.batches} batches (slowest-fastest shown); corpus '
          'files are read right after being written (warm page cache)')
    work_dir = tempfile.mkdtemp(prefix='bench_loader-', dir=args.tmp_dir)
    try:
        tokenizer = osp.join(work_dir, 'tokenizer')
        train_tokenizer([CLIP_TEXT], tokenizer, 60)
        pipeline = pretrain_pipeline(tokenizer)
        results = {}
        for n in sizes:
            for way in WAYS:
                if way == 'whole pickle' and n not in in_ram:
                    continue
                path = osp.join(work_dir, f'{n}-{way.replace(" ", "-")}')
                t0 = time.perf_counter()
                write_s = in_fresh_process(write_way, way, path,
                                           lengths_of(n), args.seed)
                files, nbytes = files_and_bytes(path)
                measured = in_fresh_process(
                    measure_way, way, path, pipeline, args.workers,
                    args.batch_size, args.warmup, args.batches, args.windows,
                    args.seed)
                shutil.rmtree(path)
                results[n, way] = dict(
                    write_s=write_s, files=files, bytes=nbytes, **measured)
                print(f'done: {n} samples, {way} in '
                      f'{time.perf_counter() - t0:.0f} s', flush=True)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    print_tables(results, args.workers)
    print_goals(results, sizes, args.workers)
    load = ', '.join(f'{x:.1f}' for x in os.getloadavg())
    print(f'load average at the end: {load}')


if __name__ == '__main__':
    main()
