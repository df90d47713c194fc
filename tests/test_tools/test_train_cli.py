"""tools/train.py as users run it: single process, --resume, and two ranks
under torchrun (gloo on CPU)."""
import os
import os.path as osp
import re
import shutil
import subprocess
import sys

import pytest
import torch

from ..conftest import REPO, free_port


def _options(corpus, epochs):
    tok = osp.join(corpus, 'tokenizer')
    return [
        '--cfg-options', 'train_dataloader.dataset.data_root=',
        f'train_dataloader.dataset.ann_file={corpus}',
        f'train_dataloader.dataset.pipeline.5.tokenizer={tok}',
        f'train_cfg.max_epochs={epochs}', f'param_scheduler.1.end={epochs}',
        'default_hooks.logger.interval=1', 'train_dataloader.batch_size=8'
    ]


def _run(args, **kw):
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600, **kw)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _losses(log, key):
    return [float(v) for v in re.findall(rf' {key}: ([0-9.]+)', log)]


@pytest.mark.slow
def test_train_then_resume_from_cli(synthetic_corpus, tmp_path):
    work = str(tmp_path / 'work')
    cmd = [sys.executable, 'tools/train.py', 'configs/pretrain/demo.py',
           '--work-dir', work]
    log = _run(cmd + _options(synthetic_corpus, 2))
    assert osp.isfile(osp.join(work, 'epoch_2.pth'))
    assert len(_losses(log, 'loss_mpm')) == 12  # 6 iterations x 2 epochs
    # a longer schedule resumed from the last checkpoint of the work dir
    os.remove(osp.join(work, 'epoch_2.pth'))
    with open(osp.join(work, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(work, 'epoch_1.pth'))
    log = _run(cmd + ['--resume'] + _options(synthetic_corpus, 2))
    assert 'resumed epoch: 1' in log
    assert len(_losses(log, 'loss_mpm')) == 6
    assert osp.isfile(osp.join(work, 'epoch_2.pth'))


def test_typo_in_config_option_is_reported(synthetic_corpus, tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', 'configs/pretrain/demo.py',
         '--work-dir', str(tmp_path), '--cfg-options',
         'model.embedder.gcn_chanels=[8]', 'model.encoder.num_layers=two',
         'default_hooks.checkpoint.intervall=1'],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert 'Traceback' not in proc.stderr  # issue 18 #13
    assert 'gcn_chanels' in proc.stderr
    # issue 18 #7 and #8: a hook's **kwargs and a wrong type, before any
    # training
    assert ("default_hooks.checkpoint.intervall: CheckpointHook has no "
            "argument 'intervall'; closest: ['interval']") in proc.stderr
    assert ("model.encoder.num_layers: DualBranchEncoder expects int, got "
            "'two' (str)") in proc.stderr
    assert not os.listdir(tmp_path)


@pytest.mark.slow
@pytest.mark.dist
@pytest.mark.skipif(shutil.which('torchrun') is None and not osp.isfile(
    osp.join(osp.dirname(sys.executable), 'torchrun')),
                    reason='torchrun not installed')
def test_two_ranks_with_torchrun(synthetic_corpus, tmp_path):
    torchrun = osp.join(osp.dirname(sys.executable), 'torchrun')
    work = str(tmp_path / 'dist')
    port = free_port()
    log = _run([
        torchrun, '--nnodes=1', '--rdzv-backend=c10d',
        f'--rdzv-endpoint=127.0.0.1:{port}', '--nproc_per_node=2',
        'tools/train.py',
        'configs/pretrain/demo.py', '--launcher', 'pytorch', '--work-dir',
        work
    ] + _options(synthetic_corpus, 2))
    assert 'Distributed training: True' in log
    # 48 samples, 8 per rank and step, 2 ranks: 3 iterations per epoch
    assert 'Epoch(train) [2][3/3]' in log
    ckpt = torch.load(osp.join(work, 'epoch_2.pth'), weights_only=True)
    assert not any(k.startswith('module.') for k in ckpt['state_dict'])
