# Continuous sign recognition (CSLR) on a gloss-annotated sign corpus with
# train/dev/test splits. Dataset configs set `data_root` and the WER
# `protocol`. The gloss vocabulary (`gloss_vocab`, for the dataset and the
# model's CTC head) is <data_root>/gloss_vocab.json, built from the training
# split:
#   python tools/data/build_gloss_vocab.py DATA_ROOT/train DATA_ROOT/gloss_vocab.json
data_root = ''  # set by each dataset config
gloss_vocab = 'gloss_vocab.json'  # relative to data_root

# Per sample: row read, check, temporal sampling, gloss encoding;
# PackSignInputs packs the stored joints in pixels as arrays. The pose
# stages (train_batch_transforms) run on whole batches in the model's data
# preprocessor (configs/cslr/*.py set its batch_transforms), as in
# pre-training (sl15m.py). This is the training default.
batched_train_pipeline = [
    dict(type='CheckPoseSample'),
    dict(type='TemporalSample', max_frames=256, mode='random_uniform'),
    # the dataset's gloss_vocab (each sample carries its path)
    dict(type='EncodeGloss'),
    dict(type='PackSignInputs', stack=False),
]
train_batch_transforms = [
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts'),
    dict(type='RandomAffinePose'),
]
# Every stage per sample, in the dataset, for a data preprocessor without
# batch_transforms (switched as configs/islr/wlasl2000_per_sample_pipeline.py
# does)
train_pipeline = (
    batched_train_pipeline[:2] + train_batch_transforms +
    batched_train_pipeline[2:-1] + [dict(type='PackSignInputs')])
test_pipeline = [
    dict(type='CheckPoseSample'),
    dict(type='TemporalSample', max_frames=256, mode='uniform'),
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts'),
    dict(type='PackSignInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    # padded in the loader worker into one buffer, with the joints the
    # data preprocessor's SelectKeypoints keeps (one shared-memory segment
    # a batch; docs/benchmarks.md, 'Loader workers')
    collate_fn=dict(type='slp_mm.collate_sign_batch',
                    layout=train_batch_transforms[0]['layout']),
    dataset=dict(type='SignPoseDataset', data_root=data_root,
                 ann_file='train', gloss_vocab=gloss_vocab,
                 pipeline=batched_train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(type='SignPoseDataset', data_root=data_root,
                 ann_file='dev', pipeline=test_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=8,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(type='SignPoseDataset', data_root=data_root,
                 ann_file='test', pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='WERMetric', protocol='raw')  # set by each dataset
test_evaluator = val_evaluator
