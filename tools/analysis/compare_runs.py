"""Compare the final metrics of several runs (e.g. the ablations) in a table
and a bar plot.

    python tools/analysis/compare_runs.py work_dirs/stc_weight_0.1 \
        work_dirs/sl15m --keys loss loss_mpm loss_stc --out ablation

For each run and key this takes the last value logged to
``<work_dir>/<timestamp>/vis_data/scalars.json`` (the timestamped folders
in order, so a resumed run's latest value wins), writes ``PREFIX.md``
(Markdown table), ``PREFIX.csv`` and ``PREFIX.png`` (one bar group per key)
and prints the Markdown table. The logs are read by
``slp_mm.visualization.training_curves``, as analyze_logs.py reads them.
"""
import argparse

from slp_mm.utils.cli_errors import (HelpFormatter, add_debug_argument,
                                     run_cli)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    parser.add_argument('work_dirs',
                        nargs='+',
                        metavar='WORK_DIR',
                        help='run work dirs (or their scalars.json files)')
    parser.add_argument(
        '--keys',
        nargs='+',
        required=True,
        help='scalars to compare, e.g. loss loss_mpm loss_stc or '
        'islr/top1_acc')
    parser.add_argument('--out',
                        required=True,
                        help='output prefix: writes PREFIX.md/.csv/.png')
    add_debug_argument(parser)
    args = parser.parse_args(argv)
    from slp_mm.visualization.run_comparison import write_run_comparison
    print(write_run_comparison(args.work_dirs, args.keys, args.out), end='')
    print(f'wrote {args.out}.md, {args.out}.csv and {args.out}.png')


if __name__ == '__main__':
    run_cli(main)
