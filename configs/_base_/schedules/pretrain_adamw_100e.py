# Table III: AdamW, lr 1e-4, weight decay 0.1, 10% linear warm-up then linear
# decay, 100 epochs, batch 512 (64 x 8 GPUs). `end` is explicit so a resumed
# run keeps the schedule (see ../shared/STACK.md).
max_epochs = 100
warmup_epochs = 10

optim_wrapper = dict(
    type='GuardedOptimWrapper',  # skips and reports NaN/inf updates
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.1,
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
        }),
    clip_grad=dict(max_norm=1.0))

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        begin=0,
        end=warmup_epochs,
        convert_to_iter_based=True),
    dict(
        type='LinearLR',
        start_factor=1.0,
        end_factor=0.0,
        by_epoch=True,
        begin=warmup_epochs,
        end=max_epochs,
        convert_to_iter_based=True),
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)

# lr is for 512 samples per step; --auto-scale-lr rescales it for others.
auto_scale_lr = dict(enable=False, base_batch_size=512)
