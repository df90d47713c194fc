# configs/pretrain/sl15m.py with the pose stages of the data pipeline
# (keypoint selection, per-part normalisation, MPM masking) run on whole
# batches on the model's device by the data preprocessor instead of per
# sample in the loader workers: the same transforms and definitions, fewer
# CPU cores per GPU (docs/benchmarks.md, 'Pre-training data pipeline').
_base_ = ['./sl15m.py']
train_dataloader = dict(dataset=dict(pipeline=_base_.batched_train_pipeline))
model = dict(
    data_preprocessor=dict(batch_transforms=_base_.train_batch_transforms))
