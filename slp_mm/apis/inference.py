"""Run a trained recognition model on pose files in a few lines.

    from slp_mm.apis import init_model, inference_recognizer
    model = init_model('configs/islr/wlasl2000.py', 'epoch_60.pth')
    result = inference_recognizer(model, 'clip.pose')
"""
from typing import List, Optional, Union

import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.runner import load_checkpoint

from slp_mm.registry import MODELS
from slp_mm.utils import register_all_modules


def init_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu') -> torch.nn.Module:
    """Build the model of a config, load a checkpoint (weights only) and put
    it in eval mode on ``device``. The config's test pipeline is kept on the
    model as ``model.cfg`` for :func:`inference_recognizer`."""
    register_all_modules()
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    cfg.model.pop('pretrained', None)  # the checkpoint holds every weight
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    model.cfg = cfg
    return model.to(device).eval()


def _test_pipeline(cfg: Config) -> Compose:
    loader = cfg.get('test_dataloader') or cfg.get('val_dataloader')
    if loader is None:
        raise KeyError('the config has no test_dataloader/val_dataloader '
                       'to take the test pipeline from')
    return Compose(loader.dataset.pipeline)


def inference_recognizer(model: torch.nn.Module,
                         pose_files: Union[str, List[str]],
                         topk: int = 5) -> Union[dict, List[dict]]:
    """Recognise signs in COCO-WholeBody ``.pose`` files with a model from
    :func:`init_model`: ``topk`` (label, score) pairs for ISLR, the
    ``gloss`` sequence for CSLR (see :class:`SignInferencer`)."""
    from .sign_inferencer import SignInferencer
    inferencer = SignInferencer.__new__(SignInferencer)
    inferencer.model, inferencer.topk = model, topk
    inferencer.pipeline = _test_pipeline(model.cfg)
    results = inferencer(pose_files)
    for r in results:
        r.pop('file')
    return results[0] if isinstance(pose_files, str) else results
