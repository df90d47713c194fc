"""Plot training curves and compute iteration times from mmengine JSON logs
(``<work_dir>/<timestamp>/vis_data/scalars.json`` or ``<timestamp>.json``).

    python tools/analysis/analyze_logs.py plot_curve \
        work_dirs/demo/*/vis_data/scalars.json --keys loss_mpm loss_stc \
        --out curves.png
    python tools/analysis/analyze_logs.py cal_train_time \
        work_dirs/demo/*/vis_data/scalars.json
"""
import argparse

from slp_mm.utils.cli_errors import (HelpFormatter, add_debug_argument,
                                     run_cli)


def plot_curve(args) -> None:
    from slp_mm.visualization.training_curves import plot_training_curves
    fig = plot_training_curves(args.json_logs, args.keys, args.legend,
                               args.title)
    fig.savefig(args.out, dpi=120)
    print(f'wrote {args.out}')


def cal_train_time(args) -> None:
    from slp_mm.visualization.training_curves import train_time_stats
    for path in args.json_logs:
        stats = train_time_stats(path, args.include_outliers)
        times = stats['epoch_times']
        print(f'{"-" * 5}Analyze train time of {path}{"-" * 5}')
        print(f"slowest epoch {stats['slowest_epoch']}, average time is "
              f"{times[stats['slowest_epoch']]:.4f} s/iter")
        print(f"fastest epoch {stats['fastest_epoch']}, average time is "
              f"{times[stats['fastest_epoch']]:.4f} s/iter")
        print(f"time std over epochs is {stats['std_over_epochs']:.4f}")
        print(f"average iter time: {stats['mean_iter_time']:.4f} s/iter")


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    sub = p.add_subparsers(dest='task', required=True)
    curve = sub.add_parser('plot_curve', help='plot logged scalars')
    curve.add_argument('json_logs', nargs='+', help='mmengine JSON logs')
    curve.add_argument('--keys',
                       nargs='+',
                       default=['loss'],
                       help='logged scalars to plot (default: loss)')
    curve.add_argument('--legend',
                       nargs='+',
                       help='one name per log (default: work_dir/timestamp)')
    curve.add_argument('--title', help='figure title (default: none)')
    curve.add_argument('--out',
                       default='curves.png',
                       help='PNG to write (default: curves.png)')
    curve.set_defaults(func=plot_curve)
    timing = sub.add_parser('cal_train_time',
                            help='seconds per iteration per epoch')
    timing.add_argument('json_logs', nargs='+', help='mmengine JSON logs')
    timing.add_argument('--include-outliers',
                        action='store_true',
                        help='keep the first logged window of each epoch')
    timing.set_defaults(func=cal_train_time)
    add_debug_argument(p)
    args = p.parse_args(argv)
    args.func(args)


if __name__ == '__main__':
    run_cli(main)
