# CSL-Daily sign-text retrieval (SL-RT, the paper's Table X): the
# pre-trained model fine-tuned with STC only, scored by T2V / V2T R@1/5/10
# and median rank.
# Start from a pre-training
# checkpoint with mmengine's `load_from` (weights only, non-strict: the MPM
# head's weights are reported as unexpected keys and left out):
#   python tools/train.py configs/retrieval/csl_daily.py \
#       --cfg-options load_from=work_dirs/sl15m/epoch_100.pth
_base_ = [
    '../_base_/models/sign_pretrainer.py',
    '../_base_/datasets/retrieval_csl_daily.py',
    '../_base_/schedules/retrieval_adamw_60e.py',
    '../_base_/default_runtime.py',
]
model = dict(type='SignRetriever', mpm_head=None)
# coarse-grained variant: model.stc_head.granularity='coarse'

default_hooks = dict(
    checkpoint=dict(
        save_best='retrieval/t2v/R1', rule='greater', max_keep_ckpts=2))
# the pre-trained encoder fine-tunes at lr x 0.1 (the text encoder is frozen)
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={
        'embedder.': dict(lr_mult=0.1),
        'encoder.': dict(lr_mult=0.1)
    }))
