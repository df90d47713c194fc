from typing import Dict, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

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

    Args:
        ratio (float): Overall masking ratio. The paper uses 0.4.
        level_weights (Dict[str, float]): Share of the masked joints per
            level; normalised to sum to 1.
        clip_len (Tuple[int, int]): Inclusive range of clip-level run lengths.
        parts (Sequence[str]): Parts the part level may hide.
    """

    LEVELS = ('clip', 'frame', 'part', 'joint')

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

    def transform(self, results: dict) -> dict:
        t, k = results['keypoints'].shape[:2]
        layout = get_layout(results['layout'])
        part_idx = [layout.parts[p] for p in self.parts if p in layout.parts]
        results['mpm_mask'] = self.sample_mask(t, k, part_idx)
        return results

    def sample_mask(self, t: int, k: int, part_idx) -> np.ndarray:
        mask = np.zeros((t, k), dtype=bool)
        target = int(round(self.ratio * t * k))
        quota = 0.0
        for level in self.LEVELS:
            quota += self.level_weights[level] * target
            goal = target if level == 'joint' else int(round(quota))
            getattr(self, f'_mask_{level}')(mask, goal, part_idx)
        return mask

    def _mask_clip(self, mask, goal, part_idx, max_tries=64):
        t, k = mask.shape
        lo, hi = self.clip_len
        count = int(mask.sum())
        for _ in range(max_tries):
            free_frames = (goal - count) // k
            if free_frames < 1:
                return
            length = min(np.random.randint(lo, hi + 1), free_frames, t)
            start = np.random.randint(0, t - length + 1)
            new = int((~mask[start:start + length]).sum())
            if count + new <= goal:
                mask[start:start + length] = True
                count += new

    @staticmethod
    def _take_disjoint_units(new_counts: np.ndarray, count: int,
                             goal: int) -> np.ndarray:
        """Greedily pick disjoint units in random order while the masked
        count stays within ``goal``; returns the picked unit indexes."""
        picked = []
        for u in np.random.permutation(len(new_counts)):
            n = int(new_counts[u])
            if n and count + n <= goal:
                picked.append(u)
                count += n
        return np.asarray(picked, dtype=np.int64)

    def _mask_frame(self, mask, goal, part_idx):
        new = (~mask).sum(1)  # frames are disjoint units
        mask[self._take_disjoint_units(new, int(mask.sum()), goal)] = True

    def _mask_part(self, mask, goal, part_idx):
        # (frame, part) units are disjoint: their new counts are independent
        new = np.stack([(~mask[:, idx]).sum(1) for idx in part_idx], 1)
        picked = self._take_disjoint_units(new.reshape(-1), int(mask.sum()),
                                           goal)
        frames, parts = np.divmod(picked, len(part_idx))
        for f, p in zip(frames, parts):
            mask[f, part_idx[p]] = True

    def _mask_joint(self, mask, goal, part_idx):
        free = np.flatnonzero(~mask)
        need = goal - int(mask.sum())
        if need > 0:
            mask.flat[np.random.choice(free, need, replace=False)] = True

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(ratio={self.ratio}, '
                f'level_weights={self.level_weights}, '
                f'clip_len={self.clip_len}, parts={self.parts})')
