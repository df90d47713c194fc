# PHOENIX-2014-T continuous recognition. Prepare with
#   python tools/data/convert_sign_dataset.py phoenix2014t ANNOTATIONS POSES data/phoenix2014t
#   python tools/data/build_gloss_vocab.py data/phoenix2014t/train data/phoenix2014t/gloss_vocab.json
data_root = 'data/phoenix2014t'
vocab_file = data_root + '/gloss_vocab.json'

train_pipeline = [
    dict(type='CheckPoseSample'),
    dict(type='TemporalSample', max_frames=256, mode='random_uniform'),
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts'),
    dict(type='RandomAffinePose'),
    dict(type='EncodeGloss', vocab_file=vocab_file),
    dict(type='PackSignInputs'),
]
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
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(type='SignPoseDataset', data_root=data_root,
                 ann_file='train', pipeline=train_pipeline))
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
val_evaluator = dict(type='WERMetric', protocol='phoenix2014t')
test_evaluator = val_evaluator
