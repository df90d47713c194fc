# SLR500 isolated sign recognition, 32 frames, the paper's 79 joints; split
# by signer (slp_mm/preparation/converters/slr500.py), no dev split:
#   python tools/data/convert_sign_dataset.py slr500 ANN_DIR POSE_DIR \
#       data/slr500 --splits train test
_base_ = ['./islr_pose_corpus.py']

data_root = 'data/slr500'

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root, ann_file='test'))
test_dataloader = dict(dataset=dict(data_root=data_root))
