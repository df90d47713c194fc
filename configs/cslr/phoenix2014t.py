# PHOENIX-2014-T CSLR with the paper's encoder (Encoder-TCN-BiLSTM-CTC).
#   python tools/train.py configs/cslr/phoenix2014t.py \
#       --cfg-options model.pretrained=PRETRAINED.pth
_base_ = [
    '../_base_/models/sign_ctc_recognizer.py',
    '../_base_/datasets/cslr_phoenix2014t.py',
    '../_base_/schedules/cslr_adamw_40e.py',
    '../_base_/default_runtime.py',
]
model = dict(head=dict(vocab_file={{_base_.vocab_file}}))
# the pre-trained encoder fine-tunes at lr x 0.1
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={
        'embedder': dict(lr_mult=0.1),
        'encoder': dict(lr_mult=0.1)
    }))
default_hooks = dict(
    checkpoint=dict(save_best='cslr/wer', rule='less', max_keep_ckpts=2))
