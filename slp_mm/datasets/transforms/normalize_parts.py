from typing import List, Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from slp_mm.functional import normalize_parts_
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

    The definition is :func:`slp_mm.functional.normalize_parts_`;
    :meth:`transform_batch` applies it to a padded batch in the data
    preprocessor (``SignDataPreprocessor.batch_transforms``).

    Args:
        box_parts (Sequence[str]): Parts normalised to their own box.
        score_thr (float): Score below which a joint does not shape the box.
        box_margin (float): Relative margin added around each hand box.
        min_box (float): Smallest hand box side, in pixels (> 0).
    """

    def __init__(self,
                 box_parts: Sequence[str] = ('left_hand', 'right_hand'),
                 score_thr: float = 0.1,
                 box_margin: float = 0.1,
                 min_box: float = 1e-3) -> None:
        if not min_box > 0:
            raise ValueError(f'min_box must be > 0 pixels, got {min_box}')
        self.box_parts = tuple(box_parts)
        self.score_thr = score_thr
        self.box_margin = box_margin
        self.min_box = min_box
        self._indexes = {}  # layout name -> joint indexes of each box part

    def transform(self, results: dict) -> dict:
        size = np.array([results['width'], results['height']], np.float32)
        if not np.all(size > 0):
            raise ValueError(f"Sample {results.get('id')!r}: fields "
                             f"'width'/'height' are {size.tolist()}, "
                             'expected positive video size')
        pose = np.concatenate(
            [results['keypoints'], results['scores'][..., None]],
            -1).astype(np.float32)  # (T, K, 3)
        normalize_parts_(
            torch.from_numpy(pose)[None], torch.from_numpy(size)[None],
            self._box_parts(results['layout']), self.score_thr,
            self.box_margin, self.min_box)
        results['keypoints'], results['scores'] = pose[..., :2], pose[..., 2]
        return results

    def transform_batch(self, batch: dict) -> dict:
        """The same, in place, on ``pose`` (B, T, K, 3) (x, y, score) and
        ``size`` (B, 2) (width, height); padding (score 0) stays 0."""
        if not bool((batch['size'] > 0).all()):
            bad = (batch['size'] <= 0).any(1).nonzero()[:, 0].tolist()
            raise ValueError(f'Samples at batch positions {bad}: fields '
                             "'width'/'height' are not a positive video size")
        normalize_parts_(batch['pose'], batch['size'],
                         self._box_parts(batch['layout']), self.score_thr,
                         self.box_margin, self.min_box)
        return batch

    def _box_parts(self, layout: str) -> List[List[int]]:
        """Joint indexes of each box part in ``layout``, looked up once."""
        if layout not in self._indexes:
            found = get_layout(layout)
            found.part_indexes(self.box_parts)  # unknown parts: KeyError
            self._indexes[layout] = [found.parts[p] for p in self.box_parts]
        return self._indexes[layout]

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(box_parts={self.box_parts}, '
                f'score_thr={self.score_thr}, box_margin={self.box_margin}, '
                f'min_box={self.min_box})')
