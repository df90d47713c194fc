# Isolated sign recognition on a sign corpus with train/dev/test splits:
# 32 frames, the paper's 79 joints. Dataset configs set `data_root`.
data_root = ''  # set by each dataset config
num_frames = 32

# Per sample: row read, check, temporal sampling; PackSignInputs packs the
# stored joints in pixels as arrays. The pose stages (train_batch_transforms)
# run on whole batches in the model's data preprocessor (each task config
# sets its batch_transforms), as in pre-training (sl15m.py): the same
# transforms and definitions. This is the training default.
batched_train_pipeline = [
    dict(type='CheckPoseSample'),
    dict(type='TemporalSample', max_frames=num_frames, mode='random_uniform'),
    dict(type='PackSignInputs', stack=False),
]
train_batch_transforms = [
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts'),
    dict(type='RandomAffinePose'),
]
# Every stage per sample, in the dataset, for a data preprocessor without
# batch_transforms (configs/islr/wlasl2000_per_sample_pipeline.py)
train_pipeline = (
    batched_train_pipeline[:-1] + train_batch_transforms +
    [dict(type='PackSignInputs')])
test_pipeline = [
    dict(type='CheckPoseSample'),
    dict(type='TemporalSample', max_frames=num_frames, mode='uniform'),
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts'),
    dict(type='PackSignInputs'),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    # padded in the loader worker into one buffer, with the joints the
    # data preprocessor's SelectKeypoints keeps (one shared-memory segment
    # a batch; docs/benchmarks.md, 'Loader workers')
    collate_fn=dict(type='slp_mm.collate_sign_batch',
                    layout=train_batch_transforms[0]['layout']),
    dataset=dict(
        type='SignPoseDataset',
        data_root=data_root,
        ann_file='train',
        pipeline=batched_train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type='SignPoseDataset',
        data_root=data_root,
        ann_file='dev',
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=64,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type='SignPoseDataset',
        data_root=data_root,
        ann_file='test',
        pipeline=test_pipeline,
        test_mode=True))
val_evaluator = dict(type='SignAccMetric', topk=(1, 5))
test_evaluator = val_evaluator
