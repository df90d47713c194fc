default_scope = 'slp_mm'

default_hooks = dict(
    timer=dict(type='DataTimeShareHook'),  # + data_time_share in the logs
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
custom_hooks = [
    dict(type='RandomTextEncoderGuardHook'),
    dict(type='SkippedSampleLoggerHook'),
    dict(type='RNGStateHook'),
    dict(type='BatchIdsHook'),
]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='SignLocalVisualizer', vis_backends=vis_backends)
log_processor = dict(type='LogProcessor', window_size=10, by_epoch=True)
log_level = 'INFO'

load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
