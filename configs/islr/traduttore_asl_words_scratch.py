# ISLR on the real traduttore ASL words (14 classes), encoder from scratch,
# at the demo encoder's size so the pre-trained variant can load
# configs/pretrain/demo.py checkpoints. CPU, a few minutes.
#   python tools/train.py configs/islr/traduttore_asl_words_scratch.py
_base_ = [
    '../_base_/models/sign_recognizer.py',
    '../_base_/models/pose_encoder_tiny.py',
    '../_base_/datasets/traduttore_asl_words.py',
    '../_base_/schedules/islr_adamw_60e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    data_preprocessor=dict(batch_transforms=_base_.train_batch_transforms),
    embedder=_base_.pose_encoder_tiny.embedder,
    encoder=_base_.pose_encoder_tiny.encoder,
    head=dict(
        num_classes=14,
        in_channels=2 * _base_.pose_encoder_tiny.encoder.embed_dims,
        dropout=0.1))
default_hooks = dict(logger=dict(interval=4),
                     checkpoint=dict(interval=20, max_keep_ckpts=1))
# from scratch: the encoder trains at the full lr too (the schedule's
# lr x 0.1 is for a pre-trained encoder)
optim_wrapper = dict(paramwise_cfg=dict(module_lr_mult=dict(_delete_=True)))
