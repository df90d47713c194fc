"""slp_mm on one CUDA GPU in one command: tests, training speed, NCCL STC.

    bash benchmarks/gpu_check.sh        # on the GPU machine (installs, runs)
    python benchmarks/gpu_check.py --dry-run   # on CPU, in CI

Checks, in this order, each reported in a row printed when it ends and
again in one table at the end (a failure is reported in its row and the
other checks still run; exit status 1 if any failed):

- tests: the CUDA-only tests (``pytest -m gpu tests/test_gpu``; the marker
  skips them where CUDA is absent, tests/conftest.py).
- stc: the gathered STC (``FineGrainedContrastiveHead``, the config's, with
  ``gather_negatives=True``) through a 1-rank NCCL process group (FileStore
  init), loss and backward, against the same head not gathering. One rank
  does not gather by itself (world size 1), so the head is told to: the
  check is that the collectives and their backward run on NCCL with this
  torch and change nothing.
- train: pre-training steps of ``configs/pretrain/sl15m_bf16.py`` (the
  paper-size model, AmpOptimWrapper with bf16 autocast) at batch 64, run as
  the Runner runs them (``model.train_step`` with the config's optim
  wrapper), eager and then with ``torch.compile`` of ``train_step`` (what
  ``tools/train.py --compile`` does). mBART-cc25's weights and tokenizer
  cannot be downloaded there: the text encoder is its architecture with
  random weights (``allow_random_weights``), the sentences use the
  synthetic corpus's own tokenizer. Data: the config's dataloader (sl15m
  pipeline, ``LengthBucketSampler``, its workers) over a synthetic corpus
  (slp_mm/corpus/synthetic_sign_corpus.py) of clips of 1-12 signs (12-240
  frames). Per variant, over the timed steps after the warm-up ones:
  samples/s over their wall time; data wait, the share of that time spent
  blocked on the dataloader (each step ends with the loss read back, which
  synchronises, as mmengine's logger does every iteration); MFU of the pose
  side, its FLOPs over the wall time over ``--peak-tflops``; peak memory,
  ``torch.cuda.max_memory_allocated``. The FLOPs are counted with
  ``FlopCounterMode`` on each timed batch, forward and backward as they run
  (the STC chunks' recomputation included), everything but the frozen text
  encoder (:func:`bench_train_step.count_pose_flops`). A variant that runs
  over ``--time-limit`` (240 s, compilation included) is stopped and
  reported failed.

``--dry-run`` runs every path but CUDA itself on CPU in seconds: the same
configs with the demo model's tiny widths (configs/pretrain/demo.py) and
``configs/pretrain/sl15m.py``'s fp32 optim wrapper (AmpOptimWrapper needs a
GPU), batch 4, one timed step and no warm-up, 2 workers, ``torch.compile``
with the ``eager`` backend (Dynamo traces, nothing is code-generated), gloo
instead of NCCL.
"""
import argparse
import math
import os
import os.path as osp
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from unittest import mock

import numpy as np
import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.runner import Runner
from torch._dynamo.utils import counters as dynamo_counters

from bench_train_step import count_pose_flops
from slp_mm.corpus.synthetic_sign_corpus import build_synthetic_corpus
from slp_mm.registry import DATASETS, MODELS
from slp_mm.engine import register_all_modules
from slp_mm.utils.heap_reuse import reuse_freed_heap

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CHECKS = ('tests', 'stc', 'train')
# per mode: the settings an option left unset takes
DEFAULTS = dict(
    gpu=dict(config='configs/pretrain/sl15m_bf16.py', batch=64, steps=20,
             warmup=3, workers=None, compile_backend='inductor'),
    dry=dict(config='configs/pretrain/sl15m.py', batch=4, steps=1, warmup=0,
             workers=2, compile_backend='eager'))
TINY_MODEL = 'configs/pretrain/demo.py'  # the dry run's model widths
MAX_SIGNS = 12  # signs per synthetic clip: 12-240 frames, mean ~85


class CheckFailed(Exception):
    """A check ran and its result is wrong."""


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--dry-run', action='store_true',
                   help='CPU, tiny widths, fp32, gloo: every path but CUDA')
    p.add_argument('--checks', nargs='+', choices=CHECKS, default=CHECKS)
    p.add_argument('--config', help='training config (default: '
                   f"{DEFAULTS['gpu']['config']}; dry run: "
                   f"{DEFAULTS['dry']['config']})")
    p.add_argument('--batch', type=int, help='samples per step (64; dry 4)')
    p.add_argument('--steps', type=int, help='timed steps (20; dry 1)')
    p.add_argument('--warmup', type=int,
                   help='untimed steps first (3; dry 0)')
    p.add_argument('--workers', type=int,
                   help="dataloader workers (the config's; dry 2)")
    p.add_argument('--compile-backend',
                   help='torch.compile backend (inductor; dry eager)')
    p.add_argument('--time-limit', type=float, default=240,
                   help='seconds a training variant may take (compilation '
                   'included) before it is stopped and reported failed')
    p.add_argument('--peak-tflops', type=float, default=989.0,
                   help='peak dense bf16 TFLOP/s of the GPU, for MFU '
                   '(H100 SXM: 989; H200 likewise)')
    p.add_argument('--tests', default='tests/test_gpu',
                   help='where the CUDA-only tests are')
    p.add_argument('--work-dir', help='corpus and stores (default: a new '
                   'temporary folder)')
    args = p.parse_args(argv)
    for key, value in DEFAULTS['dry' if args.dry_run else 'gpu'].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.work_dir = args.work_dir or tempfile.mkdtemp(prefix='gpu_check_')
    os.makedirs(args.work_dir, exist_ok=True)
    return args


def _time_out(signum, frame):
    raise TimeoutError('stopped at --time-limit')


def run_check(rows, label, check, time_limit=None):
    """Run ``check()``, which returns its result text, or (text, value), for
    at most ``time_limit`` seconds; append a row to ``rows`` and print it
    (a run killed later keeps the rows so far); return the value (None on
    failure)."""
    start = time.perf_counter()
    print(f'--- {label}', flush=True)
    if time_limit:
        signal.signal(signal.SIGALRM, _time_out)
        signal.alarm(math.ceil(time_limit))
    try:
        out = check()
        text, value = out if isinstance(out, tuple) else (out, None)
        status = 'PASS'
    except Exception as e:  # reported in the row; the other checks run on
        traceback.print_exc()
        message = (str(e).strip().splitlines() or [''])[0]
        text, value = f'{type(e).__name__}: {message}'[:200], None
        status = 'FAIL'
    finally:
        signal.alarm(0)
    rows.append((label, text, status, time.perf_counter() - start))
    print(f'--- {label}: {status} {text}', flush=True)
    return value


def run_gpu_tests(args) -> str:
    cmd = [sys.executable, '-m', 'pytest', '-m', 'gpu', '-q', '-rs', '-p',
           'no:cacheprovider', args.tests]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    print(proc.stdout + proc.stderr)
    lines = [ln.strip('= ') for ln in proc.stdout.splitlines()
             if re.search(r'\d+ (passed|failed|skipped|error|deselected)',
                          ln)]
    summary = lines[-1] if lines else f'pytest exited {proc.returncode}'
    if proc.returncode != 0:
        raise CheckFailed(summary)
    return summary


def training_config(args) -> Config:
    cfg = Config.fromfile(osp.join(REPO, args.config))
    if args.dry_run:
        # the tiny encoder, fed as the config feeds its own (the batched
        # pose stages run in the config's data preprocessor)
        preprocessor = cfg.model.data_preprocessor
        cfg.model = Config.fromfile(osp.join(REPO, TINY_MODEL)).model
        cfg.model.data_preprocessor = preprocessor
        for t in cfg.train_dataloader.dataset.pipeline:
            if t.type == 'TemporalSample':  # the tiny encoder's length
                t.max_frames = cfg.model.encoder.max_frames
    # no download there: mBART-cc25's architecture with random weights
    cfg.model.text_encoder.allow_random_weights = True
    return cfg


class TrainBench:
    """The model, optim wrapper and dataloader settings of a training config
    over a synthetic corpus, timed step by step (:meth:`run`)."""

    def __init__(self, args, device: torch.device):
        self.args, self.device = args, device
        cfg = training_config(args)
        batches = args.warmup + args.steps
        corpus = build_synthetic_corpus(
            osp.join(args.work_dir, 'corpus'),
            num_samples=args.batch * (batches + 1), seed=0,
            max_signs=MAX_SIGNS)
        loader = cfg.train_dataloader
        pipeline = [dict(t) for t in loader.dataset.pipeline]
        for t in pipeline:
            if t['type'] == 'TokenizeText':
                t['tokenizer'] = osp.join(corpus, 'tokenizer')
        self.dataset = DATASETS.build(
            dict(loader.dataset, data_root='', ann_file=corpus,
                 pipeline=pipeline))
        self.loader_cfg = dict(
            loader, dataset=self.dataset, batch_size=args.batch,
            sampler=dict(loader.sampler, batch_size=args.batch),
            num_workers=(loader.num_workers if args.workers is None else
                         args.workers),
            pin_memory=device.type == 'cuda')
        torch.manual_seed(0)
        self.model = MODELS.build(cfg.model).to(device).train()
        self.optim_wrapper = build_optim_wrapper(self.model,
                                                 cfg.optim_wrapper)
        self.precision = type(self.optim_wrapper).__name__ + (
            f' {self.optim_wrapper.cast_dtype}'
            if hasattr(self.optim_wrapper, 'cast_dtype') else ' fp32')

    def describe(self) -> str:
        lengths = np.asarray(self.dataset.lengths())
        params = sum(p.numel() for p in self.model.parameters())
        trainable = sum(p.numel() for p in self.model.parameters()
                        if p.requires_grad)
        return (f'{self.args.config}, {self.precision}; corpus '
                f'{len(lengths)} clips of {lengths.min()}-{lengths.max()} '
                f'frames (mean {lengths.mean():.0f}); model '
                f'{params / 1e6:.1f}M params, {trainable / 1e6:.1f}M '
                f"trainable; {self.loader_cfg['num_workers']} workers")

    def _sync(self):
        if self.device.type == 'cuda':
            torch.cuda.synchronize(self.device)

    def run(self, compiled: bool) -> str:
        args, model = self.args, self.model
        if compiled:  # as mmengine's Runner does with `compile=True`
            model.train_step = torch.compile(
                model.train_step, backend=args.compile_backend)
        try:
            reuse_freed_heap()  # as training does (build_runner)
            loader = Runner.build_dataloader(dict(self.loader_cfg),
                                             seed=int(compiled))
            batches = iter(loader)
            for _ in range(args.warmup):
                model.train_step(next(batches), self.optim_wrapper)
            self._sync()
            if self.device.type == 'cuda':
                torch.cuda.reset_peak_memory_stats(self.device)
            graphs = dynamo_counters['stats']['unique_graphs']
            wait = busy = 0.0
            timed, losses = [], []
            for _ in range(args.steps):
                start = time.perf_counter()
                batch = next(batches)
                got = time.perf_counter()
                log_vars = model.train_step(batch, self.optim_wrapper)
                losses.append(log_vars['loss'].item())  # synchronises
                self._sync()
                wait += got - start
                busy += time.perf_counter() - got
                timed.append(batch)
            del batches  # ends the workers
            graphs = dynamo_counters['stats']['unique_graphs'] - graphs
            peak = (torch.cuda.max_memory_allocated(self.device)
                    if self.device.type == 'cuda' else None)
            flops = sum(self.pose_flops(b) for b in timed)
        finally:
            if compiled:
                del model.train_step  # the class's method again
        if not all(math.isfinite(v) for v in losses):
            raise CheckFailed(f'non-finite loss: {losses}')
        wall = wait + busy
        return (f'{args.batch * args.steps / wall:.1f} samples/s; MFU '
                f'{100 * flops / wall / (args.peak_tflops * 1e12):.2f} % '
                f'({flops / args.steps / 1e9:.1f} GFLOP a step); data wait '
                f'{100 * wait / wall:.1f} %; peak '
                + ('-' if peak is None else f'{peak / 2**30:.1f} GiB')
                + f'; loss {losses[0]:.3f} -> {losses[-1]:.3f}'
                + (f'; {graphs} graphs compiled in the timed steps'
                   if compiled else ''))

    def pose_flops(self, batch) -> int:
        """FLOPs of one step's pose side on ``batch``, counted through the
        model's ``forward`` (eager: only ``train_step`` is compiled)."""
        data = self.model.data_preprocessor(batch, True)
        return count_pose_flops(
            self.model, data,
            lambda: self.optim_wrapper.optim_context(self.model))


def stc_inputs(head_cfg, batch: int, frames: int, words: int,
               device: torch.device) -> dict:
    """Random :meth:`FineGrainedContrastiveHead.loss` inputs of ``batch``
    pairs, right-padded, every third sentence a repeat of the one before."""
    g = torch.Generator().manual_seed(0)
    pose_mask = torch.arange(frames) < torch.randint(
        frames // 4, frames + 1, (batch, 1), generator=g)  # (B, T)
    text_mask = torch.arange(words) < torch.randint(
        2, words + 1, (batch, 1), generator=g)  # (B, L)
    text_ids = torch.randint(4, 500, (batch, words), generator=g)
    for i in range(2, batch, 3):
        text_ids[i], text_mask[i] = text_ids[i - 1], text_mask[i - 1]
    inputs = dict(
        pose_feats=torch.randn(batch, frames, head_cfg.pose_channels,
                               generator=g),
        pose_mask=pose_mask,
        text_feats=torch.randn(batch, words, head_cfg.text_channels,
                               generator=g),
        text_mask=text_mask,
        text_ids=text_ids)
    return {k: v.to(device) for k, v in inputs.items()}


def stc_loss_and_grads(head, inputs) -> list:
    """[loss, d loss / d (pose, text features), d loss / d parameters]."""
    feats = {k: v.detach().requires_grad_(v.is_floating_point())
             for k, v in inputs.items()}
    head.zero_grad()
    loss = head.loss(**feats)['loss_stc']
    loss.backward()
    return [loss.detach(), feats['pose_feats'].grad,
            feats['text_feats'].grad] + [p.grad for p in head.parameters()]


def check_gathered_stc(args, device: torch.device) -> str:
    backend = 'nccl' if device.type == 'cuda' else 'gloo'
    fd, store_file = tempfile.mkstemp(prefix='stc_store_', dir=args.work_dir)
    os.close(fd)  # a fresh file, not one left behind by a killed run
    dist.init_process_group(backend, store=dist.FileStore(store_file, 1),
                            rank=0, world_size=1)
    try:
        head_cfg = training_config(args).model.stc_head
        torch.manual_seed(0)
        head = MODELS.build(head_cfg).to(device)
        frames, words = (256, 32) if device.type == 'cuda' else (16, 8)
        inputs = stc_inputs(head_cfg, args.batch, frames, words, device)
        local = stc_loss_and_grads(head, inputs)
        # world size 1 never gathers by itself: make it
        with mock.patch.object(type(head), '_gathers', return_value=True):
            gathered = stc_loss_and_grads(head, inputs)
    finally:
        dist.destroy_process_group()
    diff = max(((g - r).norm() / r.norm().clamp(min=1e-30)).item()
               for g, r in zip(gathered, local))
    text = (f'{backend}, 1 rank, B={args.batch}, T={frames}, L={words}: '
            f'loss {local[0].item():.4f}; largest relative difference of '
            f'loss and gradients {diff:.1e}')
    if not diff <= 1e-5:
        raise CheckFailed(text)
    return text


def environment(device: torch.device) -> str:
    if device.type == 'cuda':
        where = (f'{torch.cuda.get_device_name(device)}, CUDA '
                 f'{torch.version.cuda}')
    else:
        where = 'CPU (dry run)'
    return (f'{where}; torch {torch.__version__}, Python '
            f'{platform.python_version()}, numpy {np.__version__}')


def print_table(title: str, rows) -> None:
    print(f'\nGPU check: {title}\n')
    print('| check | result | status | s |')
    print('|---|---|---|---|')
    for label, text, status, seconds in rows:
        print(f'| {label} | {text} | {status} | {seconds:.0f} |')


def main(argv=None) -> int:
    args = parse_args(argv)
    register_all_modules()
    if args.dry_run:
        device = torch.device('cpu')
        # a tiny model gains nothing from intra-op threads, and on a shared
        # CPU their spin-waits made a step 25x slower (2 cores, load 7)
        torch.set_num_threads(1)
    elif torch.cuda.is_available():
        device = torch.device('cuda', 0)
        torch.cuda.set_device(device)
    else:
        sys.exit('gpu_check: no CUDA device here; use --dry-run on CPU')
    rows = []  # the short checks first, compilation last
    if 'tests' in args.checks:
        run_check(rows, 'CUDA-only tests', lambda: run_gpu_tests(args))
    if 'stc' in args.checks:
        run_check(rows, 'STC gathered vs local',
                  lambda: check_gathered_stc(args, device))
    if 'train' in args.checks:

        def build_bench():
            bench = TrainBench(args, device)
            return bench.describe(), bench

        bench = run_check(rows, 'train setup', build_bench)
        if bench is not None:
            for compiled in (False, True):
                variant = (f'torch.compile ({args.compile_backend})'
                           if compiled else 'eager')
                run_check(rows, f'train b{args.batch} {variant}',
                          lambda: bench.run(compiled), args.time_limit)
    print_table(environment(device), rows)
    return int(any(status == 'FAIL' for _, _, status, _ in rows))


if __name__ == '__main__':
    sys.exit(main())
