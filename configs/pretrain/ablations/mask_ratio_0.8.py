# Ablation: HierarchicalPoseMask ratio 0.8 (config-file inheritance cannot
# index into lists, so the batch transforms are rebuilt from the base ones).
_base_ = ['../sl15m.py']
train_batch_transforms = [
    dict(t, ratio=0.8) if t['type'] == 'HierarchicalPoseMask' else t
    for t in _base_.train_batch_transforms
]
model = dict(data_preprocessor=dict(batch_transforms=train_batch_transforms))
