# CSLR (Sec. III-C): pre-training pose encoder + TCN + BiLSTM + CTC.
_base_ = ['./pose_encoder.py']
model = dict(
    type='SignCTCRecognizer',
    data_preprocessor=dict(type='SignDataPreprocessor'),
    embedder=_base_.pose_encoder.embedder,
    encoder=_base_.pose_encoder.encoder,
    head=dict(
        type='SignCTCHead',
        gloss_vocab=None,  # set by the task config (configs/cslr)
        in_channels=1024,
        hidden_channels=1024,
        num_lstm_layers=2,
        decoder='beam',
        beam_size=10),
    pretrained=None,
)
