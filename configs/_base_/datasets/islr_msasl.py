# MS-ASL isolated sign recognition, 32 frames, the paper's 79 joints. Each
# subset is its own corpus (clips with label < N):
#   python tools/data/convert_sign_dataset.py msasl1000 ANN_DIR POSE_DIR \
#       data/msasl1000
# ANN_DIR holds MSASL_{train,val,test,classes}.json; likewise msasl100/
# 200/500 into data/msasl100 ...; configs/islr/msasl*.py pick theirs.
_base_ = ['./islr_pose_corpus.py']

data_root = 'data/msasl1000'

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
