from typing import Dict, List, Sequence, Tuple

import torch
from mmengine.model import BaseDataPreprocessor

from slp_mm.registry import MODELS, TRANSFORMS


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
    then packs the stored poses (pixels, all source joints) and leaves the
    stages out; validation and test pipelines keep them, so inference needs
    no preprocessor support.

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
        transforms = self.batch_transforms if training else []
        batch = self._to_device(poses, samples, need_size=bool(transforms))
        pose = batch['pose']  # (B, T, K, 3)
        pose_mask = (torch.arange(pose.shape[1], device=pose.device)[None]
                     < batch['lengths'][:, None])  # (B, T)
        mpm_mask = batch.get('mpm_mask')
        if transforms:
            stages = dict(pose=pose, lengths=batch['lengths'],
                          size=batch.get('size'), layout=None)
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

    def _to_device(self, poses: List[torch.Tensor], samples,
                   need_size: bool) -> Dict[str, torch.Tensor]:
        """Pad the batch into one host buffer and copy it to the device.

        Returns ``pose`` (B, T, K, C), ``lengths`` (B, ), ``paired`` (B, );
        ``text_ids`` (B, L) and ``text_lengths`` (B, ) when a sample is
        paired; ``mpm_mask`` (B, T, K) when every sample has one; ``size``
        (B, 2) video width and height when ``need_size``.
        """
        b = len(poses)
        lengths = [p.shape[0] for p in poses]
        t = max(lengths)
        fields = dict(pose=((b, t) + tuple(poses[0].shape[1:]), torch.float32),
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
            fields['mpm_mask'] = ((b, t, poses[0].shape[1]), torch.bool)
        if need_size:
            fields['size'] = ((b, 2), torch.float32)
        buffer, host = _one_buffer(fields,
                                   pin=self.device.type == 'cuda')
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
        if need_size:
            host['size'].copy_(
                torch.tensor([[s.width, s.height] for s in samples],
                             dtype=torch.float32))
        if buffer.device == self.device:
            return host
        buffer = buffer.to(self.device, non_blocking=self._non_blocking)
        return _views(buffer, fields)


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
