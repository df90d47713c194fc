"""The final metrics of several runs (e.g. the ablations) side by side: a
Markdown table, a CSV and a bar plot, read by :func:`final_values`."""
import csv
import math
import os
import os.path as osp
from typing import Dict, Optional, Sequence

from .training_curves import final_values

RunValues = Dict[str, Dict[str, Optional[float]]]  # run -> key -> value


def compare_runs(work_dirs: Sequence[str], keys: Sequence[str]) -> RunValues:
    """{run name: {key: last logged value or None}}; a run is named by its
    folder, or by its whole path where two folders share a name."""
    rows = {}
    for work_dir in work_dirs:
        name = osp.basename(osp.normpath(work_dir))
        if name in rows:  # same basename under different parents
            name = osp.normpath(work_dir)
        rows[name] = final_values(work_dir, keys)
    return rows


def _fmt(v: Optional[float]) -> str:
    return '-' if v is None else f'{v:.4g}'


def markdown_table(rows: RunValues, keys: Sequence[str]) -> str:
    lines = [
        '| run | ' + ' | '.join(keys) + ' |', '|---|' + '---:|' * len(keys)
    ]
    for name, vals in rows.items():
        lines.append(f'| {name} | ' + ' | '.join(_fmt(vals[k])
                                                 for k in keys) + ' |')
    return '\n'.join(lines) + '\n'


def write_csv(path: str, rows: RunValues, keys: Sequence[str]) -> None:
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['run'] + list(keys))
        for name, vals in rows.items():
            writer.writerow([name] +
                            ['' if vals[k] is None else vals[k] for k in keys])


def value_limits(values: Sequence[float]) -> tuple:
    """Value-axis limits of one key's bars: from 0 when the bars differ by
    a visible share of their height, else zoomed so the smallest difference
    spans at least a fifth of the axis (a 1-point gap between 71 and 72
    shows); headroom above for the value labels."""
    lo, hi = min(values + [0.0]), max(values + [0.0])
    if lo >= 0 and values:
        spread = max(values) - min(values)
        top = max(values)
        if top > 0 and spread < 0.2 * top:  # zoom on the tops
            pad = max(spread, 0.01 * top)
            lo = max(0.0, min(values) - 2 * pad)
    span = (hi - lo) or 1.0
    return lo, hi + 0.15 * span


def draw_metric_bars(rows: RunValues, keys: Sequence[str]):
    """One axes per key (its own scale: a loss and an accuracy do not share
    an axis), one bar per run labelled with its value, the run legend
    outside the axes on the right.

    Returns:
        A matplotlib ``Figure`` (Agg canvas).
    """
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    names = list(rows)
    colors = colormaps['tab10'].colors
    fig = Figure(figsize=(1.2 + (0.6 + 0.45 * len(names)) * len(keys), 3.2))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(keys), squeeze=False)[0]
    for ax, key in zip(axes, keys):
        values = [rows[n][key] for n in names]
        xs = range(len(names))
        bars = ax.bar(xs, [math.nan if v is None else v for v in values],
                      color=[colors[i % len(colors)] for i in xs],
                      label=names)
        ax.bar_label(bars,
                     labels=[_fmt(v) for v in values],
                     fontsize=7,
                     padding=2)
        logged = [v for v in values if v is not None]
        ax.set_ylim(*value_limits(logged))
        ax.set_xticks([])
        ax.set_title(key, fontsize=9)
        ax.tick_params(axis='y', labelsize=7)
        ax.grid(axis='y', alpha=0.3)
    fig.legend(axes[0].patches,
               names,
               loc='center left',
               bbox_to_anchor=(1.0, 0.5),
               fontsize=8,
               frameon=False)
    fig.tight_layout()
    return fig


def write_run_comparison(work_dirs: Sequence[str],
                         keys: Sequence[str],
                         out: str,
                         dpi: int = 120) -> str:
    """Write ``out``.md / .csv / .png and return the Markdown table."""
    rows = compare_runs(work_dirs, keys)
    table = markdown_table(rows, keys)
    if osp.dirname(out):
        os.makedirs(osp.dirname(out), exist_ok=True)
    with open(out + '.md', 'w') as f:
        f.write(table)
    write_csv(out + '.csv', rows, keys)
    # 'tight' keeps the legend outside the axes in the picture
    draw_metric_bars(rows, keys).savefig(out + '.png',
                                         dpi=dpi,
                                         bbox_inches='tight')
    return table
