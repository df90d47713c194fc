# WLASL2000 ISLR fine-tuned from the manual-only pre-training
# (configs/pretrain/ablations/features_manual_only.py): the body and hand
# joints only ('sign79_manual'), one 512-d branch, as that checkpoint holds.
#   python tools/train.py configs/islr/ablations/wlasl2000_manual_only.py \
#       --cfg-options \
#       model.pretrained=work_dirs/features_manual_only/epoch_100.pth
_base_ = ['../wlasl2000.py',
          '../../_base_/features/manual_only.py']
train_batch_transforms = [
    dict(t, **_base_.feature_set.transforms.get(t['type'], {}))
    for t in _base_.train_batch_transforms
]
# the loader workers keep the same joints while padding
train_dataloader = dict(
    collate_fn=dict(layout=train_batch_transforms[0]['layout']))
test_pipeline = [
    dict(t, **_base_.feature_set.transforms.get(t['type'], {}))
    for t in _base_.test_pipeline
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
# one branch: the encoder output is one embed_dims wide
model = dict(
    _base_.feature_set.model,
    data_preprocessor=dict(batch_transforms=train_batch_transforms),
    head=dict(in_channels=_base_.pose_encoder.encoder.embed_dims))
