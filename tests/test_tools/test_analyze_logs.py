import json
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

from slp_mm.utils.cli_errors import UserError
from slp_mm.visualization import (load_scalar_log, plot_training_curves,
                                  train_time_stats)

from ..conftest import REPO


def _write_log(work_dir, epochs=3, iters_logged=4, times=None):
    """An mmengine-shaped vis_data/<timestamp>.json: training lines every
    5 iterations, one validation line per epoch."""
    log = work_dir / '20260101_000000' / 'vis_data' / '20260101_000000.json'
    log.parent.mkdir(parents=True)
    lines, it = [], 0
    for epoch in range(1, epochs + 1):
        for i in range(iters_logged):
            it += 5
            time = times[epoch - 1][i] if times else 0.1
            lines.append(dict(lr=1e-3, loss=1 / it, loss_mpm=0.5 / it,
                              loss_stc=2 / it, time=time, data_time=0.01,
                              epoch=epoch, iter=it, step=it))
        lines.append({'retrieval/R@1': 10.0 * epoch, 'time': 0.05,
                      'data_time': 0.01, 'step': epoch})
    log.write_text('\n'.join(json.dumps(x) for x in lines) + '\n')
    return str(log)


def test_load_splits_training_and_validation_lines(tmp_path):
    log = load_scalar_log(_write_log(tmp_path))
    assert len(log['train']) == 12 and len(log['val']) == 3
    assert [r['step'] for r in log['val']] == [1, 2, 3]
    bad = tmp_path / 'bad.json'
    bad.write_text('{"loss": 1, "step": 1}\n{"loss": \n{"step": 2}\n')
    with pytest.raises(UserError, match='bad.json, line 2: not JSON'):
        load_scalar_log(str(bad))
    # a last line cut by a killed run is skipped, with a warning
    bad.write_text('{"loss": 1, "step": 1}\n{"loss": \n')
    with pytest.warns(UserWarning, match='bad.json, line 2: skipped a cut'):
        assert load_scalar_log(str(bad))['val'] == [dict(loss=1, step=1)]


def test_plot_has_one_point_per_logged_value(tmp_path):
    a = _write_log(tmp_path / 'run_a')
    b = _write_log(tmp_path / 'run_b', epochs=2)
    fig = plot_training_curves([a, b], ['loss_mpm', 'retrieval/R@1'])
    ax_loss, ax_r1 = fig.axes
    (la, lb), (va, vb) = ax_loss.lines, ax_r1.lines
    assert (len(la.get_xdata()), len(lb.get_xdata())) == (12, 8)
    assert list(la.get_xdata()[:3]) == [5, 10, 15]
    np.testing.assert_allclose(la.get_ydata()[:2], [0.1, 0.05])
    assert list(va.get_xdata()) == [1, 2, 3] and len(vb.get_xdata()) == 2
    assert ax_loss.get_xlabel() == 'iteration'
    assert ax_r1.get_xlabel() == 'epoch'
    assert [t.get_text() for t in ax_loss.get_legend().get_texts()] == [
        'run_a/20260101_000000', 'run_b/20260101_000000'
    ]
    with pytest.raises(KeyError, match="no line logs 'acc'"):
        plot_training_curves([a], ['acc'])
    with pytest.raises(ValueError, match='1 names for 2 logs'):
        plot_training_curves([a, b], ['loss'], legend=['x'])


def _analyze_logs(*args):
    return subprocess.run(
        [sys.executable,
         osp.join(REPO, 'tools', 'analysis', 'analyze_logs.py'), *args],
        capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
def test_cli_plots_and_times(tmp_path):
    times = [[0.9, 0.1, 0.1, 0.1], [0.5, 0.3, 0.3, 0.3],
             [0.2, 0.2, 0.2, 0.2]]
    log = _write_log(tmp_path, times=times)
    out = str(tmp_path / 'curves.png')
    _analyze_logs('plot_curve', log, '--keys', 'loss_mpm', 'loss_stc',
                  '--legend', 'demo', '--out', out)
    img = cv2.imread(out)
    assert img.shape == (round(2.6 * 2 * 120), 7 * 120, 3)
    assert (img < 250).any(-1).mean() > 0.02  # curves and axes drawn
    printed = _analyze_logs('cal_train_time', log)
    # the first window of each epoch is left out as an outlier
    assert 'slowest epoch 2, average time is 0.3000' in printed
    assert 'fastest epoch 1, average time is 0.1000' in printed
    assert 'average iter time: 0.2000' in printed


def test_train_time_with_outliers(tmp_path):
    times = [[0.9, 0.1, 0.1, 0.1], [0.5, 0.3, 0.3, 0.3],
             [0.2, 0.2, 0.2, 0.2]]
    log = _write_log(tmp_path, times=times)
    stats = train_time_stats(log, include_outliers=True)
    assert stats['epoch_times'][1] == pytest.approx(0.3)
    assert stats['std_over_epochs'] == pytest.approx(
        np.std([0.3, 0.35, 0.2]))
