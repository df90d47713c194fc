# MS-ASL1000 ISLR (Sec. III-C): the pre-trained pose encoder and a classifier,
# the encoder fine-tuned at lr x 0.1, on the corpus data/msasl1000
# (configs/_base_/datasets/islr_msasl.py).
#   python tools/train.py configs/islr/msasl1000.py \
#       --cfg-options model.pretrained=PRETRAINED.pth
_base_ = [
    '../_base_/models/sign_recognizer.py',
    '../_base_/datasets/islr_msasl.py',
    '../_base_/schedules/islr_adamw_60e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    data_preprocessor=dict(batch_transforms=_base_.train_batch_transforms),
    head=dict(num_classes=1000))
