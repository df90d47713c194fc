from .batch_ids_hook import BatchIdsHook
from .data_time_share_hook import DataTimeShareHook
from .random_text_encoder_guard_hook import RandomTextEncoderGuardHook
from .rng_state_hook import RNGStateHook
from .skipped_sample_logger_hook import SkippedSampleLoggerHook

__all__ = [
    'RNGStateHook', 'SkippedSampleLoggerHook', 'RandomTextEncoderGuardHook',
    'BatchIdsHook', 'DataTimeShareHook'
]
