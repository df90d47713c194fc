# The core traduttore ISLR config with the plugin's attention-pooling head.
_base_ = ['../../../configs/islr/traduttore_asl_words_scratch.py']
custom_imports = dict(
    imports=['projects.example_project.models'], allow_failed_imports=False)
model = dict(head=dict(type='AttentionPoolClsHead'))
