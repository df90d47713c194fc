# Ablation: STC loss weight lambda = 0.1 (loss = loss_mpm + lambda * loss_stc).
_base_ = ['../sl15m.py']
model = dict(stc_weight=0.1)
