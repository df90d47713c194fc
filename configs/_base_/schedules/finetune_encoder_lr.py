# Fine-tuning from a pre-trained pose encoder (Sec. III-C): the embedder and
# the encoder train at lr x 0.1, everything new (heads, projector, decoder)
# at the full lr. The downstream schedules (islr, cslr, slt, retrieval)
# inherit this file and build their optimizer with
#   constructor='FinetuneOptimWrapperConstructor',
#   paramwise_cfg=dict(module_lr_mult=finetune_module_lr_mult, ...)
# The multiplier applies to the model's direct children of these names, on
# top of the decay rules; mmengine's custom_keys could not do it (they match
# substrings, 'encoder' also catches the SLT decoder's 'encoder_attn', and a
# match switches the decay rules off). tests/test_configs/
# test_finetune_schedules.py checks the groups every fine-tune config builds.
encoder_lr_mult = 0.1
finetune_module_lr_mult = dict(embedder=encoder_lr_mult,
                               encoder=encoder_lr_mult)
