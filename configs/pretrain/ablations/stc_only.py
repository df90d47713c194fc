# Ablation: sign-text contrastive learning only. Nothing is masked (no
# HierarchicalPoseMask) and there is no MPM head: with no joint hidden MPM
# has no target, so this is also the paper's 0% mask-ratio row.
_base_ = ['../sl15m.py']
train_pipeline = [
    t for t in _base_.train_pipeline if t['type'] != 'HierarchicalPoseMask'
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
model = dict(mpm_head=None)
