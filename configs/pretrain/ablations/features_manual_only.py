# Ablation: manual features only, one 512-d branch. The poses keep only the
# body and hand joints ('sign79_manual', 53 joints, the bones among them):
# no face or mouth joint enters the GCN, and MPM reconstructs the 53.
# Fine-tune it with configs/{islr,retrieval}/ablations/*_manual_only.py.
_base_ = ['../sl15m.py', '../../_base_/features/manual_only.py']
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
