import random

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import CheckpointHook, Hook

from slp_mm.registry import HOOKS


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Save the random number generator states of every rank in checkpoints
    and restore each rank its own on resume, so a killed and resumed run
    draws the same masks, samples and dropout as an uninterrupted one and
    ends with the same weights.

    mmengine only re-seeds on resume, which restarts the generators from the
    seed rather than where the killed run left them. DataLoader workers are
    re-seeded per epoch by mmengine's ``worker_init_fn`` (keep
    ``persistent_workers=False`` for exact resumption), so the main
    process's generators are the ones to carry over. Ranks draw different
    dropout masks, and only rank 0 saves the checkpoint (mmengine's
    ``Runner.save_checkpoint`` runs on rank 0 alone), so every rank gathers
    its state just before a :class:`CheckpointHook` save is due (the hook's
    own schedule, evaluated on every rank: no collective on other steps)
    and rank 0 writes them all (``rng_state['per_rank']``, in rank order).
    A resume on a different number of ranks, or from a checkpoint saved
    outside that schedule (e.g. the best one), cannot continue every rank's
    stream: it keeps mmengine's re-seeding and says so.
    """

    priority = 'LOW'  # before CheckpointHook ('VERY_LOW')

    def __init__(self) -> None:
        self._pending = None
        self._gathered = None

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        self._gather_if_saving(runner, by_epoch=False)

    def after_train_epoch(self, runner) -> None:
        self._gather_if_saving(runner, by_epoch=True)

    def _gather_if_saving(self, runner, by_epoch: bool) -> None:
        if get_world_size() > 1 and _checkpoint_due(runner, by_epoch):
            self._gathered = all_gather_object(_current_state())

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        per_rank, self._gathered = self._gathered, None
        checkpoint['rng_state'] = dict(
            per_rank=per_rank or [_current_state()])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if runner._resume and 'rng_state' in checkpoint:
            self._pending = checkpoint['rng_state']

    def before_train(self, runner) -> None:
        """Restore after mmengine's resume has finished re-seeding."""
        if self._pending is None:
            return
        saved, self._pending = self._pending, None
        # checkpoints written before the per-rank states hold one state
        per_rank = saved.get('per_rank', [saved])
        if len(per_rank) != get_world_size():
            runner.logger.warning(
                f'The checkpoint holds the random generator states of '
                f'{len(per_rank)} rank(s) but this run has '
                f'{get_world_size()}: generators re-seeded instead, so the '
                'resumed run will not repeat an uninterrupted one exactly')
            return
        state = per_rank[get_rank()]
        random.setstate(_as_tuple(state['python']))
        np.random.set_state(state['numpy'])
        torch.set_rng_state(state['torch'])
        if 'cuda' in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state['cuda'])
        runner.logger.info('Restored the random generator states of the '
                           'resumed checkpoint')


def _checkpoint_due(runner, by_epoch: bool) -> bool:
    """Whether a :class:`CheckpointHook` of the runner saves a checkpoint
    right after this iteration (``by_epoch=False``) or epoch."""
    for hook in runner.hooks:
        if not isinstance(hook, CheckpointHook) or hook.by_epoch != by_epoch:
            continue
        if by_epoch:
            due = (hook.every_n_epochs(runner, hook.interval, hook.save_begin)
                   or hook.save_last and hook.is_last_train_epoch(runner))
        else:
            due = (hook.every_n_train_iters(runner, hook.interval,
                                            hook.save_begin)
                   or hook.save_last and hook.is_last_train_iter(runner))
        if due:
            return True
    return False


def _current_state() -> dict:
    """This process's python, numpy, torch (and CUDA) generator states."""
    state = dict(
        python=random.getstate(),
        numpy=np.random.get_state(),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def _as_tuple(state):
    """random.setstate wants tuples where a checkpoint may give lists."""
    return tuple(_as_tuple(s) if isinstance(s, list) else s for s in state)
