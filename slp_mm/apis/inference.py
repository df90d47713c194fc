"""Run a trained recognition model on pose files in a few lines.

    from slp_mm.apis import init_model, inference_recognizer
    model = init_model('configs/islr/wlasl2000.py', 'epoch_60.pth')
    # or a published model, whose config travels with it
    model = init_model(checkpoint='wlasl2000-1a2b3c4d.safetensors')
    result = inference_recognizer(model, 'clip.pose')
"""
from typing import List, Union

import torch

from .sign_inferencer import SignInferencer


def inference_recognizer(model: torch.nn.Module,
                         pose_files: Union[str, List[str]],
                         topk: int = 5) -> Union[dict, List[dict]]:
    """Recognise signs in COCO-WholeBody ``.pose`` files with a model from
    :func:`init_model`: the ``topk`` classes as ``{'label', 'score'}``
    dicts for ISLR, the ``gloss`` sequence for CSLR (see
    :class:`SignInferencer`)."""
    results = SignInferencer(model, topk=topk)(pose_files)
    for r in results:
        r.pop('file')
    return results[0] if isinstance(pose_files, str) else results
