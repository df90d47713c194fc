# The non-manual-features-only ablation (paper's feature ablation): the face
# and mouth joints only ('sign79_non_manual', 26 joints, the bones among
# them), one branch; with no hand, NormalizeParts has no part to put in its
# own box. Pre-training
# (configs/pretrain/ablations/features_non_manual_only.py) and the configs
# that fine-tune its checkpoint
# (configs/{islr,retrieval}/ablations/*_non_manual_only.py) apply this one
# definition, as manual_only.py describes.
feature_set = dict(
    # transform type -> the arguments it takes instead, in every pipeline
    # and batch_transforms
    transforms=dict(
        SelectKeypoints=dict(layout='sign79_non_manual'),
        NormalizeParts=dict(box_parts=())),
    model=dict(
        embedder=dict(
            layout='sign79_non_manual',
            branches=dict(_delete_=True, non_manual=('face', 'mouth'))),
        encoder=dict(branches=('non_manual', ))),
    num_keypoints=26,  # what MPM reconstructs
)
