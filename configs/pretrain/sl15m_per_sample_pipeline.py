# configs/pretrain/sl15m.py with every stage of the data pipeline per
# sample in the loader workers (keypoint selection, per-part normalisation,
# MPM masking included) and a data preprocessor that only pads: the
# pipeline before issue 15, ~5x the CPU time per sample (docs/benchmarks.md,
# 'Pre-training data pipeline'), the same results.
_base_ = ['./sl15m.py']
# the workers still pad into one buffer, of the joints and masks the
# pipeline made
train_dataloader = dict(dataset=dict(pipeline=_base_.train_pipeline),
                        collate_fn=dict(layout=None, mask=None))
model = dict(data_preprocessor=dict(batch_transforms=[]))
