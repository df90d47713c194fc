"""Train a model from a config (OpenMMLab-style entry point).

    python tools/train.py configs/pretrain/demo.py
    bash tools/dist_train.sh configs/pretrain/sl15m.py 8 --amp
    bash tools/dist_train.sh configs/pretrain/sl15m_fsdp.py 8

A config with ``runner_type='FlexibleRunner'`` (FSDP, DeepSpeed) is built
through mmengine's RUNNERS registry, any other with :class:`Runner`.
"""
import argparse
import os
import os.path as osp

import torch
from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from slp_mm.engine import install_checkpoint_safety, register_all_modules
from slp_mm.engine.resume_checkpoint import resume_checkpoint
from slp_mm.utils import check_config
from slp_mm.utils.launch import init_cpu_distributed


def parse_args():
    parser = argparse.ArgumentParser(description='Train a slp_mm model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from PATH, or with no value (or "auto") from the '
        'latest checkpoint in the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='automatic mixed precision: bf16 autocast where the GPU has '
        'bf16 (compute capability >= 8.0), else fp16 with dynamic loss '
        'scaling; needs a GPU')
    parser.add_argument(
        '--compile',
        action='store_true',
        help='torch.compile the train step (mmengine Runner `compile=True`)')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the real batch size')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. train_cfg.max_epochs=2')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg: Config, args) -> Config:
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        # AMP's GradScaler skips non-finite steps itself
        if optim_wrapper in ('OptimWrapper', 'GuardedOptimWrapper'):
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.pop('max_consecutive', None)
            for key, value in amp_settings().items():  # the config's win
                cfg.optim_wrapper.setdefault(key, value)
    if args.compile:
        cfg.compile = True
    if args.resume is not None:
        try:
            cfg.load_from = resume_checkpoint(
                cfg.work_dir, None if args.resume == 'auto' else args.resume)
        except FileNotFoundError as e:
            raise SystemExit(str(e)) from e
        cfg.resume = cfg.load_from is not None
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def amp_settings() -> dict:
    """``AmpOptimWrapper`` arguments for this machine's accelerator.

    bf16 has fp32's exponent range, so its gradients need no loss scaling:
    the static scale 1.0 keeps GradScaler only to skip non-finite steps.
    fp16 (GPUs before Ampere) needs dynamic loss scaling.
    """
    if not torch.cuda.is_available():
        # mmengine 0.10.7's AmpOptimWrapper asserts an accelerator
        raise SystemExit(
            '--amp: mmengine 0.10.7 AmpOptimWrapper runs on CUDA, NPU, MLU '
            'or MUSA only, and no GPU is visible; train in fp32 (drop '
            '--amp). CPU bf16 autocast is not wired into training.')
    if torch.cuda.is_bf16_supported(including_emulation=False):
        return dict(dtype='bfloat16', loss_scale=1.0)
    return dict(dtype='float16', loss_scale='dynamic')


def build_runner(cfg: Config):
    """:class:`Runner`, or the runner that ``cfg.runner_type`` names."""
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    if cfg.get('compile'):
        # FlexibleRunner.from_cfg of mmengine 0.10.7 drops `compile`
        raise SystemExit(
            f'{cfg.filename}: compile is ignored by {cfg.runner_type} in '
            'mmengine 0.10.7; remove --compile / `compile`')
    return RUNNERS.build(cfg)


def main():
    args = parse_args()
    register_all_modules()
    install_checkpoint_safety()
    cfg = merge_args(Config.fromfile(args.config), args)
    check_config(cfg)
    init_cpu_distributed(cfg)
    build_runner(cfg).train()


if __name__ == '__main__':
    main()
