# PHOENIX-2014-T gloss-free translation with the paper's encoder (encoder - MLP
# projector - 3-block mBART-style decoder).
#   python tools/train.py configs/slt/phoenix2014t.py \
#       --cfg-options model.pretrained=PRETRAINED.pth
_base_ = [
    '../_base_/models/sign_translator.py',
    '../_base_/datasets/slt_phoenix2014t.py',
    '../_base_/schedules/slt_adamw_60e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    data_preprocessor=dict(batch_transforms=_base_.train_batch_transforms),
    head=dict(
        tokenizer={{_base_.tokenizer}},
        target_language={{_base_.target_language}}))
default_hooks = dict(
    checkpoint=dict(
        save_best='slt/slrt/bleu4', rule='greater', max_keep_ckpts=2))
# predictions and references of every evaluation, one JSON line per sample
val_evaluator = dict(output_dir='work_dirs/slt_phoenix2014t/predictions')
test_evaluator = dict(output_dir='work_dirs/slt_phoenix2014t/predictions')
