from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.model import BaseDataPreprocessor

from slp_mm.registry import MODELS, TRANSFORMS
from slp_mm.utils.cli_errors import ConfigError


def pad_sequences(seqs: List[torch.Tensor], value=0) -> torch.Tensor:
    """Right-pad (L_i, ...) tensors to (B, max L_i, ...)."""
    return torch.nn.utils.rnn.pad_sequence(
        seqs, batch_first=True, padding_value=value)


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
    (pinned when the model is on CUDA) and sent to the device in one copy;
    the data samples stay on the host (heads move what they read).

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
    channel planes (3, B, T, K): ``pose`` is its (B, T, K, 3) view, which
    the normalisation runs fastest on and the embedder reads channels
    first.

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
        poses = data['inputs']
        samples = data.get('data_samples') or []
        if isinstance(poses, torch.Tensor):  # already stacked, no padding
            poses = list(poses)
        elif isinstance(poses, dict):  # PackSignInputs(stack=False)
            if not (training and self.batch_transforms):
                why = ('batch_transforms is empty' if training else
                       'the pose stages run on training batches only')
                raise ConfigError(
                    'SignDataPreprocessor: the batch holds the stored '
                    f'joints in pixels (PackSignInputs(stack=False)) but '
                    f'{why}: give model.data_preprocessor.batch_transforms '
                    "the dataset base's train_batch_transforms, or pack "
                    "with the base's (per sample) train_pipeline")
            poses = list(zip(poses['keypoints'], poses['scores']))
        transforms = list(self.batch_transforms) if training else []
        stages = dict(layout=None)
        joints = None
        if transforms and hasattr(transforms[0], 'source_joints'):
            select = transforms.pop(0)  # done while padding
            joints = np.asarray(select.source_joints(_num_joints(poses[0])))
            stages['layout'] = select.layout.name
        batch = self._to_device(poses, samples,
                                batched=bool(self.batch_transforms)
                                and training, joints=joints)
        pose = batch['pose']  # (B, T, K, 3)
        pose_mask = (torch.arange(pose.shape[1], device=pose.device)[None]
                     < batch['lengths'][:, None])  # (B, T)
        mpm_mask = batch.get('mpm_mask')
        if transforms:
            stages.update(pose=pose, lengths=batch['lengths'],
                          size=batch.get('size'))
            for t in transforms:
                stages = t.transform_batch(stages)
            pose = stages['pose']
            mpm_mask = stages.get('mpm_mask', mpm_mask)
        inputs = dict(pose=pose, pose_mask=pose_mask, mpm_mask=mpm_mask,
                      paired=batch['paired'], text_ids=None, text_mask=None)
        if 'text_ids' in batch:
            text_ids = batch['text_ids']  # (B, L)
            inputs['text_ids'] = text_ids
            inputs['text_mask'] = (
                torch.arange(text_ids.shape[1], device=text_ids.device)[None]
                < batch['text_lengths'][:, None])
        return dict(inputs=inputs, data_samples=samples)

    def _to_device(self, poses: List[Union[torch.Tensor, tuple]], samples,
                   batched: bool,
                   joints: Optional[np.ndarray] = None
                   ) -> Dict[str, torch.Tensor]:
        """Pad the batch into one host buffer and copy it to the device.

        ``poses`` are (T, K, 3) tensors or (keypoints (T, K, 2), scores
        (T, K)) arrays. Returns ``pose`` (B, T, K, C) (for ``batched``, the
        view of (3, B, T, K') planes of the ``joints`` kept), ``lengths``
        (B, ), ``paired`` (B, ); ``text_ids`` (B, L) and ``text_lengths``
        (B, ) when a sample is paired; ``mpm_mask`` (B, T, K) when every
        sample has one; ``size`` (B, 2) video width and height when
        ``batched``.
        """
        if not batched:
            poses = [_stacked(p) for p in poses]
        b = len(poses)
        lengths = [len(p[0]) if isinstance(p, tuple) else len(p)
                   for p in poses]
        t = max(lengths)
        if batched:
            k = _num_joints(poses[0]) if joints is None else len(joints)
            pose_shape = (3, b, t, k)
        else:
            k = poses[0].shape[1]
            pose_shape = (b, t) + tuple(poses[0].shape[1:])
        fields = dict(pose=(pose_shape, torch.float32),
                      lengths=((b, ), torch.long),
                      paired=((b, ), torch.bool))
        paired = [s.is_paired for s in samples]
        texts = [s.text_ids if p else None for s, p in zip(samples, paired)]
        if any(paired):
            text_len = max(len(i) for i in texts if i is not None)
            fields.update(text_ids=((b, text_len), torch.long),
                          text_lengths=((b, ), torch.long))
        has_masks = bool(samples) and all('mpm_mask' in s for s in samples)
        if has_masks:
            fields['mpm_mask'] = ((b, t, k), torch.bool)
        if batched:
            fields['size'] = ((b, 2), torch.float32)
        buffer, host = _one_buffer(fields,
                                   pin=self.device.type == 'cuda')
        if batched:
            _fill_planes(host['pose'].numpy(), poses, joints)
        else:
            _pad_into(host['pose'], poses, 0)
        host['lengths'].copy_(torch.tensor(lengths))
        host['paired'].copy_(torch.tensor(paired, dtype=torch.bool)
                             if samples else torch.zeros(b, dtype=torch.bool))
        if any(paired):
            empty = torch.zeros(0, dtype=torch.long)
            texts = [empty if i is None else i for i in texts]
            host['text_ids'].copy_(pad_sequences(texts, self.text_pad_id))
            host['text_lengths'].copy_(torch.tensor([len(i) for i in texts]))
        if has_masks:
            _pad_into(host['mpm_mask'], [s.mpm_mask for s in samples], False)
        if batched:
            host['size'].copy_(
                torch.tensor([[s.width, s.height] for s in samples],
                             dtype=torch.float32))
        if buffer.device != self.device:
            buffer = buffer.to(self.device, non_blocking=self._non_blocking)
            host = _views(buffer, fields)
        if batched:  # (3, B, T, K) -> (B, T, K, 3) view
            host['pose'] = host['pose'].permute(1, 2, 3, 0)
        return host


def _num_joints(pose: Union[torch.Tensor, tuple]) -> int:
    """K of a (T, K, 3) pose or of its (keypoints, scores)."""
    return (pose[0] if isinstance(pose, tuple) else pose).shape[1]


def _stacked(pose: Union[torch.Tensor, tuple]) -> torch.Tensor:
    """(T, K, 3) float tensor of a stacked pose or (keypoints, scores)."""
    if not isinstance(pose, tuple):
        return pose
    kpts, scores = pose
    return torch.from_numpy(
        np.concatenate([kpts, scores[..., None]], -1).astype(np.float32))


def _fill_planes(out: np.ndarray, poses: Sequence[Union[torch.Tensor, tuple]],
                 joints: Optional[np.ndarray]) -> None:
    """Write the ``joints`` of each pose into the channel planes ``out``
    (3, B, T, K), right-padded with 0: one gather a sample (``np.take``
    with an index array: ~3x faster than a list index or a transposed
    copy), then a copy per channel."""
    for i, pose in enumerate(poses):
        if not isinstance(pose, tuple):  # (T, K0, 3)
            pose = pose.numpy()
            pose = (pose[..., :2], pose[..., 2])
        kpts, scores = pose  # (T, K0, 2), (T, K0)
        if joints is not None:
            kpts = np.take(kpts, joints, axis=1)  # (T, K, 2)
            scores = np.take(scores, joints, axis=1)  # (T, K)
        n = len(kpts)
        out[0, i, :n] = kpts[..., 0]
        out[1, i, :n] = kpts[..., 1]
        out[2, i, :n] = scores
        out[:, i, n:] = 0


def _layout(fields: Dict[str, Tuple[tuple, torch.dtype]]):
    """Byte offset and size of each field in one buffer (8-byte aligned)."""
    offset, spans = 0, {}
    for name, (shape, dtype) in fields.items():
        nbytes = torch.Size(shape).numel() * dtype.itemsize
        spans[name] = (offset, nbytes)
        offset += -(-nbytes // 8) * 8
    return spans, offset


def _views(buffer: torch.Tensor,
           fields: Dict[str, Tuple[tuple, torch.dtype]]
           ) -> Dict[str, torch.Tensor]:
    """Typed views of the fields of a uint8 buffer laid out by _layout."""
    spans, _ = _layout(fields)
    return {
        name: buffer[o:o + n].view(fields[name][1]).view(fields[name][0])
        for name, (o, n) in spans.items()
    }


def _one_buffer(fields: Dict[str, Tuple[tuple, torch.dtype]], pin: bool
                ) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
    """One uint8 host buffer holding every field, and its typed views."""
    _, total = _layout(fields)
    buffer = torch.empty(total, dtype=torch.uint8, pin_memory=pin)
    return buffer, _views(buffer, fields)


def _pad_into(out: torch.Tensor, seqs: Sequence[torch.Tensor],
              value) -> None:
    """Write (L_i, ...) sequences into the rows of ``out`` (B, L, ...),
    right-padded with ``value``."""
    for row, seq in zip(out, seqs):
        n = len(seq)
        row[:n] = seq
        row[n:] = value
