# ISLR (Sec. III-C): the pre-training pose encoder + a 1-layer classifier.
model = dict(
    type='SignRecognizer',
    data_preprocessor=dict(type='SignDataPreprocessor'),
    embedder=dict(
        type='PoseGCNEmbedder',
        layout='sign79',
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
        dropout=0.1,
        max_frames=256),
    head=dict(
        type='SignClsHead',
        num_classes=None,  # set by the dataset config
        in_channels=1024,
        label_smoothing=0.2),
    pretrained=None,
)
