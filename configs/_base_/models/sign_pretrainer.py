# The paper's pre-training model (Sec. III-B): per-frame GCN -> two 8-block
# 512-d transformer branches -> MPM + fine-grained STC, frozen mBART-cc25.
_base_ = ['./pose_encoder.py']
model = dict(
    type='SignPretrainer',
    data_preprocessor=dict(type='SignDataPreprocessor', text_pad_id=1),
    embedder=_base_.pose_encoder.embedder,
    encoder=_base_.pose_encoder.encoder,
    text_encoder=dict(
        type='HFTextEncoder',
        name_or_path='facebook/mbart-large-cc25',
        frozen=True,
        allow_random_weights=False),
    mpm_head=dict(
        type='MaskedPoseHead',
        in_channels=1024,
        num_keypoints=79,
        hidden_channels=1024),
    stc_head=dict(
        type='FineGrainedContrastiveHead',
        pose_channels=1024,
        text_channels=1024,
        embed_dims=512,
        window=4,
        init_temperature=0.07,
        gather_negatives=True,  # negatives from the global batch (512)
        chunk_size=8),  # peak (8, 512, T', L) similarity per chunk
    stc_weight=1.0,
)
