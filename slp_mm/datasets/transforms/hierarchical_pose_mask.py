from typing import Dict, Sequence, Tuple

import torch
from mmcv.transforms import BaseTransform

from slp_mm.functional import MASK_LEVELS, hierarchical_pose_mask
from slp_mm.registry import TRANSFORMS
from slp_mm.structures import get_layout


@TRANSFORMS.register_module()
class HierarchicalPoseMask(BaseTransform):
    """Hierarchical random masking for masked pose modelling (MPM).

    Hides ``round(ratio * T * K)`` joints of the whole pose, spread over four
    levels from coarse to fine: ``clip`` (runs of consecutive frames, every
    joint), ``frame`` (single frames), ``part`` (one body part, e.g. a hand, in
    one frame) and ``joint`` (single joints). Each level masks its share
    (``level_weights``) of the total; coarse units that would overshoot are
    not drawn, and the joint level fills the remainder, so the overall ratio
    is exact.

    Required keys: ``keypoints`` (T, K, 2), ``layout``.
    Added keys: ``mpm_mask`` (T, K) bool, True = hidden from the encoder.

    The definition is :func:`slp_mm.functional.hierarchical_pose_mask`
    (drawn on the host by numpy, seeded from torch's generator);
    :meth:`transform_batch` applies it to a padded batch in the data
    preprocessor (``SignDataPreprocessor.batch_transforms``) and puts the
    masks on the batch's device.

    Args:
        ratio (float): Overall masking ratio. The paper uses 0.4.
        level_weights (Dict[str, float]): Share of the masked joints per
            level; normalised to sum to 1.
        clip_len (Tuple[int, int]): Inclusive range of clip-level run lengths.
        parts (Sequence[str]): Parts the part level may hide.
    """

    LEVELS = MASK_LEVELS

    def __init__(self,
                 ratio: float = 0.4,
                 level_weights: Dict[str, float] = dict(
                     clip=0.25, frame=0.25, part=0.25, joint=0.25),
                 clip_len: Tuple[int, int] = (2, 8),
                 parts: Sequence[str] = ('body', 'face', 'mouth',
                                         'left_hand', 'right_hand')) -> None:
        if not 0 <= ratio <= 1:
            raise ValueError(f'ratio must be in [0, 1], got {ratio}')
        unknown = set(level_weights) - set(self.LEVELS)
        if unknown:
            raise ValueError(f'Unknown masking level(s) {sorted(unknown)}; '
                             f'known: {self.LEVELS}')
        total = sum(level_weights.values())
        if total <= 0 or any(w < 0 for w in level_weights.values()):
            raise ValueError(f'level_weights must be >= 0 with a positive '
                             f'sum, got {level_weights}')
        self.ratio = ratio
        self.level_weights = {
            k: level_weights.get(k, 0) / total
            for k in self.LEVELS
        }
        self.clip_len = clip_len
        self.parts = tuple(parts)
        self._part_indexes = {}  # layout name -> joint indexes of each part

    def transform(self, results: dict) -> dict:
        t, k = results['keypoints'].shape[:2]
        results['mpm_mask'] = self.sample_mask(
            torch.tensor([t]), t, k, results['layout'])[0].numpy()
        return results

    def transform_batch(self, batch: dict) -> dict:
        """Add ``mpm_mask`` (B, T, K) bool to a padded batch, put on its
        device; padding frames (beyond ``lengths`` (B, )) stay unmasked."""
        _, t, k = batch['pose'].shape[:3]
        batch['mpm_mask'] = self.sample_mask(batch['lengths'], t, k,
                                             batch['layout'])
        return batch

    def sample_mask(self, lengths: torch.Tensor, num_frames: int,
                    num_keypoints: int, layout: str) -> torch.Tensor:
        """(B, T, K) bool masks of sequences of ``lengths`` (B, ) frames."""
        if layout not in self._part_indexes:
            parts = get_layout(layout).parts
            self._part_indexes[layout] = [
                parts[p] for p in self.parts if p in parts
            ]
        return hierarchical_pose_mask(lengths, num_frames, num_keypoints,
                                      self._part_indexes[layout], self.ratio,
                                      self.level_weights, self.clip_len)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(ratio={self.ratio}, '
                f'level_weights={self.level_weights}, '
                f'clip_len={self.clip_len}, parts={self.parts})')
