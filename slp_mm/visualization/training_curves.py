"""Training curves and iteration times from mmengine's JSON scalar logs.

mmengine 0.10.7's ``LocalVisBackend`` writes every logged scalar dict, one
JSON object a line, to ``<work_dir>/<timestamp>/vis_data/scalars.json``, and
``LoggerHook`` sends the same lines to ``vis_data/<timestamp>.json``; either
file reads here (:func:`read_scalar_rows` is the one reader of both).
Training lines carry ``iter`` (the global iteration, also
their ``step``), ``epoch`` in epoch-based runs, ``lr``, ``time`` and the
losses; validation lines carry the metrics, with ``step`` = the epoch
(or the iteration in iteration-based runs).
"""
import glob
import json
import os.path as osp
import warnings
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import numpy as np

from slp_mm.utils.cli_errors import UserError


def read_scalar_rows(path: str) -> List[dict]:
    """The rows of a JSON scalar log in file order.

    The one reader of these logs (the curves, the iteration times and the
    run comparison all use it). A last line cut by a killed run is skipped
    with a warning; any other line that is not a JSON object with a
    ``step`` is an error naming the file and line.
    """
    with open(path) as f:
        lines = f.read().splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    rows = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            if lineno == len(lines):
                warnings.warn(f'{path}, line {lineno}: skipped a cut last '
                              f'line (a killed run?): {line[:40]!r}')
                break
            raise UserError(f'{path}, line {lineno}: not JSON ({e})')
        if not isinstance(row, dict) or 'step' not in row:
            raise UserError(f'{path}, line {lineno}: expected a JSON '
                            'object with a "step" field (an mmengine '
                            'scalar log line)')
        rows.append(row)
    return rows


def load_scalar_log(path: str) -> Dict[str, List[dict]]:
    """A JSON scalar log -> ``dict(train=[rows], val=[rows])`` in file
    order (training rows carry ``iter``)."""
    log = dict(train=[], val=[])
    for row in read_scalar_rows(path):
        log['train' if 'iter' in row else 'val'].append(row)
    return log


def scalar_log_files(work_dir: str) -> List[str]:
    """The ``scalars.json`` files of a run, oldest first (the timestamped
    folders sort by time, so a resumed run's latest values come last).
    ``work_dir`` may also be a timestamped folder or a log file itself."""
    if osp.isfile(work_dir):
        return [work_dir]
    files = sorted(
        glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    own = osp.join(work_dir, 'vis_data', 'scalars.json')
    if osp.isfile(own):
        files.append(own)
    if not files:
        raise FileNotFoundError(
            f'{work_dir}: no <timestamp>/vis_data/scalars.json (is it an '
            'mmengine work_dir?)')
    return files


def final_values(work_dir: str,
                 keys: Sequence[str]) -> Dict[str, Optional[float]]:
    """The last logged value of each key in a run (None if never logged),
    across its logs in time order."""
    values: Dict[str, Optional[float]] = {k: None for k in keys}
    for path in scalar_log_files(work_dir):
        for row in read_scalar_rows(path):
            for k in keys:
                if k in row:
                    values[k] = float(row[k])
    return values


def log_name(path: str) -> str:
    """``<work_dir name>/<timestamp>`` for a log in mmengine's layout, else
    the path."""
    parts = osp.abspath(path).split(osp.sep)
    if len(parts) >= 4 and parts[-2] == 'vis_data':
        return f'{parts[-4]}/{parts[-3]}'
    return path


def plot_training_curves(paths: Sequence[str],
                         keys: Sequence[str],
                         legend: Optional[Sequence[str]] = None,
                         title: Optional[str] = None):
    """One axes per key, one line per log: training keys against the
    iteration, validation keys against their step (the epoch in
    epoch-based runs).

    Args:
        paths: JSON scalar logs.
        keys: Logged scalars to plot (e.g. ``loss_mpm``).
        legend: One name per log (default: :func:`log_name`).

    Returns:
        A matplotlib ``Figure`` (Agg canvas).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    legend = list(legend) if legend else [log_name(p) for p in paths]
    if len(legend) != len(paths):
        raise ValueError(f'--legend has {len(legend)} names for '
                         f'{len(paths)} logs')
    logs = [load_scalar_log(p) for p in paths]
    fig = Figure(figsize=(7, 2.6 * len(keys)))
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(keys), 1, squeeze=False)[:, 0]
    by_epoch = all(any('epoch' in r for r in log['train']) for log in logs)
    for ax, key in zip(axes, keys):
        modes = set()
        for path, log, name in zip(paths, logs, legend):
            mode = next(
                (m for m in ('train', 'val') if any(key in r for r in log[m])),
                None)
            if mode is None:
                logged = sorted(
                    {k
                     for m in log.values()
                     for r in m
                     for k in r})
                raise KeyError(f'{path}: no line logs {key!r}; logged keys: '
                               f'{logged}')
            modes.add(mode)
            rows = [r for r in log[mode] if key in r]
            ax.plot([r['step'] for r in rows], [r[key] for r in rows],
                    label=name,
                    marker='.' if mode == 'val' else None)
        if len(modes) > 1:
            raise ValueError(f'{key!r} is a training scalar in some logs and '
                             'a validation one in others')
        ax.set_xlabel(
            'epoch' if modes == {'val'} and by_epoch else 'iteration')
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def train_time_stats(path: str,
                     include_outliers: bool = False) -> Dict[str, float]:
    """Seconds per training iteration of a log, per epoch and overall.

    The first logged window of each epoch includes the dataloader start-up
    and is left out unless ``include_outliers`` (as OpenMMLab's
    ``analyze_logs.py`` does). Iteration-based runs count as one epoch.

    Returns:
        dict: ``epoch_times`` {epoch: mean s/iter}, ``slowest_epoch``,
        ``fastest_epoch``, ``std_over_epochs`` and ``mean_iter_time``.
    """
    per_epoch = OrderedDict()
    for row in load_scalar_log(path)['train']:
        if 'time' in row:
            per_epoch.setdefault(row.get('epoch', 1), []).append(row['time'])
    if not per_epoch:
        raise ValueError(f'{path}: no training line logs "time" (is '
                         'IterTimerHook on?)')
    if not include_outliers:
        per_epoch = OrderedDict(
            (e, t[1:] if len(t) > 1 else t) for e, t in per_epoch.items())
    means = OrderedDict((e, float(np.mean(t))) for e, t in per_epoch.items())
    values = np.array(list(means.values()))
    epochs = list(means)
    return dict(epoch_times=means,
                slowest_epoch=epochs[int(values.argmax())],
                fastest_epoch=epochs[int(values.argmin())],
                std_over_epochs=float(values.std()),
                mean_iter_time=float(
                    np.mean(np.concatenate(list(per_epoch.values())))))
