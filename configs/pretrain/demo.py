# The embedded demo: the paper's pre-training (MPM + fine-grained STC) at toy
# size on the SYNTHETIC corpus, on CPU in a few minutes, with no download.
#   python tools/train.py configs/pretrain/demo.py
_base_ = [
    '../_base_/models/sign_pretrainer.py',
    '../_base_/models/pose_encoder_tiny.py',
    '../_base_/datasets/demo_synthetic.py',
    '../_base_/schedules/pretrain_adamw_100e.py',
    '../_base_/default_runtime.py',
]

pose_channels = 2 * _base_.pose_encoder_tiny.encoder.embed_dims  # 2 branches
text_dims = 64
model = dict(
    embedder=_base_.pose_encoder_tiny.embedder,
    encoder=_base_.pose_encoder_tiny.encoder,
    # a tiny randomly initialised mBART encoder with the demo's own tokenizer
    text_encoder=dict(
        config=dict(
            model_type='mbart',
            vocab_size=500,
            d_model=text_dims,
            encoder_layers=2,
            decoder_layers=0,
            encoder_attention_heads=4,
            decoder_attention_heads=4,
            encoder_ffn_dim=2 * text_dims,
            decoder_ffn_dim=2 * text_dims,
            max_position_embeddings=64,
            pad_token_id=1,
            bos_token_id=0,
            eos_token_id=2),
        allow_random_weights=True),
    mpm_head=dict(in_channels=pose_channels, hidden_channels=128),
    # a batch of 16 needs no chunking of the similarity (chunks recompute)
    stc_head=dict(
        pose_channels=pose_channels, text_channels=text_dims,
        embed_dims=64, chunk_size=None),
)

max_epochs = 12
warmup_epochs = 1
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=True, begin=0,
         end=warmup_epochs, convert_to_iter_based=True),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.0, by_epoch=True,
         begin=warmup_epochs, end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=1, max_keep_ckpts=2))
