# sl15m with the parameters, gradients and AdamW state of the pose side
# sharded over the GPUs (FSDP through mmengine's FlexibleRunner).
#   bash tools/dist_train.sh configs/pretrain/sl15m_fsdp.py 8
_base_ = ['./sl15m.py']

runner_type = 'FlexibleRunner'
strategy = dict(
    type='FSDPStrategy',
    model_wrapper=dict(
        # One FSDP unit per module of >= 2M parameters not yet wrapped: each
        # 3.1M-parameter transformer block of both branches (none of its
        # 1.05M-parameter sub-layers qualifies) and the manual branch's
        # 3.5M-parameter token projection. (An mmengine config cannot name
        # a class, so transformer_auto_wrap_policy cannot be given the
        # block class; tests/test_configs/test_flexible_runner.py checks
        # these sizes.)
        auto_wrap_policy=dict(
            type='torch.distributed.fsdp.wrap.size_based_auto_wrap_policy',
            min_num_params=2_000_000),
        # the frozen mBART encoder has no gradients or optimizer state to
        # shard: FSDP leaves it whole (it moves itself to the GPU)
        ignored_modules=['text_encoder'],
        sharding_strategy='FULL_SHARD'),
    # one checkpoint shard per rank (resume with the same number of GPUs);
    # 'full' (one file gathered on rank 0) segfaulted on CPU/gloo here
    state_dict_cfg='local')

# bf16 autocast with fp32 sharded master weights; ShardedGradScaler skips
# non-finite steps. mmengine 0.10.7 clips gradients with
# torch.nn.utils.clip_grad_norm_, which under FSDP sees each rank's shard
# only (each rank would clip by a different norm), so clipping is off here.
optim_wrapper = dict(
    type='AmpOptimWrapper',
    dtype='bfloat16',
    loss_scale=1.0,
    use_fsdp=True,
    clip_grad=None)
