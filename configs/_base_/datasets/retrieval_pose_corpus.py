# Sign-text retrieval on a paired sign corpus with train/dev/test splits.
# Dataset configs set `data_root`.
data_root = ''  # set by each dataset config
tokenizer = 'facebook/mbart-large-cc25'

# The pre-training pipeline (sl15m.py) without HierarchicalPoseMask:
# retrieval fine-tunes STC only, so no joint is hidden for reconstruction.
# Per sample: row read, check, temporal sampling, tokenisation; the pose
# stages (train_batch_transforms) run on whole batches in the model's data
# preprocessor (configs/retrieval/*.py set its batch_transforms). This is
# the training default.
batched_train_pipeline = [
    dict(type='CheckPoseSample', num_keypoints=133),
    # a random frame of each of 256 segments: the whole clip, so the
    # sentence still describes it (docs/pretraining.md,
    # 'Temporal sampling policy')
    dict(type='TemporalSample', max_frames=256, mode='random_uniform'),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=128),
    dict(type='PackSignInputs', stack=False),
]
train_batch_transforms = [
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts', box_parts=('left_hand', 'right_hand')),
]
# Every stage per sample, in the dataset, for a data preprocessor without
# batch_transforms (switched as configs/islr/wlasl2000_per_sample_pipeline.py
# does)
train_pipeline = (
    batched_train_pipeline[:2] + train_batch_transforms +
    batched_train_pipeline[2:-1] + [dict(type='PackSignInputs')])
test_pipeline = [
    dict(type='CheckPoseSample', num_keypoints=133),
    dict(type='TemporalSample', max_frames=256, mode='uniform'),
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts', box_parts=('left_hand', 'right_hand')),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=128),
    dict(type='PackSignInputs'),
]

# STC's negatives are the other pairs of the batch (64, as in pre-training).
train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    # padded in the loader worker into one buffer, with the joints the
    # data preprocessor's SelectKeypoints keeps (one shared-memory segment
    # a batch; docs/benchmarks.md, 'Loader workers')
    collate_fn=dict(type='slp_mm.collate_sign_batch',
                    layout=train_batch_transforms[0]['layout']),
    dataset=dict(type='SignPoseDataset', data_root=data_root,
                 ann_file='train', paired_only=True,
                 pipeline=batched_train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(type='SignPoseDataset', data_root=data_root,
                 ann_file='dev', paired_only=True, pipeline=test_pipeline,
                 test_mode=True))
test_dataloader = dict(
    batch_size=64,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(type='SignPoseDataset', data_root=data_root,
                 ann_file='test', paired_only=True, pipeline=test_pipeline,
                 test_mode=True))
# scores with the model's own stc_head.word_temperature (set by predict)
val_evaluator = dict(type='RetrievalMetric')
test_evaluator = val_evaluator
