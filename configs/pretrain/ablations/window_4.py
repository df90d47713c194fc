# Ablation: STC clip window of 4 frames (pooled clips per sign).
_base_ = ['../sl15m.py']
model = dict(stc_head=dict(window=4))
