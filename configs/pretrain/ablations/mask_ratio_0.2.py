# Ablation: HierarchicalPoseMask ratio 0.2 (the loader's collate_fn draws
# the MPM masks, configs/_base_/datasets/sl15m.py).
_base_ = ['../sl15m.py']
mpm_mask = dict(type='HierarchicalPoseMask', ratio=0.2)
train_dataloader = dict(collate_fn=dict(mask=mpm_mask))
