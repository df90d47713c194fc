"""Run a trained recognition model on pose files in a few lines.

    from slp_mm.apis import init_model, inference_recognizer
    model = init_model('configs/islr/wlasl2000.py', 'epoch_60.pth')
    result = inference_recognizer(model, 'clip.pose')
"""
from typing import List, Optional, Union

import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.runner import load_checkpoint

from slp_mm.datasets import read_pose_file
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


@torch.no_grad()
def inference_recognizer(model: torch.nn.Module,
                         pose_files: Union[str, List[str]],
                         topk: int = 5) -> Union[dict, List[dict]]:
    """Recognise signs in COCO-WholeBody ``.pose`` files.

    Returns, per file, ``topk`` (label index, score) pairs for an ISLR model
    or the ``gloss`` sequence for a CSLR model.
    """
    single = isinstance(pose_files, str)
    files = [pose_files] if single else list(pose_files)
    pipeline = _test_pipeline(model.cfg)
    items = []
    for path in files:
        sample = read_pose_file(path)
        sample.update(id=path, text=None, language=None,
                      corpus_location=path)
        item = pipeline(sample)
        if item is None:
            raise ValueError(f'{path}: rejected by the test pipeline (see '
                             'the logged reason)')
        items.append(item)
    samples = model.test_step(pseudo_collate(items))
    results = []
    for s in samples:
        if 'pred_score' in s:
            scores, labels = s.pred_score.topk(min(topk, len(s.pred_score)))
            results.append(dict(topk=list(zip(labels.tolist(),
                                              scores.tolist()))))
        else:
            results.append(dict(gloss=s.metainfo['pred_gloss']))
    return results[0] if single else results
