# CSL-Daily sign-text retrieval (SL-RT, the paper's Table X): the
# pre-trained model fine-tuned with STC only, scored by T2V / V2T R@1/5/10
# and median rank.
# SignPretrainer has no `pretrained` argument: start from a pre-training
# checkpoint with mmengine's `load_from` (weights only, non-strict: the MPM
# head's weights are reported as unexpected keys and left out):
#   python tools/train.py configs/retrieval/csl_daily.py \
#       --cfg-options load_from=work_dirs/sl15m/epoch_100.pth
_base_ = [
    '../_base_/models/sign_pretrainer.py',
    '../_base_/datasets/retrieval_csl_daily.py',
    '../_base_/schedules/pretrain_adamw_100e.py',
    '../_base_/default_runtime.py',
]
model = dict(mpm_head=None)

# AdamW lr 1e-4, weight decay 0.1 (the base schedule), 30 epochs with 10%
# linear warm-up; `end` is explicit so a resumed run keeps the schedule.
max_epochs = 30
warmup_epochs = 3
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0,
         end=warmup_epochs, convert_to_iter_based=True),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.0, by_epoch=True,
         begin=warmup_epochs, end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# lr 1e-4 is for one GPU x 64 pairs
auto_scale_lr = dict(base_batch_size=64)
default_hooks = dict(
    checkpoint=dict(
        save_best='retrieval/t2v/R1', rule='greater', max_keep_ckpts=2))
