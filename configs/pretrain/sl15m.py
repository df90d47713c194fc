# The paper's pre-training setting (Table III) on SL-1.5M, 8 GPUs x 64.
#   bash tools/dist_train.sh configs/pretrain/sl15m.py 8
_base_ = [
    '../_base_/models/sign_pretrainer.py',
    '../_base_/datasets/sl15m.py',
    '../_base_/schedules/pretrain_adamw_100e.py',
    '../_base_/default_runtime.py',
]

default_hooks = dict(logger=dict(interval=50))
