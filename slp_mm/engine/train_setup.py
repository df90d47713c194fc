"""What ``tools/train.py`` does between parsing its arguments and training:
the command line's switches applied to the config, and the runner the config
names. In the package, not the tool, so that tests and user scripts start a
run exactly as the command line does."""
import os.path as osp
from typing import Optional

from slp_mm.utils.cli_errors import ConfigError
from slp_mm.utils.heap_reuse import reuse_freed_heap


def apply_train_options(cfg,
                        config_file: str,
                        launcher: str = 'none',
                        work_dir: Optional[str] = None,
                        amp: bool = False,
                        compile: bool = False,
                        resume: Optional[str] = None,
                        auto_scale_lr: bool = False,
                        cfg_options: Optional[dict] = None):
    """``cfg`` with the settings of ``tools/train.py``'s options applied.

    Args:
        cfg (Config): The loaded config (changed in place and returned).
        config_file (str): Its path; names the default work dir
            ``./work_dirs/<config name>``.
        launcher (str): ``none``, ``pytorch`` or ``slurm``.
        work_dir (str, optional): Overrides the config's ``work_dir``.
        amp (bool): Mixed precision (:func:`amp_settings`).
        compile (bool): ``torch.compile`` the train step.
        resume (str, optional): ``'auto'`` (the latest complete checkpoint
            of the work dir, or none) or a checkpoint path.
        auto_scale_lr (bool): Scale the learning rate by the real batch.
        cfg_options (dict, optional): ``--cfg-options`` overrides, applied
            last.
    """
    from slp_mm.engine.resume_checkpoint import resume_checkpoint
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config_file))[0])
    if amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        # AMP's GradScaler skips non-finite steps itself
        if optim_wrapper in ('OptimWrapper', 'GuardedOptimWrapper'):
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.pop('max_consecutive', None)
            for key, value in amp_settings().items():  # the config's win
                cfg.optim_wrapper.setdefault(key, value)
    if compile:
        cfg.compile = True
    if resume is not None:
        cfg.load_from = resume_checkpoint(
            cfg.work_dir, None if resume == 'auto' else resume)
        cfg.resume = cfg.load_from is not None
    if auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    if cfg_options is not None:
        cfg.merge_from_dict(cfg_options)
    return cfg


def amp_settings() -> dict:
    """``AmpOptimWrapper`` arguments for this machine's accelerator.

    bf16 has fp32's exponent range, so its gradients need no loss scaling:
    the static scale 1.0 keeps GradScaler only to skip non-finite steps.
    fp16 (GPUs before Ampere) needs dynamic loss scaling.
    """
    import torch
    if not torch.cuda.is_available():
        # mmengine 0.10.7's AmpOptimWrapper asserts an accelerator
        raise ConfigError(
            '--amp: mmengine 0.10.7 AmpOptimWrapper runs on CUDA, NPU, MLU '
            'or MUSA only, and no GPU is visible; train in fp32 (drop '
            '--amp). CPU bf16 autocast is not wired into training.')
    if torch.cuda.is_bf16_supported(including_emulation=False):
        return dict(dtype='bfloat16', loss_scale=1.0)
    return dict(dtype='float16', loss_scale='dynamic')


def build_runner(cfg):
    """:class:`Runner`, or the runner that ``cfg.runner_type`` names, in a
    process that keeps its freed heap for the next batch (see
    :func:`reuse_freed_heap`; the loader workers fork from it)."""
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    reuse_freed_heap()
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    if cfg.get('compile'):
        # FlexibleRunner.from_cfg of mmengine 0.10.7 drops `compile`
        raise ConfigError(
            f'{cfg.filename}: compile is ignored by {cfg.runner_type} in '
            'mmengine 0.10.7; remove --compile / `compile`')
    return RUNNERS.build(cfg)
