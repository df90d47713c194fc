# Ablation: sign-text contrastive learning only. Nothing is masked (the
# loader's collate_fn draws no MPM masks) and there is no MPM head: with no
# joint hidden MPM has no target, so this is also the paper's 0% mask-ratio
# row.
_base_ = ['../sl15m.py']
train_dataloader = dict(collate_fn=dict(mask=None))
model = dict(mpm_head=None)
