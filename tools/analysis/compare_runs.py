"""Compare the final metrics of several runs (e.g. the ablations) in a table.

    python tools/analysis/compare_runs.py work_dirs/stc_weight_0.1 \
        work_dirs/sl15m --keys loss loss_mpm loss_stc --out ablation

mmengine logs the scalars of a run to
``<work_dir>/<timestamp>/vis_data/scalars.json`` (one JSON object per line).
For each run and key this takes the last logged value, reading the
timestamped folders in order so a resumed run's latest value wins, and
writes ``PREFIX.md`` (Markdown table), ``PREFIX.csv`` and ``PREFIX.png``
(bar plot, one group per key), then prints the Markdown table.
"""
import argparse
import csv
import glob
import json
import math
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence


def scalar_files(work_dir: str) -> List[str]:
    """The ``scalars.json`` files of a run, oldest first. ``work_dir`` may
    also be a timestamped folder or a ``scalars.json`` file itself."""
    if osp.isfile(work_dir):
        return [work_dir]
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    own = osp.join(work_dir, 'vis_data', 'scalars.json')
    if osp.isfile(own):
        files.append(own)
    return files


def final_metrics(work_dir: str,
                  keys: Sequence[str]) -> Dict[str, Optional[float]]:
    """Last logged value of each key (None if never logged)."""
    files = scalar_files(work_dir)
    if not files:
        raise FileNotFoundError(
            f'no <timestamp>/vis_data/scalars.json under {work_dir!r}')
    values: Dict[str, Optional[float]] = {k: None for k in keys}
    for path in files:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut by a killed run
                for k in keys:
                    if k in record:
                        values[k] = float(record[k])
    return values


def run_name(work_dir: str) -> str:
    return osp.basename(osp.normpath(work_dir))


def _fmt(v: Optional[float]) -> str:
    return '-' if v is None else f'{v:.4g}'


def markdown_table(rows: Dict[str, Dict[str, Optional[float]]],
                   keys: Sequence[str]) -> str:
    lines = ['| run | ' + ' | '.join(keys) + ' |',
             '|---|' + '---:|' * len(keys)]
    for name, vals in rows.items():
        lines.append(f'| {name} | ' + ' | '.join(_fmt(vals[k])
                                                 for k in keys) + ' |')
    return '\n'.join(lines) + '\n'


def write_csv(path: str, rows: Dict[str, Dict[str, Optional[float]]],
              keys: Sequence[str]) -> None:
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['run'] + list(keys))
        for name, vals in rows.items():
            writer.writerow([name] + ['' if vals[k] is None else vals[k]
                                      for k in keys])


def bar_plot(path: str, rows: Dict[str, Dict[str, Optional[float]]],
             keys: Sequence[str]) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    names = list(rows)
    width = 0.8 / max(len(names), 1)
    fig, ax = plt.subplots(
        figsize=(max(4, 1.2 * len(keys) * max(len(names), 2) * 0.6), 4))
    for i, name in enumerate(names):
        ys = [rows[name][k] for k in keys]
        ys = [math.nan if y is None else y for y in ys]
        xs = [j - 0.4 + width * (i + 0.5) for j in range(len(keys))]
        ax.bar(xs, ys, width=width, label=name)
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels(keys)
    ax.set_ylabel('final value')
    ax.legend(fontsize='small')
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def compare(work_dirs: Sequence[str], keys: Sequence[str],
            out: str) -> str:
    """Write ``out``.md/.csv/.png and return the Markdown table."""
    rows = {}
    for work_dir in work_dirs:
        name = run_name(work_dir)
        if name in rows:  # same basename under different parents
            name = osp.normpath(work_dir)
        rows[name] = final_metrics(work_dir, keys)
    table = markdown_table(rows, keys)
    out_dir = osp.dirname(out)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    with open(out + '.md', 'w') as f:
        f.write(table)
    write_csv(out + '.csv', rows, keys)
    bar_plot(out + '.png', rows, keys)
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dirs', nargs='+', metavar='WORK_DIR')
    parser.add_argument(
        '--keys', nargs='+', required=True,
        help='scalars to compare, e.g. loss loss_mpm loss_stc or '
        'islr/top1_acc')
    parser.add_argument('--out', required=True,
                        help='output prefix: writes PREFIX.md/.csv/.png')
    args = parser.parse_args(argv)
    print(compare(args.work_dirs, args.keys, args.out), end='')


if __name__ == '__main__':
    main()
