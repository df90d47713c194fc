# WLASL2000 ISLR fine-tuned from the non-manual-only pre-training
# (configs/pretrain/ablations/features_non_manual_only.py): the face and
# mouth joints only ('sign79_non_manual', no hand to put in its own box), one
# 512-d branch, as that checkpoint holds.
#   python tools/train.py configs/islr/ablations/wlasl2000_non_manual_only.py \
#       --cfg-options \
#       model.pretrained=work_dirs/features_non_manual_only/epoch_100.pth
_base_ = ['../wlasl2000.py']
layout = 'sign79_non_manual'
train_pipeline = [
    dict(t, layout=layout) if t['type'] == 'SelectKeypoints' else
    dict(t, box_parts=()) if t['type'] == 'NormalizeParts' else t
    for t in _base_.train_pipeline
]
test_pipeline = [
    dict(t, layout=layout) if t['type'] == 'SelectKeypoints' else
    dict(t, box_parts=()) if t['type'] == 'NormalizeParts' else t
    for t in _base_.test_pipeline
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
model = dict(
    embedder=dict(
        layout=layout,
        branches=dict(_delete_=True, non_manual=('face', 'mouth'))),
    encoder=dict(branches=('non_manual', )),
    head=dict(in_channels=512))
