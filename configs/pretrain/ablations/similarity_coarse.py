# Ablation: coarse sign-text similarity (one embedding per sign / sentence)
# instead of the fine-grained clip x word similarity.
_base_ = ['../sl15m.py']
model = dict(stc_head=dict(granularity='coarse'))
