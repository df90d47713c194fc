from mmengine.hooks import Hook

from slp_mm.registry import HOOKS


@HOOKS.register_module()
class BatchIdsHook(Hook):
    """Record the sample ids of the current training batch in the message
    hub (``batch_sample_ids``), so a skipped non-finite update
    (:class:`GuardedOptimWrapper`) can name the samples involved."""

    priority = 'VERY_HIGH'

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        samples = (data_batch or {}).get('data_samples', [])
        runner.message_hub.update_info(
            'batch_sample_ids',
            [s.metainfo.get('sample_id') for s in samples])
