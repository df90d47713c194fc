# Isolated sign recognition on a sign corpus with train/dev/test splits:
# 32 frames, the paper's 79 joints. Dataset configs set `data_root`.
data_root = ''  # set by each dataset config
num_frames = 32

train_pipeline = [
    dict(type='CheckPoseSample'),
    dict(type='TemporalSample', max_frames=num_frames, mode='random_uniform'),
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts'),
    dict(type='RandomAffinePose'),
    dict(type='PackSignInputs'),
]
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
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type='SignPoseDataset',
        data_root=data_root,
        ann_file='train',
        pipeline=train_pipeline))
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
