# An attempt of docs/results.md ("masking too easy on 20-frame clips?"):
# MPM + STC as traduttore_asl_words_evidence.py, but 60% of the joints
# hidden, only in whole runs of frames and whole body parts (no single
# joints or frames that the neighbours give away).
#   PYTHONPATH=. python tools/analysis/pretraining_evidence.py \
#       --pretrain-config configs/pretrain/traduttore_asl_words_evidence_hard_mask.py \
#       --work-dir work_dirs/evidence --variants mpm --seeds 3 --jobs 2
_base_ = ['./traduttore_asl_words_evidence.py']

hard_mask = dict(
    type='HierarchicalPoseMask',
    ratio=0.6,
    level_weights=dict(clip=0.5, part=0.5),
    clip_len=(4, 10))
train_dataloader = dict(
    dataset=dict(pipeline=[
        hard_mask if t['type'] == 'HierarchicalPoseMask' else t
        for t in _base_.train_pipeline
    ]))
