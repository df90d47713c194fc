# CSL-Daily CSLR with the paper's encoder (Encoder-TCN-BiLSTM-CTC).
#   python tools/train.py configs/cslr/csl_daily.py \
#       --cfg-options model.pretrained=PRETRAINED.pth
_base_ = [
    '../_base_/models/sign_ctc_recognizer.py',
    '../_base_/datasets/cslr_csl_daily.py',
    '../_base_/schedules/cslr_adamw_40e.py',
    '../_base_/default_runtime.py',
]
# the CTC head reads the vocabulary the dataset encodes the glosses with
model = dict(
    data_preprocessor=dict(batch_transforms=_base_.train_batch_transforms),
    head=dict(gloss_vocab=f'{_base_.data_root}/{_base_.gloss_vocab}'))
default_hooks = dict(
    checkpoint=dict(save_best='cslr/wer', rule='less', max_keep_ckpts=2))
