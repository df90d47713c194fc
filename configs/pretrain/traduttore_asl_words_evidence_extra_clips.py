# An attempt of docs/results.md ("too few clips?"): MPM on the training
# block plus every other real signing clip under ../shared/data, unlabelled
# (no text: the mpm variant only), cut into 20-frame pieces like the
# traduttore clips. No traduttore clip is among them, so no test clip
# enters pre-training.
#   PYTHONPATH=. python tools/analysis/pretraining_evidence.py \
#       --pretrain-config configs/pretrain/traduttore_asl_words_evidence_extra_clips.py \
#       --work-dir work_dirs/evidence --variants mpm --seeds 3 --jobs 2
_base_ = ['./traduttore_asl_words_evidence.py']

# read by slp_mm.apis.pretraining_evidence into data_root/unlabelled; one
# file per recording (FOOTBALL's MMPose twin and a 5-frame fixture left out)
unlabelled_pose_files = [
    '../shared/data/sld-real-samples/*.pose',
    '../shared/data/slp-pose-evaluation-asl/*.pose',
    '../shared/data/slp-pose-format-testdata/mediapipe.pose',
    '../shared/data/slp-pose-format-testdata/openpose.pose',
    '../shared/data/slp-pose-format-testdata/js-viewer-example-openpose.pose',
    '../shared/data/slp-pose-wholebody133/FOOTBALL.mediapipe-holistic.pose',
    '../shared/data/slp-pose-wholebody133/SOUP.mmposewholebody.pose',
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        ignore_keys=['classes', 'languages'],  # the extra clips have none
        datasets=[
            dict(type='SignPoseDataset', data_root=_base_.data_root,
                 ann_file=ann_file, pipeline=_base_.train_pipeline)
            for ann_file in ('train', 'unlabelled')
        ]))
