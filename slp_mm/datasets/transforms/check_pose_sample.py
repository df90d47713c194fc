from typing import Optional

from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from slp_mm.corpus.pose_sample_check import (find_sample_problem,
                                              find_shape_problem)
from slp_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class CheckPoseSample(BaseTransform):
    """Drop a sample that breaks the data contract instead of training on it.

    NaN keypoints, scores outside [0, 1], a zero or NaN fps, zero frames, a
    wrong keypoint count or blank text make the transform log a warning
    naming the sample, its location and the field, and return ``None``;
    :class:`SignPoseDataset` then counts the skip and draws another sample.

    A corpus row whose ``contract_checked`` is True (see
    :class:`~slp_mm.corpus.SignCorpus`: the writer checked its values and
    its shard's bytes were verified since) is checked for this pipeline's
    keypoint count and frame limit only: re-reading every value of every
    row each epoch would prove nothing new, at ~29 us a row (a seventh of
    the batched pre-training pipeline). ``recheck=True`` reads them anyway,
    e.g. to catch disk corruption after the machine's verification cache
    vouched for a shard (a NaN it makes otherwise costs its batch: the
    optimizer wrapper skips a non-finite step).

    Args:
        num_keypoints (int): Keypoints per frame expected on disk.
            Defaults to 133 (COCO-WholeBody).
        max_frames (int, optional): Longest accepted sequence before any
            temporal sampling; ``None`` accepts any length.
        recheck (bool): Check the values of ``contract_checked`` rows too.
    """

    def __init__(self,
                 num_keypoints: int = 133,
                 max_frames: Optional[int] = None,
                 recheck: bool = False) -> None:
        self.num_keypoints = num_keypoints
        self.max_frames = max_frames
        self.recheck = recheck

    def transform(self, results: dict) -> Optional[dict]:
        check = (find_shape_problem if not self.recheck
                 and results.get('contract_checked') is True else
                 find_sample_problem)
        problem = check(results, self.num_keypoints, self.max_frames)
        if problem is None:
            return results
        print_log(
            f"Skipping sample {results.get('id')!r} "
            f"({results.get('corpus_location', 'unknown location')}): "
            f'{problem}',
            logger='current',
            level=30)
        return None

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_keypoints='
                f'{self.num_keypoints}, max_frames={self.max_frames}, '
                f'recheck={self.recheck})')
