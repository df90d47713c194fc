# Sigma pre-training (projects/sigma) in the setting of
# configs/pretrain/sl15m.py: same SL-1.5M corpus, pose embedder/encoder, frozen
# mBART-cc25 text encoder, batch, optimiser and 100-epoch schedule, so Sigma
# and our MPM + STC pre-training compare like for like.
#   bash tools/dist_train.sh projects/sigma/configs/sigma_sl15m.py 8
_base_ = ['../../../configs/pretrain/sl15m.py']
custom_imports = dict(
    imports=['projects.sigma.models'], allow_failed_imports=False)

# base widths: 2 branches x 512 = 1024 pose channels, mBART d_model 1024
model = dict(
    type='SigmaPretrainer',
    mpm_head=None,  # Sigma has no masked pose modelling
    # stc_head (fine-grained, global-batch negatives), embedder, encoder,
    # text_encoder: the base's
    fusion=dict(
        type='SignAwareEarlyFusion',
        embed_dims=512,
        text_channels=1024,
        num_heads=8,
        dropout=0.1,
        init_gate=0.0),
    itm_head=dict(type='SigmaMatchingHead', in_channels=1024,
                  hidden_channels=512),
    lm_head=dict(
        type='SigmaLMHead',
        in_channels=1024,
        tokenizer='facebook/mbart-large-cc25',
        decoder=dict(
            model_type='mbart',
            vocab_size=250027,  # mBART-cc25's tokenizer
            d_model=512,
            encoder_layers=0,
            decoder_layers=3,
            encoder_attention_heads=8,
            decoder_attention_heads=8,
            encoder_ffn_dim=2048,
            decoder_ffn_dim=2048,
            dropout=0.1,
            max_position_embeddings=256,
            pad_token_id=1,
            bos_token_id=0,
            eos_token_id=2,
            decoder_start_token_id=2)),
    hier_heads=dict(
        embedder=dict(
            type='FineGrainedContrastiveHead',
            pose_channels=1024,
            text_channels=1024,
            embed_dims=512,
            granularity='coarse',
            gather_negatives=True)),
    hier_weights=dict(embedder=0.5),
    stc_weight=1.0,
    itm_weight=1.0,
    lm_weight=1.0,
)

# the LM decoder ties its token embeddings to its output layer: the tied
# tensor sits in two modules, hence bypass_duplicate (as configs/slt/*.py)
optim_wrapper = dict(paramwise_cfg=dict(bypass_duplicate=True))
