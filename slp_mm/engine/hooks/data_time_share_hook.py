from mmengine.hooks import IterTimerHook

from slp_mm.registry import HOOKS


@HOOKS.register_module()
class DataTimeShareHook(IterTimerHook):
    """mmengine's iteration timer, plus ``data_time_share`` in the training
    logs: the share of each iteration spent waiting for the batch
    (``data_time / time``).

    mmengine logs both times; their ratio says at a glance whether the
    loader starves the model (a share near 0 means it keeps up), which the
    two numbers hide when iterations get shorter or longer.
    """

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        super().after_train_iter(runner, batch_idx, data_batch, outputs)
        hub = runner.message_hub
        total = hub.get_scalar('train/time').current()
        if total > 0:
            hub.update_scalar('train/data_time_share',
                              hub.get_scalar('train/data_time').current() /
                              total)
