# Ablation: HierarchicalPoseMask ratio 0 (config-file inheritance cannot
# index into lists, so the train pipeline is rebuilt from the base one).
# With ratio 0 no joint is masked: MaskedPoseHead gives loss_mpm = 0
# (0 / clamp(0, 1e-6)), not NaN, so only STC trains the encoder.
_base_ = ['../sl15m.py']
train_pipeline = [
    dict(t, ratio=0) if t['type'] == 'HierarchicalPoseMask' else t
    for t in _base_.train_pipeline
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
