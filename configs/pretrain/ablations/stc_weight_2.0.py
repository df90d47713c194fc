# Ablation: STC loss weight lambda = 2.0 (loss = loss_mpm + lambda * loss_stc).
_base_ = ['../sl15m.py']
model = dict(stc_weight=2.0)
