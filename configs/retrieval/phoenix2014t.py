# PHOENIX-2014-T sign-text retrieval (SL-RT, the paper's Table X): the
# pre-trained model fine-tuned with STC only, scored by T2V / V2T R@1/5/10
# and median rank.
# Start from a pre-training checkpoint with `model.pretrained` (embedder,
# encoder and STC projections; the MPM head is left out):
#   python tools/train.py configs/retrieval/phoenix2014t.py \
#       --cfg-options model.pretrained=work_dirs/sl15m/epoch_100.pth
# not with `load_from`, which would also carry over the temperature that
# pre-training ended with (SignRetriever restarts it at 0.07, Table III).
_base_ = [
    '../_base_/models/sign_pretrainer.py',
    '../_base_/datasets/retrieval_phoenix2014t.py',
    '../_base_/schedules/retrieval_adamw_60e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    data_preprocessor=dict(batch_transforms=_base_.train_batch_transforms),
    type='SignRetriever',
    mpm_head=None,
    pretrained=None,
    # None: the window of the pre-training checkpoint (4 for sl15m.py, 8
    # after the window_8 ablation); a number must equal it
    stc_head=dict(window=None))
# coarse-grained variant: model.stc_head.granularity='coarse'

default_hooks = dict(
    checkpoint=dict(
        save_best='retrieval/t2v/R1', rule='greater', max_keep_ckpts=2))
