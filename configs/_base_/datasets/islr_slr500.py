# SLR500 isolated sign recognition, 32 frames, the paper's 79 joints; split
# by signer (slp_mm/datasets/converters/slr500.py), no dev split:
#   python tools/data/convert_sign_dataset.py slr500 ANN_DIR POSE_DIR \
#       data/slr500 --splits train test
data_root = 'data/slr500'
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
        ann_file='test',
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='SignAccMetric', topk=(1, 5))
test_evaluator = val_evaluator
