"""The rehearsal of the paper's run (docs/pretraining.md, 'Rehearsing the
8-GPU run') at reduced width: the synthetic SL-1.5M-like corpus from
tools/data/make_synthetic_corpus.py, configs/pretrain/sl15m.py through
tools/dist_train.sh on 2 ranks (gloo), killed after its first checkpoint,
resumed with --resume and finished."""
import math
import os
import os.path as osp
import re
import subprocess
import sys
import time

import psutil
import pytest

from ..conftest import REPO, free_port
from .test_train_cli import _losses, _run

TORCHRUN_DIR = osp.dirname(sys.executable)
EPOCHS = 3  # 32 clips, 4 per rank and step, 2 ranks: 4 iterations an epoch

# the options of docs/pretraining.md: the random-weight text encoder
# allowed, the batch and schedule scaled to 2 CPU processes
OFFLINE_OPTIONS = [
    'model.text_encoder.allow_random_weights=True',
    'train_dataloader.batch_size=4', 'train_dataloader.sampler.batch_size=4',
    'train_dataloader.num_workers=1', f'train_cfg.max_epochs={EPOCHS}',
    'default_hooks.logger.interval=1'
]
# the reduced width of CI: 16-d branches of one block, a 1-layer 16-d mBART
TINY_MODEL_OPTIONS = [
    'model.embedder.gcn_channels=[8]', 'model.embedder.embed_dims=16',
    'model.encoder.embed_dims=16', 'model.encoder.num_layers=1',
    'model.encoder.num_heads=2', 'model.mpm_head.in_channels=32',
    'model.mpm_head.hidden_channels=32', 'model.stc_head.pose_channels=32',
    'model.stc_head.text_channels=16', 'model.stc_head.embed_dims=16',
    'model.text_encoder.config.model_type=mbart',
    'model.text_encoder.config.vocab_size=500',
    'model.text_encoder.config.d_model=16',
    'model.text_encoder.config.encoder_layers=1',
    'model.text_encoder.config.encoder_attention_heads=2',
    'model.text_encoder.config.encoder_ffn_dim=32'
]

pytestmark = pytest.mark.skipif(
    not osp.isfile(osp.join(TORCHRUN_DIR, 'torchrun')),
    reason='torchrun not installed')


def _dist_train(corpus_root, work):
    """``tools/dist_train.sh configs/pretrain/sl15m.py 2`` as a user runs it
    (venv on PATH), on a free port: parallel runs must not meet."""
    port = free_port()
    return [
        'env', f'PATH={TORCHRUN_DIR}:{os.environ["PATH"]}', f'PORT={port}',
        'bash', 'tools/dist_train.sh', 'configs/pretrain/sl15m.py', '2',
        '--work-dir', work, '--cfg-options',
        f'train_dataloader.dataset.data_root={corpus_root}',
        'train_dataloader.dataset.pipeline.2.tokenizer='
        f'{corpus_root}/corpus/tokenizer'
    ] + OFFLINE_OPTIONS + TINY_MODEL_OPTIONS


def _kill_job(pid):
    """SIGKILL a process and all its descendants (launcher, ranks, loader
    workers) at once, like a lost node."""
    job = psutil.Process(pid)
    for process in job.children(recursive=True) + [job]:
        try:
            process.kill()
        except psutil.NoSuchProcess:  # a loader worker that just ended
            pass


def _kill_after_first_checkpoint(cmd, work, log_file):
    """Run ``cmd``, kill the job once its first checkpoint is written and
    return its output."""
    last_checkpoint = osp.join(work, 'last_checkpoint')
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    with open(log_file, 'w') as log:
        job = subprocess.Popen(cmd,
                               cwd=REPO,
                               env=env,
                               stdout=log,
                               stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 300
        while not osp.isfile(last_checkpoint):  # written after the save
            if job.poll() is not None or time.monotonic() > deadline:
                _kill_job(job.pid)
                pytest.fail('no checkpoint written:\n' +
                            open(log_file).read()[-3000:])
            time.sleep(0.1)
        assert job.poll() is None, 'the run ended before it was killed'
        _kill_job(job.pid)
        job.wait(60)
    return open(log_file).read()


def _check_iterations(log):
    """Every logged iteration has a finite loss (the loss pattern matches
    numbers only) and DDP copied no gradient to fix its strides."""
    iterations = len(re.findall(r'Epoch\(train\) +\[\d+\]\[\d+/\d+\]', log))
    losses = _losses(log, 'loss')
    assert iterations and len(losses) == iterations
    assert all(math.isfinite(v) for v in losses)
    assert 'Grad strides do not match' not in log


@pytest.mark.slow
@pytest.mark.dist
def test_sl15m_rehearsal_is_killed_resumed_and_finishes(tmp_path):
    corpus_root = str(tmp_path / 'sl15m_synthetic')
    log = _run([
        sys.executable, 'tools/data/make_synthetic_corpus.py',
        f'{corpus_root}/corpus', '--mix', 'sl15m', '--num-samples', '32'
    ])
    assert '32 samples' in log and 'synthetic-phoenix2014 ' in log
    work = str(tmp_path / 'work')

    killed = _kill_after_first_checkpoint(_dist_train(corpus_root, work), work,
                                          str(tmp_path / 'killed.log'))
    assert 'Distributed training: True' in killed
    assert 'Saving checkpoint at 1 epochs' in killed
    assert not osp.exists(osp.join(work, f'epoch_{EPOCHS}.pth'))
    _check_iterations(killed)

    resumed = _run(_dist_train(corpus_root, work) + ['--resume'])
    done = int(re.search(r'resumed epoch: (\d+)', resumed).group(1))
    assert 1 <= done < EPOCHS
    assert f'Epoch(train) [{EPOCHS}][4/4]' in resumed
    assert f'Epoch(train) [{done}]' not in resumed  # nothing trained twice
    assert osp.isfile(osp.join(work, f'epoch_{EPOCHS}.pth'))
    _check_iterations(resumed)
    # the SL-1.5M-like mix repeats template sentences within a batch
    assert max(_losses(resumed, 'stc_duplicate_pairs')) > 0
