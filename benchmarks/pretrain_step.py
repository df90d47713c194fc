"""Time of one pre-training step (forward + backward + AdamW) of a config's
model on random whole-body input, and its peak GPU memory.

    python benchmarks/pretrain_step.py configs/pretrain/sl15m.py --batch 64
"""
import argparse
import time

import torch
from mmengine.config import Config

from slp_mm.registry import MODELS
from slp_mm.utils import register_all_modules


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--frames', type=int, default=256)
    p.add_argument('--tokens', type=int, default=32)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--amp', action='store_true')
    args = p.parse_args()
    register_all_modules()
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    cfg = Config.fromfile(args.config)
    model = MODELS.build(cfg.model).to(dev).train()
    k = model.embedder.layout.num_keypoints
    b, t = args.batch, args.frames
    inputs = dict(
        pose=torch.rand(b, t, k, 3, device=dev) * 2 - 1,
        pose_mask=torch.ones(b, t, dtype=torch.bool, device=dev),
        mpm_mask=torch.rand(b, t, k, device=dev) < 0.4,
        paired=torch.ones(b, dtype=torch.bool, device=dev),
        text_ids=torch.randint(4, 200, (b, args.tokens), device=dev),
        text_mask=torch.ones(b, args.tokens, dtype=torch.bool, device=dev))
    opt = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=1e-4)
    times = []
    for step in range(args.steps + 1):
        if dev == 'cuda':
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        with torch.autocast(dev, enabled=args.amp, dtype=torch.bfloat16):
            losses = model(inputs, mode='loss')
        (losses['loss_mpm'] + losses['loss_stc']).backward()
        opt.step()
        opt.zero_grad()
        if dev == 'cuda':
            torch.cuda.synchronize()
        if step:  # the first step warms up
            times.append(time.perf_counter() - t0)
    mean = sum(times) / len(times)
    print(f'{args.config} on {dev}: batch {b} x {t} frames, '
          f'{mean * 1000:.0f} ms/step, {b / mean:.1f} samples/s')
    if dev == 'cuda':
        print(f'peak memory: {torch.cuda.max_memory_allocated() / 2**30:.1f} '
              'GiB')


if __name__ == '__main__':
    main()
