# PHOENIX-2014-T translation (German). Prepare with
#   python tools/data/convert_sign_dataset.py phoenix2014t ANNOTATIONS POSES data/phoenix2014t
# Paired samples only: every sample needs its sentence.
_base_ = ['./slt_pose_corpus.py']

data_root = 'data/phoenix2014t'
language = 'de'  # TranslationMetric scores words
target_language = 'de_DE'  # the decoder's language token

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
val_evaluator = dict(language=language)
test_evaluator = dict(language=language)
