from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from slp_mm.registry import TRANSFORMS
from slp_mm.structures import SignDataSample


@TRANSFORMS.register_module()
class PackSignInputs(BaseTransform):
    """Pack a transformed sample into ``inputs`` + a :class:`SignDataSample`.

    ``inputs`` is a (T, K, 3) float tensor: normalised x, y and the keypoint
    confidence. ``text_ids``, ``mpm_mask``, ``gloss_ids`` and ``label``
    become data fields;
    the ``meta_keys`` become metainfo.

    Args:
        meta_keys (Sequence[str]): Keys copied into the metainfo.
        stack (bool): Stack keypoints and scores into the (T, K, 3) tensor.
            False packs ``inputs`` as the arrays as they are,
            ``dict(keypoints=(T, K, 2), scores=(T, K))``: the batched
            pipeline's data preprocessor copies (and selects) them straight
            into its batch buffer, one copy instead of two.
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('id', 'dataset', 'signer',
                                             'language', 'text', 'gloss',
                                             'width', 'height', 'fps',
                                             'corpus_location'),
                 stack: bool = True) -> None:
        self.meta_keys = tuple(meta_keys)
        self.stack = stack

    def transform(self, results: dict) -> dict:
        sample = SignDataSample()
        meta = {k: results.get(k) for k in self.meta_keys}
        meta['sample_id'] = meta.pop('id', results.get('id'))
        meta['num_frames'] = results['keypoints'].shape[0]
        sample.set_own_metainfo(meta)
        if results.get('text_ids') is not None:
            sample.text_ids = results['text_ids']
        if results.get('mpm_mask') is not None:
            sample.mpm_mask = results['mpm_mask']
        if results.get('gloss_ids') is not None:
            sample.gloss_ids = results['gloss_ids']
        if results.get('label') is not None:
            sample.gt_label = results['label']
        if not self.stack:
            return dict(
                inputs=dict(keypoints=results['keypoints'],
                            scores=results['scores']),
                data_samples=sample)
        pose = np.concatenate(
            [results['keypoints'], results['scores'][..., None]], axis=-1)
        return dict(
            inputs=torch.from_numpy(np.ascontiguousarray(pose, np.float32)),
            data_samples=sample)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(meta_keys={self.meta_keys}, '
                f'stack={self.stack})')
