import random

import numpy as np
import torch
from mmengine.hooks import Hook

from slp_mm.registry import HOOKS


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Save the random number generator states in checkpoints and restore
    them on resume, so a killed and resumed run draws the same masks,
    samples and dropout as an uninterrupted one and ends with the same
    weights.

    mmengine only re-seeds on resume, which restarts the generators from the
    seed rather than where the killed run left them. DataLoader workers are
    re-seeded per epoch by mmengine's ``worker_init_fn`` (keep
    ``persistent_workers=False`` for exact resumption), so the main
    process's generators are the ones to carry over.
    """

    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self._pending = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        state = dict(
            python=random.getstate(),
            numpy=np.random.get_state(),
            torch=torch.get_rng_state())
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            state['cuda'] = torch.cuda.get_rng_state_all()
        checkpoint['rng_state'] = state

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if runner._resume and 'rng_state' in checkpoint:
            self._pending = checkpoint['rng_state']

    def before_train(self, runner) -> None:
        """Restore after mmengine's resume has finished re-seeding."""
        if self._pending is None:
            return
        state, self._pending = self._pending, None
        random.setstate(_as_tuple(state['python']))
        np.random.set_state(state['numpy'])
        torch.set_rng_state(state['torch'])
        if 'cuda' in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state['cuda'])
        runner.logger.info('Restored the random generator states of the '
                           'resumed checkpoint')


def _as_tuple(state):
    """random.setstate wants tuples where a checkpoint may give lists."""
    return tuple(_as_tuple(s) if isinstance(s, list) else s for s in state)
