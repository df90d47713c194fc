# ISLR (Sec. III-C): the pre-training pose encoder + a 1-layer classifier.
_base_ = ['./pose_encoder.py']
model = dict(
    type='SignRecognizer',
    data_preprocessor=dict(type='SignDataPreprocessor'),
    embedder=_base_.pose_encoder.embedder,
    encoder=_base_.pose_encoder.encoder,
    head=dict(
        type='SignClsHead',
        num_classes=None,  # set by the dataset config
        in_channels=1024,
        label_smoothing=0.2),
    pretrained=None,
)
