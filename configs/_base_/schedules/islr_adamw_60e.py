# Table III, ISLR: AdamW lr 1e-3, weight decay 1e-4, batch 64, lr x 0.1 every
# 20 epochs, 60 epochs; the pre-trained encoder at lr x 0.1
# (finetune_encoder_lr.py).
_base_ = ['./finetune_encoder_lr.py']
max_epochs = 60
optim_wrapper = dict(
    type='GuardedOptimWrapper',  # skips and reports NaN/inf updates
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
    constructor='FinetuneOptimWrapperConstructor',
    paramwise_cfg=dict(module_lr_mult=_base_.finetune_module_lr_mult),
    clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, begin=0, end=max_epochs,
         milestones=[20, 40], gamma=0.1)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=64)
