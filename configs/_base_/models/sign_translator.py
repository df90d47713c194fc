# Gloss-free SLT (Sec. III-C): the pre-training pose encoder + a 2-layer MLP
# projector + a randomly initialised 3-block mBART-style decoder (width 1024,
# mBART-cc25's vocabulary and tokenizer), beam search of 4.
_base_ = ['./pose_encoder.py']
model = dict(
    type='SignTranslator',
    data_preprocessor=dict(type='SignDataPreprocessor', text_pad_id=1),
    embedder=_base_.pose_encoder.embedder,
    encoder=_base_.pose_encoder.encoder,
    head=dict(
        type='SignTranslationHead',
        in_channels=1024,
        tokenizer='facebook/mbart-large-cc25',
        target_language=None,  # set by the dataset config
        # mBART-cc25's decoder architecture at 3 blocks (random weights);
        # the head shrinks the unused encoder to 0 layers
        decoder=dict(
            model_type='mbart',
            vocab_size=250027,
            d_model=1024,
            decoder_layers=3,
            decoder_attention_heads=16,
            decoder_ffn_dim=4096,
            activation_function='gelu',
            dropout=0.1,
            attention_dropout=0.0,
            activation_dropout=0.0,
            max_position_embeddings=1024,
            init_std=0.02,
            scale_embedding=True,
            pad_token_id=1,
            bos_token_id=0,
            eos_token_id=2,
            forced_eos_token_id=2),
        num_beams=4,
        max_new_tokens=100,
        length_penalty=1.0,
        label_smoothing=0.1),
    pretrained=None,
)
