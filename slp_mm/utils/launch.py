"""Distributed launch on machines without CUDA.

mmengine's ``pytorch`` launcher calls ``torch.cuda.set_device``, which fails
without a GPU. On CPU we initialise the process group with gloo ourselves
(mmengine then finds it initialised) and let DDP run without device ids.
"""
import os

import torch
import torch.distributed as dist
from mmengine.config import Config


def init_cpu_distributed(cfg: Config) -> None:
    """Set up gloo + device-less DDP when launched on a CPU-only machine."""
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return
    if not dist.is_initialized():
        if cfg.launcher == 'slurm':
            _slurm_env_to_torch_env()
        dist.init_process_group('gloo')
    cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


def _slurm_env_to_torch_env() -> None:
    os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
    os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
    os.environ.setdefault('LOCAL_RANK', os.environ['SLURM_LOCALID'])
    os.environ.setdefault('MASTER_PORT', '29500')
    if 'MASTER_ADDR' not in os.environ:
        import subprocess
        nodes = os.environ['SLURM_NODELIST']
        os.environ['MASTER_ADDR'] = subprocess.getoutput(
            f'scontrol show hostname {nodes} | head -n1')
