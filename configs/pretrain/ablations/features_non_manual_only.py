# Ablation: non-manual features only, one 512-d branch. The poses keep only
# the face and mouth joints ('sign79_non_manual', 26 joints, the bones among
# them): no body or hand joint enters the GCN, MPM reconstructs the 26, and
# with no hand NormalizeParts has no part to put in its own box.
# Fine-tune it with configs/{islr,retrieval}/ablations/*_non_manual_only.py.
_base_ = ['../sl15m.py', '../../_base_/features/non_manual_only.py']
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
# one branch: the encoder output is one embed_dims wide
model = dict(
    _base_.feature_set.model,
    data_preprocessor=dict(batch_transforms=train_batch_transforms),
    mpm_head=dict(
        in_channels=_base_.pose_encoder.encoder.embed_dims,
        num_keypoints=_base_.feature_set.num_keypoints),
    stc_head=dict(pose_channels=_base_.pose_encoder.encoder.embed_dims))
