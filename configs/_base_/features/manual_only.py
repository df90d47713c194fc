# The manual-features-only ablation (paper's feature ablation): the body and
# hand joints only ('sign79_manual', 53 joints, the bones among them), one
# branch. Pre-training (configs/pretrain/ablations/features_manual_only.py)
# and the configs that fine-tune its checkpoint
# (configs/{islr,retrieval}/ablations/*_manual_only.py) apply this one
# definition, so data and model agree with the checkpoint:
#   train_batch_transforms = [
#       dict(t, **_base_.feature_set.transforms.get(t['type'], {}))
#       for t in _base_.train_batch_transforms]       (and test_pipeline)
#   model = dict(
#       _base_.feature_set.model,
#       data_preprocessor=dict(batch_transforms=train_batch_transforms),
#       head=...)
feature_set = dict(
    # transform type -> the arguments it takes instead, in every pipeline
    # and batch_transforms
    transforms=dict(SelectKeypoints=dict(layout='sign79_manual')),
    model=dict(
        embedder=dict(
            layout='sign79_manual',
            branches=dict(
                _delete_=True, manual=('body', 'left_hand', 'right_hand'))),
        encoder=dict(branches=('manual', ))),
    num_keypoints=53,  # what MPM reconstructs
)
