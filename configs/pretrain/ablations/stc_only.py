# Ablation: sign-text contrastive learning only. Nothing is masked (no
# HierarchicalPoseMask) and there is no MPM head: with no joint hidden MPM
# has no target, so this is also the paper's 0% mask-ratio row.
_base_ = ['../sl15m.py']
train_batch_transforms = [
    t for t in _base_.train_batch_transforms
    if t['type'] != 'HierarchicalPoseMask'
]
model = dict(
    mpm_head=None,
    data_preprocessor=dict(batch_transforms=train_batch_transforms))
