# As traduttore_asl_words_scratch.py, starting from the demo pre-training
# (python tools/train.py configs/pretrain/demo.py); the pre-trained encoder
# trains at lr x 0.1.
_base_ = ['./traduttore_asl_words_scratch.py']
model = dict(pretrained='work_dirs/demo/epoch_12.pth')
optim_wrapper = dict(
    paramwise_cfg=dict(module_lr_mult=_base_.finetune_module_lr_mult))
