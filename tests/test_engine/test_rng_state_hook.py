"""RNGStateHook: every rank resumes its own random streams."""
import logging
import random
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.hooks import CheckpointHook

from slp_mm.engine.hooks import RNGStateHook
from slp_mm.engine.hooks.rng_state_hook import _checkpoint_due

from ..conftest import free_port


def _runner(**kwargs):
    """The runner fields the hooks read: epoch 1 of 5, saved every
    epoch."""
    return SimpleNamespace(_resume=True,
                           logger=logging.getLogger('rng_state_test'),
                           hooks=[CheckpointHook(interval=1)], epoch=0,
                           max_epochs=5, **kwargs)


def _seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _draw():
    return (torch.rand(3).tolist(), np.random.rand(3).tolist(),
            random.random())


def _save_then_resume(rank, port, path):
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=2)
    try:
        _seed(100 + rank)  # ranks hold different streams, as in training
        _draw()
        hook, checkpoint = RNGStateHook(), {}
        hook.after_train_epoch(_runner())  # every rank, a save is due
        if rank == 0:  # mmengine saves the checkpoint on rank 0 only
            hook.before_save_checkpoint(_runner(), checkpoint)
            torch.save(checkpoint, path)
        expected = _draw()  # what an uninterrupted run draws next
        dist.barrier()
        _seed(0)  # the resumed process, re-seeded by mmengine
        hook = RNGStateHook()
        hook.after_load_checkpoint(_runner(),
                                   torch.load(path, weights_only=False))
        hook.before_train(_runner())
        assert _draw() == expected, f'rank {rank} lost its random stream'
    finally:
        dist.destroy_process_group()


@pytest.mark.slow
@pytest.mark.dist
def test_each_rank_resumes_its_own_stream(tmp_path):
    mp.spawn(_save_then_resume,
             args=(free_port(), str(tmp_path / 'ckpt.pth')),
             nprocs=2)


def test_single_state_checkpoint_still_restores():
    _seed(3)
    legacy = dict(python=random.getstate(), numpy=np.random.get_state(),
                  torch=torch.get_rng_state())
    expected = _draw()
    _seed(0)
    hook = RNGStateHook()
    hook.after_load_checkpoint(_runner(), dict(rng_state=legacy))
    hook.before_train(_runner())
    assert _draw() == expected


def test_other_world_size_keeps_reseeding_and_warns(caplog):
    _seed(3)
    checkpoint = {}
    RNGStateHook().before_save_checkpoint(_runner(), checkpoint)
    checkpoint['rng_state']['per_rank'] *= 2  # written by 2 ranks
    _seed(0)
    expected = _draw()
    _seed(0)
    hook = RNGStateHook()
    hook.after_load_checkpoint(_runner(), checkpoint)
    with caplog.at_level(logging.WARNING, logger='rng_state_test'):
        hook.before_train(_runner())
    assert _draw() == expected
    assert '2 rank(s) but this run has 1' in caplog.text


@pytest.mark.parametrize('interval,epoch,due', [(2, 0, False), (2, 1, True),
                                                (3, 4, True), (3, 3, False)])
def test_gathers_only_when_the_checkpoint_hook_saves(interval, epoch, due):
    runner = _runner()
    runner.hooks = [CheckpointHook(interval=interval)]
    runner.epoch = epoch  # epoch 5 of 5 is the last: save_last saves it
    assert _checkpoint_due(runner, by_epoch=True) is due
    assert _checkpoint_due(runner, by_epoch=False) is False
