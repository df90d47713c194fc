"""Peak memory and time of one forward + backward of the STC loss, naive
(the whole (B, B, T', L) similarity at once) vs chunked + checkpointed.

    python benchmarks/bench_stc.py --batch 64 128 256 --chunk 8

Each measurement runs in a fresh process. On CUDA the peak is
``torch.cuda.max_memory_allocated`` above what the inputs hold; on CPU it is
the rise of the process's peak resident memory (``ru_maxrss``) over the run,
after a warm-up on a few signs; the child runs with
``MALLOC_MMAP_THRESHOLD_=65536`` so that freed blocks go back to the OS and
the peak RSS follows the peak of torch's allocations. The peak includes the
clip pooling and projections, the same in both variants (~2 x B x 4T' x C
floats of transients).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import torch

from slp_mm.models.heads import FineGrainedContrastiveHead


def _inputs(b, clips, words, channels, dev, seed=0):
    g = torch.Generator().manual_seed(seed)
    t = 4 * clips  # 4 frames per clip
    pose = torch.randn(b, t, channels, generator=g)
    text = torch.randn(b, words, channels, generator=g)
    pose_mask = torch.arange(t)[None] < torch.randint(t // 4, t + 1, (b, 1),
                                                      generator=g)
    text_mask = torch.arange(words)[None] < torch.randint(
        2, words + 1, (b, 1), generator=g)
    text_ids = torch.randint(4, 250000, (b, words), generator=g)
    return [x.to(dev) for x in (pose, pose_mask, text, text_mask, text_ids)]


def _step(head, inputs):
    head.zero_grad(set_to_none=True)
    head.loss(*inputs)['loss_stc'].backward()


def measure(args) -> dict:
    """One (batch, chunk) setting, in this process."""
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.manual_seed(0)
    head = FineGrainedContrastiveHead(
        args.channels, args.channels, args.embed_dims,
        chunk_size=args.chunk or None, gather_negatives=False).to(dev)
    # warm-up on a few signs, through the chunked path too
    _step(head, _inputs(args.chunk + 1, args.clips, args.words,
                        args.channels, dev))
    inputs = _inputs(args.batch[0], args.clips, args.words, args.channels,
                     dev)
    if dev == 'cuda':
        torch.cuda.synchronize()
        base = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
    else:
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t0 = time.perf_counter()
    _step(head, inputs)
    if dev == 'cuda':
        torch.cuda.synchronize()
    first = time.perf_counter() - t0
    peak = (torch.cuda.max_memory_allocated() if dev == 'cuda' else
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024) - base
    times = [first]
    for _ in range(args.repeat - 1):
        t0 = time.perf_counter()
        _step(head, inputs)
        if dev == 'cuda':
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return dict(device=dev, peak=peak, time=min(times))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--batch', type=int, nargs='+', default=[64, 128, 256])
    p.add_argument('--chunk', type=int, default=8,
                   help='signs per chunk of the chunked variant')
    p.add_argument('--clips', type=int, default=64, help="T'")
    p.add_argument('--words', type=int, default=32, help='L')
    p.add_argument('--embed-dims', type=int, default=512, help='E')
    p.add_argument('--channels', type=int, default=1024,
                   help='width of the pose and text features')
    p.add_argument('--repeat', type=int, default=2)
    p.add_argument('--one', action='store_true', help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:  # child: one setting, result as JSON
        print(json.dumps(measure(args)))
        return
    print(f"T'={args.clips} L={args.words} E={args.embed_dims}, "
          'forward + backward of the STC loss')
    print(f"{'batch':>6} {'variant':>10} {'(B,B,T,L) fp32':>15} "
          f"{'peak MiB':>10} {'time s':>8}")
    # glibc: every block of 64 KiB or more its own mmap, unmapped when freed
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_='65536')
    for b in args.batch:
        one = 4 * b * b * args.clips * args.words / 2**20
        for chunk in (0, args.chunk):
            cmd = [sys.executable, __file__, '--one', '--batch', str(b),
                   '--chunk', str(chunk), '--clips', str(args.clips),
                   '--words', str(args.words), '--embed-dims',
                   str(args.embed_dims), '--channels', str(args.channels),
                   '--repeat', str(args.repeat)]
            out = subprocess.run(cmd, capture_output=True, text=True,
                                 env=env)
            if out.returncode:
                print(f'{b:>6} {"naive" if not chunk else chunk}: failed\n'
                      + out.stderr[-2000:])
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            name = 'naive' if not chunk else f'chunk {chunk}'
            print(f'{b:>6} {name:>10} {one:>11.0f} MiB '
                  f"{r['peak'] / 2**20:>10.0f} {r['time']:>8.2f}  "
                  f"({r['device']})")


if __name__ == '__main__':
    main()
