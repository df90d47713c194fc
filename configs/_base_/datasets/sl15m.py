# SL-1.5M pre-training corpus: the nine sources mixed into one sign corpus
# (docs/data_format.md). PHOENIX-2014 samples are unpaired (MPM only).
data_root = 'data/sl15m'
tokenizer = 'facebook/mbart-large-cc25'

# Per sample: only what needs the sample (row read, check, temporal
# sampling, cached tokenisation); PackSignInputs packs the stored 133 joints
# in pixels as arrays. The loader's collate_fn pads them into one buffer,
# keeping the sign79 joints, and draws the MPM masks (mpm_mask: they depend
# on the clip lengths only); the pose stages (train_batch_transforms) then
# run on whole batches on the model's device, in its data preprocessor
# (configs/pretrain/sl15m.py sets its batch_transforms): the same transforms
# and definitions, ~8x the samples per CPU core (docs/benchmarks.md,
# 'Pre-training data pipeline'). This is the training default.
batched_train_pipeline = [
    dict(type='CheckPoseSample', num_keypoints=133),
    # a random frame of each of 256 segments: the whole clip, so the
    # sentence still describes it; unpaired (MPM-only) clips alike
    # (docs/pretraining.md, 'Temporal sampling policy')
    dict(type='TemporalSample', max_frames=256, mode='random_uniform'),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=128),
    # the stored arrays as they are: the preprocessor copies them once
    dict(type='PackSignInputs', stack=False),
]
train_batch_transforms = [
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts', box_parts=('left_hand', 'right_hand')),
]
mpm_mask = dict(type='HierarchicalPoseMask', ratio=0.4)
# Every stage per sample, in the dataset, for a data preprocessor without
# batch_transforms (configs/pretrain/sl15m_per_sample_pipeline.py)
train_pipeline = (
    batched_train_pipeline[:2] + train_batch_transforms + [mpm_mask] +
    batched_train_pipeline[2:-1] + [dict(type='PackSignInputs')])
# Inference (slp_mm.apis.SignInferencer: sign-text retrieval with the
# pre-trained model): the whole clip, unmasked.
test_pipeline = [
    dict(type='CheckPoseSample', num_keypoints=133),
    dict(type='TemporalSample', max_frames=256, mode='uniform'),
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts', box_parts=('left_hand', 'right_hand')),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=128),
    dict(type='PackSignInputs'),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=False,  # exact resume: workers re-seeded each epoch
    pin_memory=True,
    # shuffled batches of similar clip lengths (less padding); its
    # batch_size must equal the dataloader's
    sampler=dict(type='LengthBucketSampler', batch_size=64, shuffle=True),
    # padded in the loader worker into one buffer, with the joints the
    # data preprocessor's SelectKeypoints keeps (one shared-memory segment
    # a batch; docs/benchmarks.md, 'Loader workers'), and the batch's MPM
    # masks drawn there: in the workers, not in the training process,
    # where the GPU would wait for them
    collate_fn=dict(type='slp_mm.collate_sign_batch',
                    layout=train_batch_transforms[0]['layout'],
                    mask=mpm_mask),
    dataset=dict(
        type='SignPoseDataset',
        data_root=data_root,
        ann_file='corpus',
        pipeline=batched_train_pipeline))
