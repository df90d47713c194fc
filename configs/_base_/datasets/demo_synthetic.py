# The SYNTHETIC demo corpus (slp_mm/corpus/synthetic_sign_corpus.py): built
# on first use under data/demo_synthetic with its own tokenizer; no download.
data_root = 'data/demo_synthetic'
tokenizer = data_root + '/corpus/tokenizer'

# The batched path of configs/_base_/datasets/sl15m.py (per sample: row
# read, check, temporal sampling, cached tokenisation; the pose stages,
# train_batch_transforms, in a data preprocessor, here with the masks, which
# sl15m draws in its collate_fn), for the configs that take it; the demo
# itself trains with every stage per sample (train_pipeline): its synthetic
# clips are rendered per sample anyway.
batched_train_pipeline = [
    dict(type='CheckPoseSample', num_keypoints=133),
    # a random frame of each of 64 segments: the whole clip, so the
    # sentence still describes it; unpaired (MPM-only) clips alike
    # (docs/pretraining.md, 'Temporal sampling policy')
    dict(type='TemporalSample', max_frames=64, mode='random_uniform'),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=32),
    dict(type='PackSignInputs', stack=False),
]
train_batch_transforms = [
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts', box_parts=('left_hand', 'right_hand')),
    dict(type='HierarchicalPoseMask', ratio=0.4),
]
# Every stage per sample, in the dataset (any model's data preprocessor)
train_pipeline = (
    batched_train_pipeline[:2] + train_batch_transforms +
    batched_train_pipeline[2:-1] + [dict(type='PackSignInputs')])
# Inference (slp_mm.apis.SignInferencer: sign-text retrieval with the
# pre-trained model): the whole clip, unmasked.
test_pipeline = [
    dict(type='CheckPoseSample', num_keypoints=133),
    dict(type='TemporalSample', max_frames=64, mode='uniform'),
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts', box_parts=('left_hand', 'right_hand')),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=32),
    dict(type='PackSignInputs'),
]

train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    # padded in the loader worker into one buffer (one shared-memory
    # segment a batch; docs/benchmarks.md, 'Loader workers'), of the joints
    # the pipeline kept
    collate_fn=dict(type='slp_mm.collate_sign_batch', layout=None),
    dataset=dict(
        type='SyntheticSignPoseDataset',
        data_root=data_root,
        ann_file='corpus',
        num_samples=600,
        seed=0,
        pipeline=train_pipeline))
