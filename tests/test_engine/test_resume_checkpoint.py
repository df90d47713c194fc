"""``tools/train.py --resume``: which checkpoint it continues from when the
latest one is truncated or deleted, or when there is none."""
import os
import os.path as osp

import pytest
import torch

from slp_mm.engine.resume_checkpoint import resume_checkpoint


def _resume(work_dir, resume='auto'):
    """The checkpoint ``tools/train.py --resume [resume]`` loads."""
    return resume_checkpoint(str(work_dir),
                             None if resume == 'auto' else resume)


@pytest.fixture
def logged(monkeypatch):
    """Messages of print_log in the resolver."""
    messages = []
    monkeypatch.setattr('slp_mm.engine.resume_checkpoint.print_log',
                        lambda msg, **kw: messages.append(msg))
    return messages


def _save(work_dir, name, mtime, truncate=False):
    path = osp.join(work_dir, name)
    torch.save(dict(meta=dict(epoch=mtime), state_dict={}), path)
    if truncate:  # a copy cut short
        with open(path, 'r+b') as f:
            f.truncate(os.path.getsize(path) // 2)
    os.utime(path, (mtime, mtime))
    return path


def _point_last_at(work_dir, path):
    with open(osp.join(work_dir, 'last_checkpoint'), 'w') as f:
        f.write(path)


@pytest.mark.parametrize('latest', ['truncated', 'deleted'])
def test_falls_back_to_the_newest_complete_checkpoint(tmp_path, logged,
                                                      latest):
    _save(tmp_path, 'epoch_1.pth', 1000)
    second = _save(tmp_path, 'epoch_2.pth', 2000)
    third = _save(tmp_path, 'epoch_3.pth', 3000, truncate=True)
    if latest == 'deleted':
        os.remove(third)
    _point_last_at(tmp_path, third)
    assert _resume(tmp_path) == second
    problem = 'missing' if latest == 'deleted' else 'truncated or corrupt'
    assert len(logged) == 1 and f'Resuming from {second}' in logged[0]
    assert f'passed over: {third} ({problem}' in logged[0]


def test_empty_work_dir_starts_from_scratch(tmp_path, logged):
    assert _resume(tmp_path) is None
    assert logged == [f'--resume: no checkpoint in {tmp_path}, starting '
                      'from scratch']


def test_named_or_only_checkpoints_incomplete_stop_naming_them(tmp_path):
    broken = _save(tmp_path, 'epoch_1.pth', 1000, truncate=True)
    with pytest.raises(FileNotFoundError, match=f'--resume {broken}: the '
                       'checkpoint is truncated or corrupt'):
        _resume(tmp_path, resume=broken)
    # starting over would overwrite it: stop instead
    with pytest.raises(FileNotFoundError, match=f'no complete checkpoint in '
                       f'{tmp_path}: {broken} \\(truncated'):
        _resume(tmp_path)
    complete = _save(tmp_path, 'epoch_2.pth', 2000)
    assert _resume(tmp_path, resume=complete) == complete
