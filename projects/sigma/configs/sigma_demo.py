# Sigma pre-training (projects/sigma) at the demo's toy size on the SYNTHETIC
# corpus; everything else (data, schedule, runtime) is configs/pretrain/demo.py
#   python tools/train.py projects/sigma/configs/sigma_demo.py
_base_ = ['../../../configs/pretrain/demo.py']
custom_imports = dict(
    imports=['projects.sigma.models'], allow_failed_imports=False)

# the demo's widths (configs/_base_/models/pose_encoder_tiny.py): embed_dims
# per branch, pose_channels = 2 branches x embed_dims, text_dims
embed_dims = _base_.pose_encoder_tiny.encoder.embed_dims
model = dict(
    type='SigmaPretrainer',
    mpm_head=None,  # Sigma has no masked pose modelling
    # stc_head, embedder, encoder, text_encoder: the demo's
    fusion=dict(
        type='SignAwareEarlyFusion',
        embed_dims=embed_dims,
        text_channels=_base_.text_dims,
        num_heads=4,
        init_gate=0.0),
    itm_head=dict(type='SigmaMatchingHead', in_channels=_base_.pose_channels,
                  hidden_channels=64),
    lm_head=dict(
        type='SigmaLMHead',
        in_channels=_base_.pose_channels,
        tokenizer='data/demo_synthetic/corpus/tokenizer',
        decoder=dict(
            model_type='mbart',
            vocab_size=500,
            d_model=64,
            encoder_layers=0,
            decoder_layers=2,
            encoder_attention_heads=4,
            decoder_attention_heads=4,
            encoder_ffn_dim=128,
            decoder_ffn_dim=128,
            max_position_embeddings=64,
            pad_token_id=1,
            bos_token_id=0,
            eos_token_id=2,
            decoder_start_token_id=2)),
    # hierarchical alignment: a global (coarse) contrastive level on the
    # embedder tokens next to the fine-grained one on the encoder output
    hier_heads=dict(
        embedder=dict(
            type='FineGrainedContrastiveHead',
            pose_channels=_base_.pose_channels,
            text_channels=_base_.text_dims,
            embed_dims=64,
            granularity='coarse')),
    hier_weights=dict(embedder=0.5),
    stc_weight=1.0,
    itm_weight=1.0,
    lm_weight=1.0,
)

# the LM decoder ties its token embeddings to its output layer: the tied
# tensor sits in two modules, hence bypass_duplicate (as configs/slt/*.py)
optim_wrapper = dict(paramwise_cfg=dict(bypass_duplicate=True))
