# Ablation: non-manual features only, one 512-d branch. The poses keep only
# the face and mouth joints ('sign79_non_manual', 26 joints, the bones among
# them): no body or hand joint enters the GCN, MPM reconstructs the 26, and
# with no hand NormalizeParts has no part to put in its own box.
# Fine-tune it with configs/{islr,retrieval}/ablations/*_non_manual_only.py.
_base_ = ['../sl15m.py']
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
model = dict(
    embedder=dict(
        layout=layout,
        branches=dict(_delete_=True, non_manual=('face', 'mouth'))),
    encoder=dict(branches=('non_manual', )),
    mpm_head=dict(in_channels=512, num_keypoints=26),
    stc_head=dict(pose_channels=512))
