# Ablation: the paper's InfoNCE, where repeated sentences of the global batch
# (SL-1.5M's template sentences of isolated signs) are negatives of each
# other, instead of being left out of each other's negatives (the default,
# see FineGrainedContrastiveHead).
_base_ = ['../sl15m.py']
model = dict(stc_head=dict(duplicate_sentences='negatives'))
