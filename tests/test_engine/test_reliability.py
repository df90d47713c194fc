"""No lost work: atomic checkpoint writes, non-finite update guard, and a
SIGKILLed training process resumed to bit-identical weights."""
import errno
import os
import os.path as osp
import random
import signal
import subprocess
import sys
import time

import pytest
import torch
from mmengine.fileio import get_file_backend

from slp_mm.engine.optim_wrappers import GuardedOptimWrapper

from ..conftest import REPO


def test_atomic_put_keeps_previous_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / 'epoch_1.pth'
    backend = get_file_backend(str(target))
    assert type(backend).__name__ == 'AtomicLocalBackend'
    backend.put(b'complete checkpoint', str(target))

    def disk_full(*args):
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(os, 'replace', disk_full)
    with pytest.raises(OSError, match='epoch_1.pth.*previous file'):
        backend.put(b'half', str(target))
    assert target.read_bytes() == b'complete checkpoint'
    assert os.listdir(tmp_path) == ['epoch_1.pth']  # no temp file left


def _wrapper(max_consecutive=3):
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    return model, GuardedOptimWrapper(opt, max_consecutive=max_consecutive)


def test_guard_skips_non_finite_updates_and_stops_on_divergence():
    model, wrapper = _wrapper()
    before = [p.detach().clone() for p in model.parameters()]
    x = torch.ones(4, 2)
    wrapper.update_params(model(x).sum() * float('nan'))
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    assert all(p.grad is None or not p.grad.any() for p in model.parameters())
    assert wrapper.total_skips == 1
    wrapper.update_params(model(x).sum())  # a good step resets the streak
    assert not torch.equal(before[0], model.weight)
    assert wrapper.consecutive_skips == 0
    wrapper.update_params(model(x).sum() * float('inf'))
    wrapper.update_params(model(x).sum() * float('nan'))
    with pytest.raises(RuntimeError, match='diverged: 3 consecutive'):
        wrapper.update_params(model(x).sum() * float('nan'))


def _train_cmd(corpus, work, epochs, resume=False):
    tok = osp.join(corpus, 'tokenizer')
    cmd = [sys.executable, 'tools/train.py', 'configs/pretrain/demo.py',
           '--work-dir', work]
    if resume:
        cmd.append('--resume')
    return cmd + [
        '--cfg-options', 'train_dataloader.dataset.data_root=',
        f'train_dataloader.dataset.ann_file={corpus}',
        f'train_dataloader.dataset.pipeline.5.tokenizer={tok}',
        f'train_cfg.max_epochs={epochs}', f'param_scheduler.1.end={epochs}',
        'train_dataloader.batch_size=8', 'randomness.seed=3'
    ]


def _env():
    return dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')


@pytest.mark.slow
def test_sigkilled_run_resumes_bit_exact(synthetic_corpus, tmp_path):
    epochs = 3
    full = str(tmp_path / 'full')
    subprocess.run(_train_cmd(synthetic_corpus, full, epochs), cwd=REPO,
                   env=_env(), check=True, capture_output=True, timeout=600)

    killed = str(tmp_path / 'killed')
    proc = subprocess.Popen(
        _train_cmd(synthetic_corpus, killed, epochs), cwd=REPO, env=_env(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while not osp.isfile(osp.join(killed, 'epoch_1.pth')):
        assert proc.poll() is None and time.time() < deadline
        time.sleep(0.05)
    time.sleep(random.uniform(0.0, 1.0))  # somewhere in epoch 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not osp.isfile(osp.join(killed, f'epoch_{epochs}.pth'))
    out = subprocess.run(
        _train_cmd(synthetic_corpus, killed, epochs, resume=True), cwd=REPO,
        env=_env(), capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert 'resumed epoch' in out.stdout + out.stderr

    a = torch.load(osp.join(full, f'epoch_{epochs}.pth'), weights_only=True)
    b = torch.load(osp.join(killed, f'epoch_{epochs}.pth'),
                   weights_only=True)
    for k, v in a['state_dict'].items():
        assert torch.equal(v, b['state_dict'][k]), k


# Patches os.fsync in the process that runs tools/train.py (Python imports
# sitecustomize at start-up): at the given fsync call (the checkpoint of
# epoch 2: the temp file is being written, the target not yet replaced) the
# temp file is cut to half and the process SIGKILLs itself.
_KILL_WHILE_SAVING = '''
import os, signal
calls, real_fsync = [0], os.fsync
def fsync(fd):
    calls[0] += 1
    if calls[0] == int(os.environ["KILL_AT_FSYNC"]):
        os.ftruncate(fd, os.fstat(fd).st_size // 2)
        os.kill(os.getpid(), signal.SIGKILL)
    real_fsync(fd)
os.fsync = fsync
'''


@pytest.mark.slow
def test_kill_while_writing_a_checkpoint_keeps_the_last_one(
        synthetic_corpus, tmp_path):
    epochs = 3
    full = str(tmp_path / 'full')
    subprocess.run(_train_cmd(synthetic_corpus, full, epochs), cwd=REPO,
                   env=_env(), check=True, capture_output=True, timeout=600)

    killed = str(tmp_path / 'killed')
    cmd = _train_cmd(synthetic_corpus, killed, epochs)
    fault = tmp_path / 'fault'
    fault.mkdir()
    (fault / 'sitecustomize.py').write_text(_KILL_WHILE_SAVING)
    env = _env()
    env.update(KILL_AT_FSYNC='2',
               PYTHONPATH=os.pathsep.join([str(fault), env['PYTHONPATH']]))
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True,
                          timeout=600)
    assert proc.returncode == -signal.SIGKILL
    files = sorted(os.listdir(killed))
    assert 'epoch_1.pth' in files and 'epoch_2.pth' not in files
    half = [f for f in files if f.startswith('.epoch_2.pth.')]
    assert len(half) == 1  # the cut temp file, never taken for a checkpoint
    with open(osp.join(killed, 'last_checkpoint')) as f:
        assert f.read().strip().endswith('epoch_1.pth')
    torch.load(osp.join(killed, 'epoch_1.pth'), weights_only=True)

    out = subprocess.run(
        _train_cmd(synthetic_corpus, killed, epochs, resume=True), cwd=REPO,
        env=_env(), capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert 'resumed epoch' in out.stdout + out.stderr
    a = torch.load(osp.join(full, f'epoch_{epochs}.pth'), weights_only=True)
    b = torch.load(osp.join(killed, f'epoch_{epochs}.pth'),
                   weights_only=True)
    for k, v in a['state_dict'].items():
        assert torch.equal(v, b['state_dict'][k]), k
