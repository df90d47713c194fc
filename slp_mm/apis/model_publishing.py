"""Publishing a training checkpoint for others (what
``tools/model_converters/publish_model.py`` runs): the weights without the
optimizer state, as ``<prefix>-<sha8>.safetensors`` with the config stored as
data, or as a Hugging Face Hub-layout folder."""
import json
import os
import os.path as osp
from typing import Optional

from slp_mm.apis.hub_model import write_hub_folder
from slp_mm.utils.published_checkpoint import publish_checkpoint


def publish_model(in_file: str,
                  out_prefix: Optional[str] = None,
                  hub_dir: Optional[str] = None,
                  config: Optional[str] = None,
                  metrics: Optional[str] = None) -> str:
    """Publish the checkpoint ``in_file``; returns the file written.

    Args:
        in_file (str): Training checkpoint (.pth).
        out_prefix (str, optional): Output path without
            ``-<sha8>.safetensors``; give this or ``hub_dir``.
        hub_dir (str, optional): Write a Hub-layout folder here instead.
        config (str, optional): Config file to publish (default: the one
            the Runner stored in the checkpoint meta), resolved: its
            ``_base_`` files do not travel with it.
        metrics (str, optional): JSON file of ``{metric: value}`` for the
            model card of ``hub_dir`` (default: the last validation metrics
            in the checkpoint).
    """
    import torch
    from mmengine.config import Config

    from slp_mm.utils import register_safe_globals
    if (out_prefix is None) == (hub_dir is None):
        raise ValueError('give an out_prefix or hub_dir (one of them)')
    if metrics and not hub_dir:
        raise ValueError('metrics go on the model card of hub_dir')
    register_safe_globals()  # resume checkpoints hold a HistoryBuffer
    checkpoint = torch.load(in_file, map_location='cpu', weights_only=True)
    cfg = Config.fromfile(config) if config else None
    if hub_dir:
        scores = None
        if metrics:
            with open(metrics, encoding='utf-8') as f:
                scores = json.load(f)
        return write_hub_folder(checkpoint, hub_dir, cfg, scores)
    os.makedirs(osp.dirname(osp.abspath(out_prefix)), exist_ok=True)
    return publish_checkpoint(checkpoint, out_prefix, cfg)
