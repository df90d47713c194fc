# CSL-Daily sign-text retrieval (SL-RT): each video with its Chinese
# sentence. Prepare with
#   python tools/data/convert_sign_dataset.py csl-daily ANNOTATIONS POSES data/csl_daily
_base_ = ['./retrieval_pose_corpus.py']

data_root = 'data/csl_daily'

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
