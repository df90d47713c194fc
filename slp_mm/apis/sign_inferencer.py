"""One object that runs a trained model on pose files, in the shape of
MMAction2Inferencer: built once from a config and checkpoint, called on a
file, a folder or a list."""
import glob
import os.path as osp
from typing import List, Optional, Union

import torch
from mmengine.dataset import pseudo_collate
from mmengine.utils import ProgressBar

from slp_mm.datasets import read_pose_file
from .inference import _test_pipeline, init_model


class SignInferencer:
    """Recognise or translate signs in COCO-WholeBody ``.pose`` files.

    The task follows the model: ISLR gives ``topk`` (label, score) pairs,
    CSLR a ``gloss`` sequence, GF-SLT a ``text``.

    Args:
        config (str): Model config (its test pipeline prepares the input).
        checkpoint (str, optional): Trained weights.
        device (str): ``'cpu'`` or ``'cuda'``...
        topk (int): Classes returned by ISLR models.
    """

    def __init__(self,
                 config: str,
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu',
                 topk: int = 5) -> None:
        self.model = init_model(config, checkpoint, device)
        self.pipeline = _test_pipeline(self.model.cfg)
        self.topk = topk

    @staticmethod
    def _files(inputs: Union[str, List[str]]) -> List[str]:
        if isinstance(inputs, str) and osp.isdir(inputs):
            files = sorted(glob.glob(osp.join(inputs, '*.pose')))
            if not files:
                raise FileNotFoundError(f'no .pose files in {inputs}')
            return files
        files = [inputs] if isinstance(inputs, str) else list(inputs)
        missing = [f for f in files if not osp.isfile(f)]
        if missing:
            raise FileNotFoundError(f'no such pose file(s): {missing}')
        return files

    def _prepare(self, path: str) -> dict:
        sample = read_pose_file(path)
        sample.update(id=path, text=None, language=None,
                      corpus_location=path)
        item = self.pipeline(sample)
        if item is None:
            raise ValueError(f'{path}: rejected by the test pipeline (see '
                             'the logged reason)')
        return item

    def _result(self, sample) -> dict:
        if 'pred_score' in sample:
            k = min(self.topk, len(sample.pred_score))
            scores, labels = sample.pred_score.topk(k)
            return dict(topk=list(zip(labels.tolist(), scores.tolist())))
        if 'pred_gloss' in sample:
            return dict(gloss=sample.metainfo['pred_gloss'])
        if 'pred_text' in sample:
            return dict(text=sample.metainfo['pred_text'])
        raise RuntimeError('the model predicted none of pred_score, '
                           'pred_gloss, pred_text')

    @torch.no_grad()
    def __call__(self, inputs: Union[str, List[str]],
                 batch_size: int = 8) -> List[dict]:
        """Results for every file (a folder means its ``*.pose`` files),
        each with its ``file``."""
        files = self._files(inputs)
        results = []
        bar = ProgressBar(len(files)) if len(files) > batch_size else None
        for start in range(0, len(files), batch_size):
            chunk = files[start:start + batch_size]
            batch = pseudo_collate([self._prepare(f) for f in chunk])
            for path, sample in zip(chunk, self.model.test_step(batch)):
                results.append(dict(file=path, **self._result(sample)))
            if bar is not None:
                bar.update(len(chunk))
        return results
