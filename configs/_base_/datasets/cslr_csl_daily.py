# CSL-Daily continuous recognition. Prepare with
#   python tools/data/convert_sign_dataset.py csl-daily ANNOTATIONS POSES data/csl_daily
#   python tools/data/build_gloss_vocab.py data/csl_daily/train data/csl_daily/gloss_vocab.json
_base_ = ['./cslr_pose_corpus.py']

data_root = 'data/csl_daily'

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
val_evaluator = dict(protocol='csl-daily')
test_evaluator = dict(protocol='csl-daily')
