# Sigma pre-training (projects/sigma) at the demo's toy size on the SYNTHETIC
# corpus; everything else (data, schedule, runtime) is configs/pretrain/demo.py
#   python tools/train.py projects/sigma/configs/sigma_demo.py
_base_ = ['../../../configs/pretrain/demo.py']
custom_imports = dict(
    imports=['projects.sigma.models'], allow_failed_imports=False)

# the demo's widths: embed_dims = 64 per branch (2 branches), text_dims = 64
model = dict(
    type='SigmaPretrainer',
    mpm_head=None,  # Sigma has no masked pose modelling
    # stc_head, embedder, encoder, text_encoder: the demo's
    fusion=dict(
        type='SignAwareEarlyFusion',
        embed_dims=64,
        text_channels=64,
        num_heads=4,
        init_gate=0.0),
    itm_head=dict(type='SigmaMatchingHead', in_channels=128,
                  hidden_channels=64),
    lm_head=dict(
        type='SigmaLMHead',
        in_channels=128,
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
            pose_channels=128,
            text_channels=64,
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
