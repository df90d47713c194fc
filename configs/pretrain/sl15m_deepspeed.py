# sl15m with DeepSpeed ZeRO-2 (optimizer state and gradients partitioned over
# the GPUs) in bf16, through mmengine's FlexibleRunner.
# DeepSpeed is not a dependency of slp_mm: install it on the GPU machine,
#   pip install "deepspeed>=0.13.2"   (needs a CUDA toolkit for its ops)
# then
#   bash tools/dist_train.sh configs/pretrain/sl15m_deepspeed.py 8
_base_ = ['./sl15m.py']

runner_type = 'FlexibleRunner'
strategy = dict(
    type='DeepSpeedStrategy',
    zero_optimization=dict(
        stage=2,
        overlap_comm=True,
        contiguous_gradients=True,
        reduce_bucket_size=5e8,
        allgather_bucket_size=5e8),
    # bf16 weights and activations (fp32 master weights in the optimizer).
    # The poses must reach the model in bf16 too: see "Beyond one machine"
    # in docs/pretraining.md for the one change this still needs.
    bf16=dict(enabled=True),
    gradient_clipping=1.0,  # Table III; DeepSpeed clips the global norm
    train_micro_batch_size_per_gpu=64,
    exclude_frozen_parameters=True)  # checkpoints skip the frozen mBART

# DeepSpeed steps the optimizer and clips (above): the base schedule's AdamW
# and param groups, without the OptimWrapper-only clip_grad.
optim_wrapper = dict(
    _delete_=True,
    type='DeepSpeedOptimWrapper',
    optimizer={{_base_.optim_wrapper.optimizer}},
    paramwise_cfg={{_base_.optim_wrapper.paramwise_cfg}})
