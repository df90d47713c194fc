# WLASL isolated sign recognition, 32 frames, the paper's 79 joints. Each
# subset is its own corpus (labels < N keep their WLASL2000 values):
#   python tools/data/convert_sign_dataset.py wlasl2000 ANN_DIR POSE_DIR \
#       data/wlasl2000
# ANN_DIR holds WLASL_v0.3.json; likewise wlasl100/300/1000 into
# data/wlasl100 ...; configs/islr/wlasl*.py pick theirs with `data_root`.
_base_ = ['./islr_pose_corpus.py']

data_root = 'data/wlasl2000'

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
