# Ablation: manual features only, one 512-d branch. The poses keep only the
# body and hand joints ('sign79_manual', 53 joints, the bones among them):
# no face or mouth joint enters the GCN, and MPM reconstructs the 53.
# Fine-tune it with configs/{islr,retrieval}/ablations/*_manual_only.py.
_base_ = ['../sl15m.py']
layout = 'sign79_manual'
train_pipeline = [
    dict(t, layout=layout) if t['type'] == 'SelectKeypoints' else t
    for t in _base_.train_pipeline
]
test_pipeline = [
    dict(t, layout=layout) if t['type'] == 'SelectKeypoints' else t
    for t in _base_.test_pipeline
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
model = dict(
    embedder=dict(
        layout=layout,
        branches=dict(
            _delete_=True, manual=('body', 'left_hand', 'right_hand'))),
    encoder=dict(branches=('manual', )),
    mpm_head=dict(in_channels=512, num_keypoints=53),
    stc_head=dict(pose_channels=512))
