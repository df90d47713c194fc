# Pre-training evidence on real signing (docs/results.md): MPM + STC at the
# demo encoder's size on the TRAINING block of the traduttore ASL words,
# each clip paired with the paper's template sentence ("This word is
# coffee."). slp_mm.apis.pretraining_evidence derives the other variants
# (MPM only, STC only) from it and runs them all:
#   python tools/analysis/pretraining_evidence.py --work-dir work_dirs/evidence
# Alone (after tools/data/traduttore_asl_words/convert.py and a tokenizer in
# data/traduttore_asl_words/tokenizer, which the script writes):
#   python tools/train.py configs/pretrain/traduttore_asl_words_evidence.py
_base_ = ['./demo.py']  # model, schedule and runtime at the demo's size

data_root = 'data/traduttore_asl_words'
tokenizer = data_root + '/tokenizer'
num_frames = 32  # the clips have 20 frames: every frame is kept

# the ISLR configs' preparation (configs/_base_/datasets/
# traduttore_asl_words.py), so fine-tuning sees the poses pre-training saw
train_pipeline = [
    dict(type='CheckPoseSample'),
    dict(type='TemporalSample', max_frames=num_frames, mode='random_uniform'),
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts'),
    dict(type='RandomAffinePose'),
    dict(type='HierarchicalPoseMask', ratio=0.4),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=16),
    dict(type='PackSignInputs'),
]
# SignInferencer (zero-shot ranking of the template sentences): unmasked
test_pipeline = [
    dict(type='CheckPoseSample'),
    dict(type='TemporalSample', max_frames=num_frames, mode='uniform'),
    dict(type='SelectKeypoints', layout='sign79'),
    dict(type='NormalizeParts'),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=16),
    dict(type='PackSignInputs'),
]
train_dataloader = dict(
    batch_size=16,
    dataset=dict(
        _delete_=True,
        type='SignPoseDataset',
        data_root=data_root,
        ann_file='train',
        pipeline=train_pipeline))

max_epochs = 25
warmup_epochs = 2
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=True, begin=0,
         end=warmup_epochs, convert_to_iter_based=True),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.0, by_epoch=True,
         begin=warmup_epochs, end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
