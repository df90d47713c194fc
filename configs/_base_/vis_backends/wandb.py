# default_runtime.py + Weights & Biases: scalars and the config also go to a
# W&B run of project `slp_mm`, beside the local JSON logs (which
# tools/analysis/analyze_logs.py reads).
#
# Switch it on by listing this file INSTEAD of default_runtime.py in a
# config's _base_ (mmengine refuses a key defined by two bases):
#   _base_ = [..., '../_base_/vis_backends/wandb.py']
# Needs `pip install wandb` (not a dependency of slp_mm) and `wandb login`;
# without network, `WANDB_MODE=offline` keeps the run in ./wandb for a later
# `wandb sync`. Only rank 0 logs.
_base_ = ['../default_runtime.py']

vis_backends = [
    dict(type='LocalVisBackend'),
    dict(type='WandbVisBackend', init_kwargs=dict(project='slp_mm')),
]
visualizer = dict(type='SignLocalVisualizer', vis_backends=vis_backends)
