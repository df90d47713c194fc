# Ablation: pre-train on a seeded random 100% of SL-1.5M.
_base_ = ['../sl15m.py']
train_dataloader = dict(dataset=dict(fraction=1.0))
