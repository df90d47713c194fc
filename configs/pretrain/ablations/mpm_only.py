# Ablation: masked pose modelling only (no sign-text contrastive learning).
_base_ = ['../sl15m.py']
model = dict(stc_head=None, text_encoder=None)
