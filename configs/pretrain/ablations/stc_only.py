# Ablation: sign-text contrastive learning only (no masked pose modelling).
_base_ = ['../sl15m.py']
model = dict(mpm_head=None)
