from typing import Dict, Optional

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.logging import MessageHub, print_log
from mmengine.optim import OptimWrapper

from slp_mm.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class GuardedOptimWrapper(OptimWrapper):
    """:class:`OptimWrapper` that refuses to apply a non-finite update.

    When the loss or the gradients are NaN/inf, the step is skipped (weights
    and optimizer state stay as they were), the skip is counted
    (``train/nonfinite_skips`` in the logs) and the ids of the batch's
    samples are logged (recorded by :class:`BatchIdsHook`); after
    ``max_consecutive`` skipped steps in a row training stops with an
    error, because the run has diverged rather than hit one bad batch.

    The backward pass always runs, so all ranks of a DDP job take part in
    the gradient all-reduce; the decision to skip is reduced over ranks so
    every rank skips together.

    Args:
        max_consecutive (int): Skipped steps in a row before stopping.
        **kwargs: :class:`mmengine.optim.OptimWrapper` arguments.
    """

    def __init__(self, *args, max_consecutive: int = 5, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_consecutive = max_consecutive
        self.consecutive_skips = 0
        self.total_skips = 0

    # Under torch.compile (``--compile``) the update runs eagerly: the
    # forward graph stays compiled, while the finiteness check (a host sync
    # and a collective) and the optimizer step are not traced.
    @torch.compiler.disable
    def update_params(self,
                      loss: torch.Tensor,
                      step_kwargs: Optional[Dict] = None,
                      zero_kwargs: Optional[Dict] = None) -> None:
        loss = self.scale_loss(loss)
        self.backward(loss)
        if not self.should_update():
            return
        if self._finite(loss):
            self.consecutive_skips = 0
            self.step(**(step_kwargs or {}))
        else:
            self._skip(loss)
        self.zero_grad(**(zero_kwargs or {}))

    def _finite(self, loss: torch.Tensor) -> bool:
        grads = [
            p.grad.detach().float().norm() for group in
            self.optimizer.param_groups for p in group['params']
            if p.grad is not None
        ]
        total = loss.detach().float().sum()
        if grads:
            total = total + torch.stack(grads).sum()
        bad = (~torch.isfinite(total)).float().reshape(1)
        if get_world_size() > 1:
            all_reduce(bad)  # every rank skips if any rank saw a NaN
        return bool(bad.item() == 0)

    def _skip(self, loss: torch.Tensor) -> None:
        self.consecutive_skips += 1
        self.total_skips += 1
        hub = MessageHub.get_current_instance()
        hub.update_scalar('train/nonfinite_skips', self.total_skips)
        ids = hub.get_info('batch_sample_ids', [])
        print_log(
            f'Non-finite loss or gradient (loss={loss.item():.4g}): update '
            f'skipped ({self.consecutive_skips} in a row, '
            f'{self.total_skips} in all); batch samples: {ids}',
            logger='current',
            level=30)
        if self.consecutive_skips >= self.max_consecutive:
            raise RuntimeError(
                f'Training diverged: {self.consecutive_skips} consecutive '
                'updates had a non-finite loss or gradient. Lower the '
                'learning rate, check the data of the logged samples, or '
                'resume from an earlier checkpoint.')
