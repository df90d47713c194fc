"""Where the time of one sl15m pre-training step goes, and its peak memory.

    python benchmarks/bench_train_step.py --batch 8
    python benchmarks/bench_train_step.py --device cuda --batch 64 --amp

One step is: data (samples of the synthetic corpus through the sl15m
pipeline, collate, data preprocessor), the model's own ``loss`` (split by
forward hooks into text encoder, pose encoder = embedder + encoder, and heads
= the rest of ``loss``: MPM + STC), backward, and the optimizer step of the
config's optim wrapper (gradient clipping included). Clips keep the synthetic
corpus's lengths (tens of frames, like the median real clip); the sentences
use its tokenizer (mBART-cc25's is not available offline).

Peak memory: on CUDA ``torch.cuda.max_memory_allocated``; on CPU the peak
process RSS (sampled every millisecond by psutil) above its value at the
start of the step (tracemalloc does not see torch's allocator). The FLOPs of
the trainable pose side (everything but the frozen text encoder, forward and
backward) are counted with ``FlopCounterMode``; on CUDA their rate is given
as a fraction of ``--peak-tflops`` (model FLOPs utilisation).
"""
import argparse
import contextlib
import threading
import time
from collections import defaultdict

import psutil
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from torch.utils.flop_counter import FlopCounterMode

from slp_mm.registry import DATASETS, MODELS
from slp_mm.engine import register_all_modules

PARTS = ('data', 'text_encoder', 'pose_encoder', 'heads', 'backward',
         'optimizer')


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--config', default='configs/pretrain/sl15m.py')
    p.add_argument('--corpus', default='configs/_base_/datasets/'
                   'demo_synthetic.py', help='config of the sample source')
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--steps', type=int, default=3, help='timed steps')
    p.add_argument('--device', default='cpu')
    p.add_argument('--amp', action='store_true',
                   help='bf16 autocast (fp16 on GPUs without bf16)')
    p.add_argument('--compile', action='store_true',
                   help='torch.compile the transformer branches')
    p.add_argument('--peak-tflops', type=float, default=989.0,
                   help='peak dense bf16 TFLOP/s of the GPU (H100 SXM: 989)')
    return p.parse_args()


class PartTimer:
    """Wall time of named parts; synchronises CUDA at each boundary."""

    def __init__(self, device: torch.device):
        self.device = device
        self.seconds = defaultdict(float)
        self._start = {}

    def now(self) -> float:
        if self.device.type == 'cuda':
            torch.cuda.synchronize(self.device)
        return time.perf_counter()

    @contextlib.contextmanager
    def part(self, name: str):
        start = self.now()
        yield
        self.seconds[name] += self.now() - start

    def hook_span(self, name: str, first: torch.nn.Module,
                  last: torch.nn.Module) -> None:
        """Time from ``first``'s forward start to ``last``'s forward end."""
        first.register_forward_pre_hook(
            lambda *_: self._start.__setitem__(name, self.now()))
        last.register_forward_hook(lambda *_: self.seconds.__setitem__(
            name, self.seconds[name] + self.now() - self._start[name]))


class PeakRSS:
    """Peak resident memory of this process above its value at entry."""

    def __enter__(self):
        self._proc = psutil.Process()
        self.base = self.peak = self._proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.001):
            self.peak = max(self.peak, self._proc.memory_info().rss)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)

    @property
    def delta(self) -> int:
        return self.peak - self.base


def build_dataset(cfg: Config, corpus: Config):
    """The corpus config's samples through ``cfg``'s training pipeline."""
    pipeline = [dict(t) for t in cfg.train_pipeline]
    for t in pipeline:
        if t['type'] == 'TokenizeText':
            t['tokenizer'] = corpus.tokenizer
    ds = dict(corpus.train_dataloader.dataset, pipeline=pipeline)
    return DATASETS.build(ds)


def train_step(model, dataset, indexes, optim_wrapper, timer, autocast):
    with timer.part('data'):
        data = model.data_preprocessor(
            pseudo_collate([dataset[i] for i in indexes]), training=True)
    with timer.part('loss'), autocast():
        losses = model(**data, mode='loss')
        loss, _ = model.parse_losses(losses)
    with timer.part('backward'):
        loss.backward()
    with timer.part('optimizer'):
        optim_wrapper.step()
        optim_wrapper.zero_grad()
    return data


def count_pose_flops(model, data, autocast) -> int:
    """FLOPs of one step's ``loss`` and backward, less the frozen text
    encoder's (which may be zero: its sentence cache)."""
    counter = FlopCounterMode(display=False)
    with counter:
        with autocast():
            loss, _ = model.parse_losses(model(**data, mode='loss'))
        loss.backward()
    model.zero_grad()
    text = counter.get_flop_counts().get(
        f'{type(model).__name__}.text_encoder', {})
    return counter.get_total_flops() - sum(text.values())


def main():
    args = parse_args()
    register_all_modules()
    device = torch.device(args.device)
    cfg = Config.fromfile(args.config)
    dataset = build_dataset(cfg, Config.fromfile(args.corpus))
    model = MODELS.build(cfg.model).to(device).train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    if args.compile:
        for branch in model.encoder.layers.values():
            branch.compile()
    dtype = torch.bfloat16
    if (args.amp and device.type == 'cuda'
            and not torch.cuda.is_bf16_supported(including_emulation=False)):
        dtype = torch.float16

    def autocast():
        return torch.autocast(device.type, dtype=dtype, enabled=args.amp)

    timer = PartTimer(device)
    timer.hook_span('text_encoder', model.text_encoder, model.text_encoder)
    timer.hook_span('pose_encoder', model.embedder, model.encoder)
    b = args.batch
    train_step(model, dataset, range(b), optim_wrapper, timer,
               autocast)  # warm-up: allocator, lazy init, compilation
    timer.seconds.clear()
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
    shapes = []
    with PeakRSS() as rss:
        for step in range(1, args.steps + 1):
            data = train_step(model, dataset, range(step * b, (step + 1) * b),
                              optim_wrapper, timer, autocast)
            shapes.append(tuple(data['inputs']['pose'].shape[:2]))
    sec = {k: v / args.steps for k, v in timer.seconds.items()}
    sec['heads'] = sec.pop('loss') - sec['text_encoder'] - sec['pose_encoder']
    total = sum(sec.values())
    precision = f'amp {dtype}' if args.amp else 'fp32'
    print(f'{args.config} on {device} ({precision}'
          f'{", compiled" if args.compile else ""}, torch '
          f'{torch.__version__}, {torch.get_num_threads()} threads): batch '
          f'{b}, (B, T) per step {shapes}, mean of {args.steps} steps')
    print(f'step {total * 1000:.0f} ms, {b / total:.2f} samples/s')
    for part in PARTS:
        print(f'  {part:<13}{sec[part] * 1000:9.0f} ms '
              f'{100 * sec[part] / total:5.1f} %')
    if device.type == 'cuda':
        print('peak memory: '
              f'{torch.cuda.max_memory_allocated(device) / 2**30:.2f} GiB '
              '(max_memory_allocated)')
    else:
        print(f'peak memory: +{rss.delta / 2**20:.0f} MiB RSS above the '
              f'start of the timed steps ({rss.base / 2**30:.2f} GiB before)')
    flops = count_pose_flops(model, data, autocast)
    pose_sec = sec['pose_encoder'] + sec['heads'] + sec['backward']
    if model.text_encoder.cache_size:
        print(f'text encoder cache: {model.text_encoder.cache_info()}')
    print(f'pose side (forward + backward, last batch): {flops / 1e9:.1f} '
          f'GFLOP, {flops / pose_sec / 1e12:.3f} TFLOP/s')
    if device.type == 'cuda':
        print(f'model FLOPs utilisation (pose side): '
              f'{100 * flops / pose_sec / (args.peak_tflops * 1e12):.1f} % '
              f'of {args.peak_tflops:g} TFLOP/s')


if __name__ == '__main__':
    main()
