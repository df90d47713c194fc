# configs/islr/wlasl2000.py with every stage of the training pipeline per
# sample in the loader workers (keypoint selection, per-part normalisation
# and RandomAffinePose included) and a data preprocessor that only pads: the
# downstream pipeline before the batched path, several times the CPU time
# per sample (docs/benchmarks.md, 'Downstream data pipeline'). The same
# stages and definitions; the affine parameters come from numpy's generator
# instead of torch's. Every downstream config (ISLR, CSLR, SLT, retrieval)
# switches the same way: its dataset base's train_pipeline, no
# batch_transforms.
#   python tools/train.py configs/islr/wlasl2000_per_sample_pipeline.py \
#       --cfg-options model.pretrained=PRETRAINED.pth
_base_ = ['./wlasl2000.py']
# the workers still pad into one buffer, of the joints the pipeline kept
train_dataloader = dict(dataset=dict(pipeline=_base_.train_pipeline),
                        collate_fn=dict(layout=None))
model = dict(data_preprocessor=dict(batch_transforms=[]))
