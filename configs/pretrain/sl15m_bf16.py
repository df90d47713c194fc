# sl15m with bf16 autocast (Ampere or newer GPUs), the config form of
# `tools/train.py configs/pretrain/sl15m.py --amp` on such GPUs.
#   bash tools/dist_train.sh configs/pretrain/sl15m_bf16.py 8
_base_ = ['./sl15m.py']

# bf16 keeps fp32's exponent range: no loss scaling (a static scale of 1.0),
# GradScaler only skips non-finite steps. mmengine 0.10.7's AmpOptimWrapper
# needs a GPU (it asserts one).
optim_wrapper = dict(
    type='AmpOptimWrapper', dtype='bfloat16', loss_scale=1.0)
