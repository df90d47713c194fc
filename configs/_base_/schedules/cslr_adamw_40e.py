# Table III, CSLR: AdamW lr 1e-4, weight decay 1e-5, batch 8, 40 epochs,
# step decay (x 0.1 at epochs 20 and 30).
_base_ = ['./finetune_encoder_lr.py']
max_epochs = 40
optim_wrapper = dict(
    type='GuardedOptimWrapper',  # skips and reports NaN/inf updates
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-5),
    constructor='FinetuneOptimWrapperConstructor',
    paramwise_cfg=dict(module_lr_mult=_base_.finetune_module_lr_mult),
    clip_grad=dict(max_norm=5.0))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, begin=0, end=max_epochs,
         milestones=[20, 30], gamma=0.1)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=8)
