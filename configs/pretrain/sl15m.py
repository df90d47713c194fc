# The paper's pre-training setting (Table III) on SL-1.5M, 8 GPUs x 64.
#   bash tools/dist_train.sh configs/pretrain/sl15m.py 8
_base_ = [
    '../_base_/models/sign_pretrainer.py',
    '../_base_/datasets/sl15m.py',
    '../_base_/schedules/pretrain_adamw_100e.py',
    '../_base_/default_runtime.py',
]

# The frozen mBART sees each isolated-sign word and repeated sentence many
# times: cache the features of the 4096 most recent sentences per GPU (fp32,
# real tokens only: <= 4096 x 128 x 1024 x 4 B = 2 GiB, ~320 MiB at 20
# tokens a sentence). The hit rate is logged as text_cache_hit_rate.
model = dict(
    text_encoder=dict(cache_size=4096),
    # keypoint selection and per-part normalisation on whole batches on
    # the GPU (the dataset runs batched_train_pipeline; the loader's
    # collate_fn draws the MPM masks)
    data_preprocessor=dict(batch_transforms=_base_.train_batch_transforms))

default_hooks = dict(logger=dict(interval=50))
