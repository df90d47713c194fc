# Ablation: non-manual features only (face + mouth), one 512-d branch.
_base_ = ['../sl15m.py']
model = dict(
    embedder=dict(
        branches=dict(_delete_=True, non_manual=('face', 'mouth'))),
    encoder=dict(branches=('non_manual', )),
    mpm_head=dict(in_channels=512),
    stc_head=dict(pose_channels=512))
