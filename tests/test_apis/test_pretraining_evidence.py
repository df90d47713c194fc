import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest

from slp_mm.apis.pretraining_evidence import (VARIANT_NAMES, VARIANTS,
                                              ZERO_SHOT_VARIANTS,
                                              EvidenceSettings, cell_path,
                                              collect_results, markdown_table,
                                              shot_indices)

from ..conftest import REPO, shared_file


def test_shot_indices_draw_k_clips_of_every_word():
    labels = [0] * 5 + [1] * 5 + [2] * 5
    picked = shot_indices(labels, 2, seed=3)
    assert sorted(np.bincount(np.asarray(labels)[picked])) == [2, 2, 2]
    assert picked == shot_indices(labels, 2, seed=3)  # the seed decides
    assert shot_indices(labels, 0, seed=3) is None  # 0 = every clip


def test_table_of_cached_cells_mean_std_and_partial_seeds(tmp_path):
    settings = EvidenceSettings(seeds=3, shots=(1, 0))
    for seed, top1 in ((0, 10.0), (2, 20.0)):  # seed 1 not finished
        path = cell_path(str(tmp_path), 'mpm', 'k1', seed)
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(dict(top1=top1, seconds=1.0), f)
    results = collect_results(str(tmp_path), settings)
    assert results['mpm']['k1'] == [10.0, 20.0]
    assert results['scratch']['probe'] == []
    table = markdown_table(results, settings).splitlines()
    assert table[0] == ('| pre-training | fine-tune k=1 | fine-tune k=all '
                        '| linear probe (all) | zero-shot |')
    # mean 15, population std 5, over the 2 of 3 seeds that finished
    assert table[3] == (f'| {VARIANT_NAMES["mpm"]} | 15.0 ± 5.0 (n=2) | - '
                        '| - | - |')
    assert len(table) == 2 + len(VARIANTS)


@pytest.mark.slow
def test_reduced_run_fills_every_cell(tmp_path):
    """The tool end to end at the smoke-test size on the real clips: every
    variant pre-trains, publishes and is scored; the table has a figure in
    every cell (zero-shot only where the model has STC)."""
    data = osp.dirname(
        shared_file('traduttore-asl-words', 'traduttore_asl_words_shared.npz'))
    out = tmp_path / 'results.md'
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    proc = subprocess.run([
        sys.executable, 'tools/analysis/pretraining_evidence.py', '--reduced',
        '--data', data, '--work-dir',
        str(tmp_path / 'work'), '--out',
        str(out)
    ],
                          cwd=REPO,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {
        line.split(' | ')[0][2:]: line.split(' | ')[1:]
        for line in out.read_text().splitlines() if line.startswith('| (')
    }
    assert len(rows) == len(VARIANTS)
    for variant in VARIANTS:
        cells = rows[VARIANT_NAMES[variant]]
        assert len(cells) == 5  # k = 1, 3, all, probe, zero-shot
        for cell in cells[:4]:
            assert float(cell.split(' ± ')[0]) >= 0
        assert (cells[4].strip(' |') == '-') == (variant
                                                 not in ZERO_SHOT_VARIANTS)
    published = os.listdir(tmp_path / 'work' / 'published')
    assert sum(f.endswith('.safetensors') for f in published) == 4
