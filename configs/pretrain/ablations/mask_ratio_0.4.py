# Ablation: HierarchicalPoseMask ratio 0.4 (config-file inheritance cannot
# index into lists, so the train pipeline is rebuilt from the base one).
_base_ = ['../sl15m.py']
train_pipeline = [
    dict(t, ratio=0.4) if t['type'] == 'HierarchicalPoseMask' else t
    for t in _base_.train_pipeline
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
