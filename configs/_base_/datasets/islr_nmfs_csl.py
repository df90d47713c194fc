# NMFs-CSL isolated sign recognition, 32 frames, the paper's 79 joints; the
# annotation layout is in slp_mm/preparation/converters/nmfs_csl.py. No dev
# split:
#   python tools/data/convert_sign_dataset.py nmfs-csl ANN_DIR POSE_DIR \
#       data/nmfs_csl --splits train test
_base_ = ['./islr_pose_corpus.py']

data_root = 'data/nmfs_csl'

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root, ann_file='test'))
test_dataloader = dict(dataset=dict(data_root=data_root))
