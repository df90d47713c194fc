"""The final metrics of several runs (tools/analysis/compare_runs.py), read
by the one scalar-log parser of slp_mm.visualization.training_curves."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

from slp_mm.utils.cli_errors import UserError
from slp_mm.visualization.run_comparison import (compare_runs,
                                                 draw_metric_bars,
                                                 value_limits,
                                                 write_run_comparison)

from ..conftest import REPO


def _fake_run(work_dir, timestamp, records, tail=''):
    vis = osp.join(work_dir, timestamp, 'vis_data')
    os.makedirs(vis)
    with open(osp.join(vis, 'scalars.json'), 'w') as f:
        for r in records:
            f.write(json.dumps(r) + '\n')
        f.write(tail)


def _two_runs(tmp_path):
    a, b = str(tmp_path / 'run_a'), str(tmp_path / 'run_b')
    _fake_run(a, '20260101_000000', [
        dict(loss=3.0, loss_mpm=2.0, loss_stc=1.0, step=1),
        dict(loss=2.0, loss_mpm=1.5, loss_stc=0.5, step=2),
    ])
    _fake_run(b, '20260101_000000', [dict(loss=5.0, loss_mpm=4.0, step=1)])
    # a resumed run: the later timestamp's values win; its last line was
    # cut by a kill
    _fake_run(b, '20260102_000000', [
        dict(loss=1.0, loss_mpm=0.75, step=2),
        {'islr/top1_acc': 0.5, 'step': 2},
    ], tail='{"loss": 0.1, "st')
    return a, b


def test_tables_hold_the_last_logged_values(tmp_path):
    a, b = _two_runs(tmp_path)
    out = str(tmp_path / 'report' / 'cmp')
    keys = ['loss', 'loss_mpm', 'loss_stc', 'islr/top1_acc']
    with pytest.warns(UserWarning, match='line 3: skipped a cut last line'):
        md = write_run_comparison([a, b], keys, out)
    assert open(out + '.md').read() == md
    lines = md.strip().splitlines()
    assert lines[0] == '| run | loss | loss_mpm | loss_stc | islr/top1_acc |'
    assert lines[2] == '| run_a | 2 | 1.5 | 0.5 | - |'
    assert lines[3] == '| run_b | 1 | 0.75 | - | 0.5 |'
    rows = open(out + '.csv').read().strip().splitlines()
    assert rows[0] == 'run,loss,loss_mpm,loss_stc,islr/top1_acc'
    assert rows[1] == 'run_a,2.0,1.5,0.5,'
    assert rows[2] == 'run_b,1.0,0.75,,0.5'
    assert osp.getsize(out + '.png') > 0
    with pytest.raises(FileNotFoundError, match='missing: no <timestamp>'):
        compare_runs([str(tmp_path / 'missing')], ['loss'])


def test_a_cut_line_inside_a_log_is_an_error(tmp_path):
    # the same parser as analyze_logs: only a cut LAST line is skipped
    a = str(tmp_path / 'run_a')
    _fake_run(a, '20260101_000000', [dict(loss=1.0, step=1)],
              tail='{"loss": 0.1, "st\n' + json.dumps(dict(loss=2, step=2)))
    with pytest.raises(UserError, match='scalars.json, line 2: not JSON'):
        compare_runs([a], ['loss'])


def test_bars_show_a_one_point_difference(tmp_path):
    rows = {'baseline': {'acc': 71.0, 'loss': 0.5},
            'stc_weight_0.1': {'acc': 72.0, 'loss': None}}
    fig = draw_metric_bars(rows, ['acc', 'loss'])
    fig.canvas.draw()
    ax_acc, ax_loss = fig.axes
    lo, hi = ax_acc.get_ylim()
    assert (72 - 71) / (hi - lo) >= 0.2  # not a sliver on a 0-72 axis
    assert lo <= 71 and hi > 72
    labels = [t.get_text() for t in ax_acc.texts]
    assert labels == ['71', '72']  # values written on the bars
    assert [t.get_text() for t in ax_loss.texts] == ['0.5', '']  # no bar
    # the legend is outside every axes
    legend = fig.legends[0].get_window_extent()
    assert all(legend.x0 >= ax.get_window_extent().x1 for ax in fig.axes)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(rows)


@pytest.mark.parametrize('values, expected', [
    ([0.5, 0.9], (0.0, 0.9 * 1.15)),  # differ by a lot: from 0
    ([71.0, 72.0], (69.0, 72 + 0.15 * 3)),  # zoomed
    ([-1.0, 2.0], (-1.0, 2 + 0.15 * 3)),  # signed: 0 inside
])
def test_value_limits(values, expected):
    assert value_limits(values) == pytest.approx(expected)


@pytest.mark.slow
def test_cli_prints_the_table(tmp_path):
    a, b = _two_runs(tmp_path)
    out = str(tmp_path / 'cmp')
    proc = subprocess.run(
        [sys.executable,
         osp.join(REPO, 'tools', 'analysis', 'compare_runs.py'), a, b,
         '--keys', 'loss', '--out', out],
        capture_output=True, text=True, check=True)
    assert proc.stdout.startswith(open(out + '.md').read())
    assert 'skipped a cut last line' in proc.stderr
    proc = subprocess.run(
        [sys.executable,
         osp.join(REPO, 'tools', 'analysis', 'compare_runs.py'),
         str(tmp_path / 'nope'), '--keys', 'loss', '--out', out],
        capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f'compare_runs.py: error: {tmp_path}/nope: no <timestamp>/vis_data/'
        'scalars.json (is it an mmengine work_dir?)  (--debug for the '
        'traceback)'
    ]
