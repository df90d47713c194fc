# Ablation: STC loss weight lambda = 1.0 (loss = loss_mpm + lambda * loss_stc).
_base_ = ['../sl15m.py']
model = dict(stc_weight=1.0)
