# PHOENIX-2014-T sign-text retrieval (SL-RT): each video with its German
# sentence. Prepare with
#   python tools/data/convert_sign_dataset.py phoenix2014t ANNOTATIONS POSES data/phoenix2014t
_base_ = ['./retrieval_pose_corpus.py']

data_root = 'data/phoenix2014t'

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
