# PHOENIX-2014-T continuous recognition. Prepare with
#   python tools/data/convert_sign_dataset.py phoenix2014t ANNOTATIONS POSES data/phoenix2014t
#   python tools/data/build_gloss_vocab.py data/phoenix2014t/train data/phoenix2014t/gloss_vocab.json
_base_ = ['./cslr_pose_corpus.py']

data_root = 'data/phoenix2014t'

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
val_evaluator = dict(protocol='phoenix2014t')
test_evaluator = dict(protocol='phoenix2014t')
