# GF-SLT: AdamW lr 1e-4, weight decay 1e-4, batch 32, 10% linear warm-up
# then cosine decay, 60 epochs; `end` set explicitly so resume keeps it.
_base_ = ['./finetune_encoder_lr.py']
max_epochs = 60
warmup_epochs = 6
optim_wrapper = dict(
    type='GuardedOptimWrapper',  # skips and reports NaN/inf updates
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    constructor='FinetuneOptimWrapperConstructor',
    # the decoder's tied embeddings appear under several modules, hence
    # bypass_duplicate
    paramwise_cfg=dict(
        module_lr_mult=_base_.finetune_module_lr_mult,
        bypass_duplicate=True),
    clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0,
         end=warmup_epochs, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=warmup_epochs,
         end=max_epochs, T_max=max_epochs - warmup_epochs, eta_min=1e-6,
         convert_to_iter_based=True)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=32)
