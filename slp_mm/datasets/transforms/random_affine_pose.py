import numpy as np
from mmcv.transforms import BaseTransform

from slp_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomAffinePose(BaseTransform):
    """Random rotation, scale and shift of normalised keypoints, one per
    sequence, for training on small recognition sets.

    Applied after :class:`NormalizeParts` (coordinates in [-1, 1]). Missing
    joints (score 0, see :class:`NormalizeParts`) stay at (0, 0), the value
    they have in testing: the shift would otherwise move them.

    Required keys: ``keypoints`` (T, K, 2), ``scores`` (T, K).
    Modified keys: ``keypoints``.

    Args:
        max_rotation (float): Largest rotation in degrees.
        scale (tuple): Range of the scale factor.
        max_shift (float): Largest shift along each axis.
    """

    def __init__(self,
                 max_rotation: float = 15.0,
                 scale: tuple = (0.85, 1.15),
                 max_shift: float = 0.1) -> None:
        self.max_rotation = max_rotation
        self.scale = scale
        self.max_shift = max_shift

    def transform(self, results: dict) -> dict:
        theta = np.deg2rad(np.random.uniform(-self.max_rotation,
                                             self.max_rotation))
        s = np.random.uniform(*self.scale)
        rot = s * np.array([[np.cos(theta), -np.sin(theta)],
                            [np.sin(theta), np.cos(theta)]], np.float32)
        shift = np.random.uniform(-self.max_shift, self.max_shift, 2)
        kpts = results['keypoints'] @ rot.T + shift.astype(np.float32)
        kpts[results['scores'] <= 0] = 0
        results['keypoints'] = kpts.astype(np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(max_rotation={self.max_rotation},'
                f' scale={self.scale}, max_shift={self.max_shift})')
