from typing import List, Optional, Union

import torch
from mmengine.model import BaseDataPreprocessor

from slp_mm.registry import MODELS


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

    Args:
        text_pad_id (int): Padding id of the tokenizer (mBART: 1).
    """

    def __init__(self, text_pad_id: int = 1, non_blocking: bool = False):
        super().__init__(non_blocking=non_blocking)
        self.text_pad_id = text_pad_id

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        poses: Union[List[torch.Tensor], torch.Tensor] = data['inputs']
        samples = data.get('data_samples') or []
        if isinstance(poses, torch.Tensor):  # already stacked, no padding
            poses = list(poses)
        lengths = torch.tensor([p.shape[0] for p in poses], device=self.device)
        pose = pad_sequences(poses)  # (B, T, K, 3)
        pose_mask = (torch.arange(pose.shape[1], device=self.device)[None]
                     < lengths[:, None])  # (B, T)
        inputs = dict(
            pose=pose,
            pose_mask=pose_mask,
            mpm_mask=self._stack_masks(samples, pose.shape[1]),
            paired=torch.tensor([s.is_paired for s in samples],
                                dtype=torch.bool,
                                device=self.device))
        inputs['text_ids'], inputs['text_mask'] = self._stack_text(samples)
        return dict(inputs=inputs, data_samples=samples)

    def _stack_masks(self, samples, length: int) -> Optional[torch.Tensor]:
        if not samples or not all('mpm_mask' in s for s in samples):
            return None
        masks = pad_sequences([s.mpm_mask for s in samples], False)
        # pad to the batch length (samples may be shorter than the longest)
        return torch.nn.functional.pad(
            masks, (0, 0, 0, length - masks.shape[1])).to(self.device)

    def _stack_text(self, samples):
        if not any(s.is_paired for s in samples):
            return None, None
        empty = torch.zeros(0, dtype=torch.long)
        ids = [s.text_ids if s.is_paired else empty for s in samples]
        text_ids = pad_sequences(ids, self.text_pad_id).to(self.device)
        lengths = torch.tensor([len(i) for i in ids], device=self.device)
        text_mask = (torch.arange(text_ids.shape[1], device=self.device)[None]
                     < lengths[:, None])
        return text_ids, text_mask
