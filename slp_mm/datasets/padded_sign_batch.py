"""A batch of sign samples padded into one host buffer, and the collate
function that builds it in the DataLoader worker."""
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import get_worker_info

from slp_mm.registry import FUNCTIONS, TRANSFORMS
from slp_mm.utils.cli_errors import ConfigError

from .transforms.select_keypoints import SelectKeypoints

Fields = Dict[str, Tuple[tuple, torch.dtype]]


@dataclass
class PaddedSignBatch:
    """Every tensor of a padded batch as typed views of one uint8 buffer.

    Fields: ``pose`` (B, T, K, 3) x, y, score, zero-padded in time (stored
    as joint-major channel planes (3, B, K, T) when ``planes``),
    ``lengths`` (B, ), ``paired`` (B, ) bool; ``text_ids`` (B, L) padded
    with ``text_pad_id`` and ``text_lengths`` (B, ) when a sample is
    paired; ``mpm_mask`` (B, T, K) bool when every sample has one or the
    batch's were drawn while padding; ``size``
    (B, 2) video width and height when ``planes``.

    One buffer is one shared-memory segment when a loader worker made it
    (a tensor per sample would be one segment each: ~0.5 ms a sample to
    send and receive), one pinned copy and one host-to-device copy.

    Args:
        buffer: (N, ) uint8, the fields laid out by :func:`field_spans`.
        fields: Field name -> (shape, dtype).
        planes: ``pose`` holds the stored joints in pixels, as channel
            planes, for the data preprocessor's batch transforms.
        layout: The keypoint layout kept while padding (``None``: the
            joints as packed).
        text_pad_id: The padding id of ``text_ids``.
    """
    buffer: torch.Tensor
    fields: Fields
    planes: bool
    layout: Optional[str]
    text_pad_id: int

    def views(self) -> Dict[str, torch.Tensor]:
        """Field name -> its typed view of the buffer (``pose`` (B, T, K,
        3) whatever its storage)."""
        spans, _ = field_spans(self.fields)
        views = {
            name: self.buffer[o:o + n].view(self.fields[name][1]).view(
                self.fields[name][0])
            for name, (o, n) in spans.items()
        }
        if self.planes:  # (3, B, K, T) -> (B, T, K, 3) view
            views['pose'] = views['pose'].permute(1, 3, 2, 0)
        return views

    def to(self, device, non_blocking: bool = False) -> 'PaddedSignBatch':
        """The batch with its buffer on ``device`` (one copy)."""
        if self.buffer.device == torch.device(device):
            return self
        return PaddedSignBatch(
            self.buffer.to(device, non_blocking=non_blocking), self.fields,
            self.planes, self.layout, self.text_pad_id)

    def pin_memory(self) -> 'PaddedSignBatch':
        """The DataLoader's ``pin_memory=True`` pins the one buffer."""
        return PaddedSignBatch(self.buffer.pin_memory(), self.fields,
                               self.planes, self.layout, self.text_pad_id)


def field_spans(fields: Fields) -> Tuple[Dict[str, Tuple[int, int]], int]:
    """Byte offset and size of each field in one buffer (8-byte aligned),
    and the buffer's size."""
    offset, spans = 0, {}
    for name, (shape, dtype) in fields.items():
        nbytes = torch.Size(shape).numel() * dtype.itemsize
        spans[name] = (offset, nbytes)
        offset += -(-nbytes // 8) * 8
    return spans, offset


def pad_sign_batch(poses: Sequence[Union[torch.Tensor, tuple]],
                   samples: Sequence,
                   planes: bool,
                   select: Optional[SelectKeypoints] = None,
                   text_pad_id: int = 1,
                   pin: bool = False,
                   mask=None) -> PaddedSignBatch:
    """Pad a batch into one host buffer.

    Args:
        poses: (T, K, 3) tensors, or (keypoints (T, K, 2), scores (T, K))
            arrays (``PackSignInputs(stack=False)``).
        samples: Their :class:`SignDataSample` (may be empty).
        planes: Store ``pose`` as joint-major channel planes (3, B, K, T):
            the batch transforms' normalisation runs several times faster
            on them (each part one block, reductions across rows).
        select: Keep only its layout's joints while padding (a copy per
            run of kept joints instead of a copy of every joint and another
            of the kept ones).
        text_pad_id: Padding id of the tokenizer (mBART: 1).
        pin: Allocate the buffer in pinned memory (for a CUDA model).
        mask: A transform with a ``sample_mask`` method
            (:class:`HierarchicalPoseMask`) that draws the batch's
            ``mpm_mask`` for the kept joints of ``select``'s layout.
    """
    b = len(poses)
    lengths = [len(p[0]) if isinstance(p, tuple) else len(p) for p in poses]
    t = max(lengths)
    k0 = _num_joints(poses[0])
    runs = ([(slice(0, k0), slice(0, k0))]
            if select is None else select.source_runs(k0))
    if planes:
        k = runs[-1][0].stop
        pose_shape = (3, b, k, t)
    else:
        poses = [_stacked(p) for p in poses]
        if select is not None:
            poses = [torch.cat([p[:, src] for _, src in runs], 1)
                     for p in poses]
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
    if mask is not None and (has_masks or select is None):
        raise ConfigError(
            'collate_sign_batch: mask draws the batch\'s MPM masks for the '
            'joints of its layout, but ' + (
                'the samples carry masks already (HierarchicalPoseMask in '
                'the pipeline): keep one' if has_masks else 'no layout is '
                'given'))
    if has_masks or mask is not None:
        fields['mpm_mask'] = ((b, t, k), torch.bool)
    if planes:
        fields['size'] = ((b, 2), torch.float32)
    batch = PaddedSignBatch(
        _new_buffer(field_spans(fields)[1], pin), fields, planes,
        None if select is None else select.layout.name, text_pad_id)
    host = batch.views()
    if planes:
        _fill_planes(host['pose'].permute(3, 0, 2, 1).numpy(), poses, runs)
    else:
        _pad_into(host['pose'], poses, 0)
    host['lengths'].copy_(torch.tensor(lengths))
    host['paired'].copy_(torch.tensor(paired, dtype=torch.bool)
                         if samples else torch.zeros(b, dtype=torch.bool))
    if any(paired):
        empty = torch.zeros(0, dtype=torch.long)
        _pad_into(host['text_ids'],
                  [empty if i is None else i for i in texts], text_pad_id)
        host['text_lengths'].copy_(
            torch.tensor([0 if i is None else len(i) for i in texts]))
    if has_masks:
        _pad_into(host['mpm_mask'], [s.mpm_mask for s in samples], False)
    elif mask is not None:
        host['mpm_mask'].copy_(mask.sample_mask(
            host['lengths'], t, k, select.layout.name))
    if planes:
        host['size'].copy_(
            torch.tensor([[s.width, s.height] for s in samples],
                         dtype=torch.float32))
    return batch


@FUNCTIONS.register_module()
def collate_sign_batch(data_batch: Sequence[dict],
                       layout: Optional[str] = None,
                       text_pad_id: int = 1,
                       mask: Optional[dict] = None) -> dict:
    """``collate_fn`` of the training pipelines (configs name it
    ``'slp_mm.collate_sign_batch'``: mmengine's Runner looks collate
    functions up in its root registry): pad the batch in the loader
    worker into one :class:`PaddedSignBatch` (one shared-memory segment
    sent to the training process) instead of handing over every sample's
    arrays (``pseudo_collate``), keep the joints of ``layout`` and, given
    a ``mask`` transform config (``HierarchicalPoseMask``), draw the
    batch's MPM masks.

    Masks depend on the clip lengths only and are drawn on the host
    whatever the model's device (~50 us a sample on one core): drawn here
    they cost the loader workers, in parallel, rather than the training
    process, where mmengine reads the loss back every iteration, so the
    GPU would idle while they are drawn.

    The data preprocessor takes the batch as it is; its leading
    ``SelectKeypoints`` must name the same ``layout`` (else it is an
    error), its ``text_pad_id`` the same id, and its ``batch_transforms``
    must not draw masks again (else it is an error).

    Returns:
        dict: ``inputs`` (:class:`PaddedSignBatch`) and ``data_samples``.
    """
    samples = [d['data_samples'] for d in data_batch]
    poses = [d['inputs'] for d in data_batch]
    planes = isinstance(poses[0], dict)  # PackSignInputs(stack=False)
    if planes:
        poses = [(p['keypoints'], p['scores']) for p in poses]
    select = None if layout is None else _select_keypoints(layout)
    masker = None if mask is None else _mask_transform(
        json.dumps(mask, sort_keys=True))
    return dict(inputs=pad_sign_batch(poses, samples, planes, select,
                                      text_pad_id, mask=masker),
                data_samples=samples)


@lru_cache(maxsize=None)
def _select_keypoints(layout: str) -> SelectKeypoints:
    """One selection per layout (building a layout costs ~0.3 ms)."""
    return SelectKeypoints(layout)


@lru_cache(maxsize=None)
def _mask_transform(config: str):
    """One mask transform per config (its JSON): built once per process."""
    masker = TRANSFORMS.build(json.loads(config))
    if not hasattr(masker, 'sample_mask'):
        raise ConfigError(f'collate_sign_batch: mask is '
                          f'{type(masker).__name__}, which draws no batch '
                          'masks (expected HierarchicalPoseMask)')
    return masker


def _new_buffer(nbytes: int, pin: bool) -> torch.Tensor:
    """(nbytes, ) uint8: pinned, or in shared memory inside a loader worker
    (allocated there, as torch's ``default_collate`` does, so sending it
    is no copy)."""
    if pin:
        return torch.empty(nbytes, dtype=torch.uint8, pin_memory=True)
    if get_worker_info() is not None:
        storage = torch.UntypedStorage._new_shared(nbytes)
        return torch.empty(0, dtype=torch.uint8).set_(storage)
    return torch.empty(nbytes, dtype=torch.uint8)


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


def _fill_planes(out: np.ndarray, poses: List[Union[torch.Tensor, tuple]],
                 runs: List[Tuple[slice, slice]]) -> None:
    """Write the joints of each pose into the channel planes ``out``
    (3, B, K, T), right-padded with 0: a transposing copy of (x, y) and
    one of the scores per (kept, source) run of consecutive joints (sign79
    is 4 runs), ~2.5x faster than a gather of the joints (``np.take``
    copies 4 or 8 bytes at a time) then a copy."""
    for i, pose in enumerate(poses):
        if not isinstance(pose, tuple):  # (T, K0, 3)
            pose = pose.numpy()
            pose = (pose[..., :2], pose[..., 2])
        kpts, scores = pose  # (T, K0, 2), (T, K0)
        n = len(kpts)
        for dst, src in runs:
            out[:2, i, dst, :n] = kpts[:, src].transpose(2, 1, 0)
            out[2, i, dst, :n] = scores[:, src].T
        out[:, i, :, n:] = 0


def _pad_into(out: torch.Tensor, seqs: Sequence[torch.Tensor],
              value) -> None:
    """Write (L_i, ...) sequences into the rows of ``out`` (B, L, ...),
    L = max L_i, right-padded with ``value`` (torch pads in one call: ~5x
    faster than two copies a row)."""
    out.copy_(pad_sequence(list(seqs), batch_first=True,
                           padding_value=value))
