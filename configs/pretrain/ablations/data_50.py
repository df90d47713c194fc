# Ablation: pre-train on a seeded random 50% of SL-1.5M.
_base_ = ['../sl15m.py']
train_dataloader = dict(dataset=dict(fraction=0.5))
