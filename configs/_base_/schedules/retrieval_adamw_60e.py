# SL-RT: AdamW lr 1e-4, weight decay 1e-3, batch 32, cosine decay, 60
# epochs; `end` set explicitly so a resumed run keeps the schedule.
_base_ = ['./finetune_encoder_lr.py']
max_epochs = 60
optim_wrapper = dict(
    type='GuardedOptimWrapper',  # skips and reports NaN/inf updates
    constructor='FinetuneOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-3,
                   betas=(0.9, 0.98)),
    # no weight decay on norms, biases (bias_decay_mult only sees names
    # ending in '.bias': the attention's in_proj_bias is named here), the
    # STC temperature and the encoder's learned position embeddings
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            'in_proj_bias': dict(decay_mult=0.0),
            'logit_scale': dict(decay_mult=0.0),
            'pos_embed': dict(decay_mult=0.0)
        },
        module_lr_mult=_base_.finetune_module_lr_mult),
    clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         T_max=max_epochs, eta_min=1e-6, convert_to_iter_based=True)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=32)
