# Ablation: manual features only (body + hands), one 512-d branch.
_base_ = ['../sl15m.py']
model = dict(
    embedder=dict(
        branches=dict(
            _delete_=True, manual=('body', 'left_hand', 'right_hand'))),
    encoder=dict(branches=('manual', )),
    mpm_head=dict(in_channels=512),
    stc_head=dict(pose_channels=512))
