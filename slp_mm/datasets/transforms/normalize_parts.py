from typing import Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from slp_mm.registry import TRANSFORMS
from slp_mm.structures import get_layout


@TRANSFORMS.register_module()
class NormalizeParts(BaseTransform):
    """Normalise coordinates to [-1, 1]: each hand to its own crop box, every
    other joint to the video frame.

    Hands move fast and are small in the frame, so their shape is only
    visible in their own box (the paper's per-part normalisation). The box of
    a hand in a frame is the square around its joints scored above
    ``score_thr``, enlarged by ``box_margin``; a hand with fewer than two such
    joints in a frame, or whose box is under ``min_box`` pixels (its joints
    coincide: dividing by it would blow the other joints up to inf), is
    missing in that frame (all its scores become 0).

    A missing joint is one whose score is 0 (the data contract: readers write
    score 0 for undetected, unmapped and non-finite points; NaN keypoints
    never get here, :class:`CheckPoseSample` skips the sample). Every missing
    joint comes out as (0, 0) with score 0, whatever its stored coordinates
    and whichever part it belongs to: the value MPM masking and time padding
    also give, so training, testing and every task see one value for "no
    joint". A joint scored in (0, ``score_thr``] is kept with its score: the
    threshold only decides which joints shape a hand box.

    Required keys: ``keypoints`` (T, K, 2) in pixels, ``scores`` (T, K),
    ``width``, ``height``, ``layout``.
    Modified keys: ``keypoints`` (normalised), ``scores``.

    Args:
        box_parts (Sequence[str]): Parts normalised to their own box.
        score_thr (float): Score below which a joint does not shape the box.
        box_margin (float): Relative margin added around each hand box.
        min_box (float): Smallest hand box side, in pixels.
    """

    def __init__(self,
                 box_parts: Sequence[str] = ('left_hand', 'right_hand'),
                 score_thr: float = 0.1,
                 box_margin: float = 0.1,
                 min_box: float = 1e-3) -> None:
        self.box_parts = tuple(box_parts)
        self.score_thr = score_thr
        self.box_margin = box_margin
        self.min_box = min_box

    def transform(self, results: dict) -> dict:
        layout = get_layout(results['layout'])
        kpts = np.array(results['keypoints'], dtype=np.float32)  # (T, K, 2)
        scores = np.array(results['scores'], dtype=np.float32)  # (T, K)
        size = np.array([results['width'], results['height']], np.float32)
        if not np.all(size > 0):
            raise ValueError(f"Sample {results.get('id')!r}: fields "
                             f"'width'/'height' are {size.tolist()}, "
                             'expected positive video size')
        box_idx = layout.part_indexes(self.box_parts)
        frame_idx = np.setdiff1d(np.arange(layout.num_keypoints), box_idx)
        kpts[:, frame_idx] = kpts[:, frame_idx] / size * 2 - 1
        for part in self.box_parts:
            idx = layout.parts[part]
            kpts[:, idx], scores[:, idx] = self._to_box(
                kpts[:, idx], scores[:, idx])
        missing = scores <= 0  # (T, K)
        kpts[missing] = 0
        scores[missing] = 0
        results['keypoints'], results['scores'] = kpts, scores
        return results

    def _to_box(self, kpts: np.ndarray, scores: np.ndarray):
        """(T, J, 2) pixels -> (T, J, 2) in the per-frame square hand box;
        the scores of a hand without a box in a frame become 0."""
        valid = scores > self.score_thr  # (T, J)
        big = np.float32(np.inf)
        lo = np.where(valid[..., None], kpts, big).min(axis=1)  # (T, 2)
        hi = np.where(valid[..., None], kpts, -big).max(axis=1)  # (T, 2)
        present = valid.sum(axis=1) >= 2
        lo = np.where(present[:, None], lo, 0)
        hi = np.where(present[:, None], hi, 0)
        half = (hi - lo).max(axis=1) / 2 * (1 + self.box_margin)  # (T,)
        present &= half * 2 >= self.min_box
        center = (lo + hi) / 2  # (T, 2)
        half = np.where(present, half, 1)
        out = (kpts - center[:, None]) / half[:, None, None]
        scores = np.where(present[:, None], scores, 0).astype(np.float32)
        return out.astype(np.float32), scores

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(box_parts={self.box_parts}, '
                f'score_thr={self.score_thr}, box_margin={self.box_margin}, '
                f'min_box={self.min_box})')
