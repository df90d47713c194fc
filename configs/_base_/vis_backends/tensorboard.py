# default_runtime.py + TensorBoard: scalars (losses, lr, metrics) also go to
# <work_dir>/<timestamp>/vis_data/ as TensorBoard event files, beside the
# local JSON logs (which tools/analysis/analyze_logs.py reads).
#
# Switch it on by listing this file INSTEAD of default_runtime.py in a
# config's _base_ (mmengine refuses a key defined by two bases):
#   _base_ = [..., '../_base_/vis_backends/tensorboard.py']
# Needs `pip install tensorboard` (not a dependency of slp_mm); view with
#   tensorboard --logdir work_dirs/<config>
_base_ = ['../default_runtime.py']

vis_backends = [
    dict(type='LocalVisBackend'),
    dict(type='TensorboardVisBackend'),
]
visualizer = dict(type='SignLocalVisualizer', vis_backends=vis_backends)
