from typing import Sequence

import torch
from mmengine.model import BaseDataPreprocessor

from slp_mm.datasets.padded_sign_batch import PaddedSignBatch, pad_sign_batch
from slp_mm.registry import MODELS, TRANSFORMS
from slp_mm.utils.cli_errors import ConfigError


@MODELS.register_module()
class SignDataPreprocessor(BaseDataPreprocessor):
    """Batch variable-length pose sequences and sentences on the device.

    Output ``inputs`` is a dict:
        - ``pose`` (B, T, K, 3): x, y, confidence; zero-padded in time.
        - ``pose_mask`` (B, T) bool: True on real frames.
        - ``mpm_mask`` (B, T, K) bool or None: joints hidden for MPM.
        - ``text_ids`` (B, L) long or None: ``text_pad_id``-padded; rows of
          unpaired samples are all padding.
        - ``text_mask`` (B, L) bool or None: True on real tokens.
        - ``paired`` (B,) bool: the sample has a sentence.

    The batch is padded on the host straight into one contiguous buffer
    (:class:`PaddedSignBatch`; pinned when the model is on CUDA) and sent to
    the device in one copy; the data samples stay on the host (heads move
    what they read). A batch the loader workers already padded
    (``collate_fn=dict(type='collate_sign_batch')``) is taken as it is.

    ``batch_transforms`` run the pose stages of the pipeline on whole
    training batches, as tensor operations on the model's device, instead
    of per sample in the dataset (like mmdet's ``batch_augments``, training
    batches only): any transform with a ``transform_batch`` method
    (:class:`SelectKeypoints`, :class:`NormalizeParts`,
    :class:`HierarchicalPoseMask`) with the same config as in a pipeline
    and the same definition (``slp_mm.functional``). The training pipeline
    then packs the stored poses (pixels, all source joints; as arrays with
    ``PackSignInputs(stack=False)``) and leaves the stages out; validation
    and test pipelines keep them, so inference needs no preprocessor
    support. A leading :class:`SelectKeypoints` is done while padding (only
    the kept joints are copied), and the batch buffer holds the pose as
    joint-major channel planes (3, B, K, T): ``pose`` is its (B, T, K, 3)
    view, which the normalisation runs fastest on. MPM masks are best drawn
    by the ``collate_fn`` (``collate_sign_batch(mask=...)``, in the loader
    workers; it is an error to draw them in both places).

    Args:
        text_pad_id (int): Padding id of the tokenizer (mBART: 1).
        batch_transforms (Sequence[dict]): Transform configs run in order on
            each training batch.
        non_blocking (bool): Whether the host-to-device copy is
            asynchronous.
    """

    def __init__(self,
                 text_pad_id: int = 1,
                 batch_transforms: Sequence[dict] = (),
                 non_blocking: bool = False):
        super().__init__(non_blocking=non_blocking)
        self.text_pad_id = text_pad_id
        self.batch_transforms = [TRANSFORMS.build(t) for t in batch_transforms]
        for t in self.batch_transforms:
            if not hasattr(t, 'transform_batch'):
                raise TypeError(f'batch_transforms: {type(t).__name__} has '
                                'no transform_batch method (it runs per '
                                'sample only; keep it in the pipeline)')

    def forward(self, data: dict, training: bool = False) -> dict:
        samples = data.get('data_samples') or []
        transforms = list(self.batch_transforms) if training else []
        select = (transforms[0] if transforms
                  and hasattr(transforms[0], 'source_joints') else None)
        batch = data['inputs']
        if not isinstance(batch, PaddedSignBatch):
            batch = self._pad(batch, samples, select,
                              planes=bool(transforms))
        if batch.planes and not transforms:
            why = ('batch_transforms is empty' if training else
                   'the pose stages run on training batches only')
            raise ConfigError(
                'SignDataPreprocessor: the batch holds the stored joints in '
                f'pixels (PackSignInputs(stack=False)) but {why}: give '
                'model.data_preprocessor.batch_transforms the dataset '
                "base's train_batch_transforms, or pack with the base's (per "
                'sample) train_pipeline')
        redrawn = [type(t).__name__ for t in transforms
                   if hasattr(t, 'sample_mask')]
        if redrawn and 'mpm_mask' in batch.fields:
            raise ConfigError(
                'SignDataPreprocessor: the batch holds MPM masks (drawn by '
                'the collate_fn\'s mask, or per sample) and batch_transforms '
                f'draws them again ({redrawn[0]}): keep one')
        if ('text_ids' in batch.fields
                and batch.text_pad_id != self.text_pad_id):
            raise ConfigError(
                f'SignDataPreprocessor: text_pad_id={self.text_pad_id} but '
                f'the batch was collated with text_pad_id='
                f'{batch.text_pad_id} (collate_fn): set both alike')
        stages = dict(layout=batch.layout)
        if select is not None and batch.layout is not None:
            if batch.layout != select.layout.name:
                raise ConfigError(
                    f'SignDataPreprocessor: the batch kept the joints of '
                    f'layout {batch.layout!r} (collate_fn) but '
                    f'batch_transforms select {select.layout.name!r}: set '
                    'both alike')
            transforms.pop(0)  # done while padding
        host = batch.to(self.device, self._non_blocking).views()
        pose = host['pose']  # (B, T, K, 3)
        pose_mask = (torch.arange(pose.shape[1], device=pose.device)[None]
                     < host['lengths'][:, None])  # (B, T)
        mpm_mask = host.get('mpm_mask')
        if transforms:
            stages.update(pose=pose, lengths=host['lengths'],
                          size=host.get('size'))
            for t in transforms:
                stages = t.transform_batch(stages)
            pose = stages['pose']
            mpm_mask = stages.get('mpm_mask', mpm_mask)
        inputs = dict(pose=pose, pose_mask=pose_mask, mpm_mask=mpm_mask,
                      paired=host['paired'], text_ids=None, text_mask=None)
        if 'text_ids' in host:
            text_ids = host['text_ids']  # (B, L)
            inputs['text_ids'] = text_ids
            inputs['text_mask'] = (
                torch.arange(text_ids.shape[1], device=text_ids.device)[None]
                < host['text_lengths'][:, None])
        return dict(inputs=inputs, data_samples=samples)

    def _pad(self, poses, samples, select, planes: bool) -> PaddedSignBatch:
        """Pad ``pseudo_collate``'s lists here (on the host, into one
        buffer, pinned for a CUDA model)."""
        if isinstance(poses, torch.Tensor):  # already stacked, no padding
            poses = list(poses)
        elif isinstance(poses, dict):  # PackSignInputs(stack=False)
            poses = list(zip(poses['keypoints'], poses['scores']))
            planes = True
        return pad_sign_batch(poses, samples, planes,
                              select if planes else None, self.text_pad_id,
                              pin=self.device.type == 'cuda')
