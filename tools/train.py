"""Train a model from a config: the OpenMMLab-style training entry point.

    python tools/train.py configs/pretrain/demo.py
    bash tools/dist_train.sh configs/pretrain/sl15m.py 8 --amp
    bash tools/dist_train.sh configs/pretrain/sl15m_fsdp.py 8

A config with ``runner_type='FlexibleRunner'`` (FSDP, DeepSpeed) is built
through mmengine's RUNNERS registry, any other with :class:`Runner`.
"""
import argparse

from slp_mm.utils.cli_errors import (HelpFormatter, add_runner_arguments,
                                     parse_runner_args, run_cli)


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0], formatter_class=HelpFormatter)
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--work-dir',
        help='the dir to save logs and models (default: the config\'s '
        'work_dir, else ./work_dirs/<config name>)')
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
    add_runner_arguments(parser, 'train_cfg.max_epochs=2')
    return parse_runner_args(parser)


def main():
    args = parse_args()
    from slp_mm.engine import install_checkpoint_safety, register_all_modules
    from slp_mm.engine.train_setup import apply_train_options, build_runner
    from slp_mm.utils.config_check import check_config, load_config
    from slp_mm.utils.launch import init_cpu_distributed
    register_all_modules()
    install_checkpoint_safety()
    cfg = apply_train_options(
        load_config(args.config), args.config, launcher=args.launcher,
        work_dir=args.work_dir, amp=args.amp, compile=args.compile,
        resume=args.resume, auto_scale_lr=args.auto_scale_lr,
        cfg_options=args.cfg_options)
    check_config(cfg)
    init_cpu_distributed(cfg)
    build_runner(cfg).train()


if __name__ == '__main__':
    run_cli(main)
