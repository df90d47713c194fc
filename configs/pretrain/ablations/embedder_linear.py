# Ablation: per-frame linear pose embedder instead of the GCN.
_base_ = ['../sl15m.py']
model = dict(
    embedder=dict(
        _delete_=True,
        type='PoseLinearEmbedder',
        layout='sign79',
        in_channels=3,
        embed_dims=512,
        branches=dict(
            manual=('body', 'left_hand', 'right_hand'),
            non_manual=('face', 'mouth'))))
