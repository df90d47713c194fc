"""Evaluate a checkpoint with a config's test loop and write the metrics.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--dump preds.pkl]
    bash tools/dist_test.sh CONFIG CHECKPOINT 8

The metrics go to ``<work dir>/<timestamp>/metrics.json`` unless ``--out``
says otherwise; ``--dump`` writes every sample's prediction (mmengine's
``DumpResults``, as mmaction2's ``tools/test.py --dump``).
"""
import argparse
import os.path as osp

from slp_mm.utils.cli_errors import (HelpFormatter, add_runner_arguments,
                                     parse_runner_args, run_cli)


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=HelpFormatter)
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='the dir to save logs and results (default: '
        './work_dirs/<config name>)')
    parser.add_argument(
        '--out',
        help='dump the metric results to this .json/.yaml file (default: '
        'metrics.json in the run\'s log dir)')
    parser.add_argument(
        '--dump',
        help='write the prediction of every test sample to this .pkl file')
    add_runner_arguments(parser, 'test_dataloader.batch_size=8')
    return parse_runner_args(parser)


def add_dump_metric(cfg, dump: str) -> None:
    """Append mmengine's ``DumpResults`` to the test evaluator."""
    from slp_mm.utils.cli_errors import UserError
    if not dump.endswith(('.pkl', '.pickle')):
        raise UserError(f'--dump {dump}: the file must end in .pkl or '
                        '.pickle (DumpResults writes a pickle)')
    metric = dict(type='DumpResults', out_file_path=dump)
    evaluator = cfg.test_evaluator
    cfg.test_evaluator = (list(evaluator) if isinstance(
        evaluator, (list, tuple)) else [evaluator]) + [metric]


def load_test_config(args):
    """The config with the command line's settings applied, checked."""
    from slp_mm.utils.config_check import check_config, load_config
    from slp_mm.utils.cli_errors import UserError
    cfg = load_config(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if cfg.get('test_dataloader') is None:
        raise UserError(f'{args.config} defines no test_dataloader / '
                        'test_evaluator (pre-training configs have no test '
                        'split; evaluate a downstream config instead)')
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint {args.checkpoint} does not '
                                'exist')
    if args.dump:
        add_dump_metric(cfg, args.dump)
    cfg.load_from = args.checkpoint
    check_config(cfg)
    return cfg


def main():
    args = parse_args()
    from mmengine.dist import is_main_process
    from mmengine.fileio import dump
    from mmengine.model import is_model_wrapper
    from mmengine.runner import Runner
    from mmengine.runner.checkpoint import _load_checkpoint

    from slp_mm.apis.model import check_fits
    from slp_mm.engine import install_checkpoint_safety, register_all_modules
    from slp_mm.utils.launch import init_cpu_distributed

    register_all_modules()
    install_checkpoint_safety()
    cfg = load_test_config(args)
    init_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    # inference's check, before testing (mmengine's non-strict load_from
    # would test untrained layers); the Runner then loads it as usual
    checkpoint = _load_checkpoint(args.checkpoint, map_location='cpu')
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    check_fits(model, checkpoint.get('state_dict', checkpoint),
               args.checkpoint, args.config)
    metrics = runner.test()
    if not is_main_process():  # every rank has the metrics: one writes
        return
    out = args.out or osp.join(runner.log_dir, 'metrics.json')
    dump(metrics, out)
    print(f'wrote the metrics to {out}')
    if args.dump:
        print(f'wrote the predictions of every sample to {args.dump}')


if __name__ == '__main__':
    run_cli(main)
