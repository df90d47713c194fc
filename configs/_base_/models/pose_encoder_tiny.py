# The demo's toy pose encoder: what it changes of pose_encoder.py (merged
# over it), small enough to pre-train on CPU in minutes. Written once so the
# demo pre-training (configs/pretrain/demo.py) and the configs that load its
# checkpoints (configs/islr/traduttore_asl_words_*.py,
# projects/sigma/configs/sigma_demo.py) cannot drift apart. Use it next to a
# model base:
#   _base_ = ['../_base_/models/sign_recognizer.py',
#             '../_base_/models/pose_encoder_tiny.py', ...]
#   model = dict(embedder=_base_.pose_encoder_tiny.embedder,
#                encoder=_base_.pose_encoder_tiny.encoder)
# The encoder output is 2 x embed_dims wide (one embed_dims per branch).
pose_encoder_tiny = dict(
    embedder=dict(gcn_channels=(16, 32), embed_dims=64),
    encoder=dict(embed_dims=64, num_layers=2, num_heads=4, max_frames=64))
