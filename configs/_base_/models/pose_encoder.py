# The paper's pose encoder (Sec. III-A), shared by every task model base: a
# per-frame GCN embedder over the 79 COCO-WholeBody joints, then two 8-block
# 512-d transformer branches (manual = body + hands, non-manual = face +
# mouth). A pre-training checkpoint loads into a downstream model only if both
# were built from this size.
# A base variable, not a `model` fragment: mmengine refuses a key defined in
# two sibling bases, so the model bases (configs/_base_/models/sign_*.py)
# inherit this file and place it with `_base_.pose_encoder.embedder` /
# `.encoder`. Changing this top-level variable from a task config or
# --cfg-options does not reach the model: set model.embedder / model.encoder.
pose_encoder = dict(
    embedder=dict(
        type='PoseGCNEmbedder',
        layout='sign79',
        in_channels=3,
        gcn_channels=(64, 64, 128),
        embed_dims=512,
        branches=dict(
            manual=('body', 'left_hand', 'right_hand'),
            non_manual=('face', 'mouth'))),
    encoder=dict(
        type='DualBranchEncoder',
        branches=('manual', 'non_manual'),
        embed_dims=512,
        num_layers=8,
        num_heads=8,
        ffn_ratio=4,
        dropout=0.1,
        max_frames=256))
