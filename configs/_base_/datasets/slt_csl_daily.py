# CSL-Daily translation (Chinese, scored at character level). Prepare with
#   python tools/data/convert_sign_dataset.py csl-daily ANNOTATIONS POSES data/csl_daily
# Paired samples only: every sample needs its sentence.
_base_ = ['./slt_pose_corpus.py']

data_root = 'data/csl_daily'
language = 'zh'  # TranslationMetric scores characters
target_language = 'zh_CN'  # the decoder's language token

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
val_evaluator = dict(language=language)
test_evaluator = dict(language=language)
