from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import Hook

from slp_mm.registry import HOOKS


@HOOKS.register_module()
class SkippedSampleLoggerHook(Hook):
    """Count the samples the data pipeline rejected and report them.

    :class:`SignPoseDataset` replaces a rejected sample (NaN keypoints, zero
    frames, ...) and records the rejected ids in the replacement's metainfo
    (``skipped_ids``); this hook collects them from every batch, logs each
    epoch's count summed over ranks, and keeps a running total in the
    message hub (``train/skipped_samples``) so it is logged and saved with
    checkpoints.

    Args:
        max_listed (int): How many skipped ids to list in the log per epoch.
    """

    priority = 'BELOW_NORMAL'

    def __init__(self, max_listed: int = 20) -> None:
        self.max_listed = max_listed
        self._epoch_ids = []

    def before_train_epoch(self, runner) -> None:
        self._epoch_ids = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        for sample in (data_batch or {}).get('data_samples', []):
            self._epoch_ids += sample.metainfo.get('skipped_ids', [])

    def after_train_epoch(self, runner) -> None:
        import torch
        count = torch.tensor(float(len(self._epoch_ids)))
        if get_world_size() > 1:
            all_reduce(count)
        total = runner.message_hub.get_info('skipped_samples', 0) + int(count)
        runner.message_hub.update_info('skipped_samples', total)
        runner.message_hub.update_scalar('train/skipped_samples', total)
        if count > 0:
            listed = self._epoch_ids[:self.max_listed]
            runner.logger.warning(
                f'Epoch {runner.epoch}: {int(count)} samples were skipped by '
                f'the data pipeline ({total} so far); on this rank: {listed}'
                + (' ...' if len(self._epoch_ids) > len(listed) else ''))
