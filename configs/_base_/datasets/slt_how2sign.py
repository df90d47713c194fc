# How2Sign translation (English): a sign corpus per split at
# data/how2sign/{train,dev,test}, written by
#   python tools/data/convert_sign_dataset.py how2sign REALIGNED_CSV_DIR \
#       POSE_DIR data/how2sign --width W --height H --fps F
# Paired samples only: every sample needs its sentence.
_base_ = ['./slt_pose_corpus.py']

data_root = 'data/how2sign'
language = 'en'  # TranslationMetric scores words
target_language = 'en_XX'  # the decoder's language token

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
val_evaluator = dict(language=language)
test_evaluator = dict(language=language)
