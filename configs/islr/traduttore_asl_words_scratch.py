# ISLR on the real traduttore ASL words (14 classes), encoder from scratch,
# at the demo encoder's size so the pre-trained variant can load
# configs/pretrain/demo.py checkpoints. CPU, a few minutes.
#   python tools/train.py configs/islr/traduttore_asl_words_scratch.py
_base_ = [
    '../_base_/models/sign_recognizer.py',
    '../_base_/datasets/traduttore_asl_words.py',
    '../_base_/schedules/islr_adamw_60e.py',
    '../_base_/default_runtime.py',
]
embed_dims = 64
model = dict(
    embedder=dict(gcn_channels=(16, 32), embed_dims=embed_dims),
    encoder=dict(embed_dims=embed_dims, num_layers=2, num_heads=4,
                 max_frames=64),
    head=dict(num_classes=14, in_channels=2 * embed_dims, dropout=0.1))
default_hooks = dict(logger=dict(interval=4),
                     checkpoint=dict(interval=20, max_keep_ckpts=1))
