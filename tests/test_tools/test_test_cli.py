"""tools/test.py as users run it: a checkpoint that does not fit the config
is refused (issue 18 #2), the metrics land in the work dir and ``--dump``
writes every sample's prediction (issue 19)."""
import os
import os.path as osp
import subprocess
import sys

import mmengine
import pytest
import torch
from mmengine.config import Config

from slp_mm.registry import MODELS

from ..conftest import REPO

ISLR = 'configs/islr/traduttore_asl_words_scratch.py'


def _test_cli(corpus, checkpoint, work_dir, *extra):
    """Run tools/test.py on the synthetic isolated signs (16 classes)."""
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    return subprocess.run(
        [sys.executable, 'tools/test.py', ISLR, checkpoint, '--work-dir',
         work_dir, *extra, '--cfg-options',
         'test_dataloader.dataset.data_root=',
         f'test_dataloader.dataset.ann_file={corpus}',
         'test_dataloader.dataset.datasets=[synthetic-isolated]',
         'test_dataloader.batch_size=8', 'model.head.num_classes=16'],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def _saved_model(cfg, path):
    torch.manual_seed(0)
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict()), path)
    return str(path)


@pytest.mark.slow
def test_a_pretraining_checkpoint_is_refused(synthetic_corpus, demo_cfg,
                                             tmp_path):
    """It used to report the accuracy of a random head with exit 0."""
    ckpt = _saved_model(demo_cfg, tmp_path / 'pretrain.pth')
    proc = _test_cli(synthetic_corpus, ckpt, str(tmp_path / 'work'))
    assert proc.returncode == 1, proc.stderr[-2000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(
        f'test.py: error: checkpoint {ckpt} does not match the model of '
        f"{ISLR}: layer 'head.fc.weight' of the model is not in the "
        'checkpoint (and ')
    assert 'Traceback' not in proc.stderr
    assert 'top1_acc' not in proc.stdout + proc.stderr


@pytest.mark.slow
def test_metrics_in_the_work_dir_and_per_sample_dump(synthetic_corpus,
                                                     tmp_path):
    cfg = Config.fromfile(osp.join(REPO, ISLR))
    cfg.model.head.num_classes = 16
    ckpt = _saved_model(cfg, tmp_path / 'islr.pth')
    work, dump = tmp_path / 'work', tmp_path / 'preds.pkl'
    proc = _test_cli(synthetic_corpus, ckpt, str(work), '--dump', str(dump))
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics_file = proc.stdout.split('wrote the metrics to ')[1].split()[0]
    assert osp.dirname(osp.dirname(metrics_file)) == str(work)
    metrics = mmengine.load(metrics_file)
    assert 0 <= metrics['islr/top1_acc'] <= 100
    predictions = mmengine.load(str(dump))
    # the 14 synthetic isolated samples, each with its label and scores
    assert len(predictions) == 14
    assert all(p['pred_score'].shape == (16, ) for p in predictions)
    hits = sum(int(p['pred_label']) == int(p['gt_label'])
               for p in predictions)
    assert metrics['islr/top1_acc'] == pytest.approx(100 * hits / 14)
