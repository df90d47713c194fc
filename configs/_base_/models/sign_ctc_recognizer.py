# CSLR (Sec. III-C): pre-training pose encoder + TCN + BiLSTM + CTC.
model = dict(
    type='SignCTCRecognizer',
    data_preprocessor=dict(type='SignDataPreprocessor'),
    embedder=dict(
        type='PoseGCNEmbedder',
        layout='sign79',
        gcn_channels=(64, 64, 128),
        embed_dims=512),
    encoder=dict(
        type='DualBranchEncoder',
        embed_dims=512,
        num_layers=8,
        num_heads=8,
        dropout=0.1,
        max_frames=256),
    head=dict(
        type='SignCTCHead',
        vocab_file=None,  # set by the dataset config
        in_channels=1024,
        hidden_channels=1024,
        num_lstm_layers=2,
        decoder='beam',
        beam_size=10),
    pretrained=None,
)
