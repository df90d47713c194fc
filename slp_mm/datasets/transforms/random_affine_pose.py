import numpy as np
import torch
from mmcv.transforms import BaseTransform

from slp_mm.functional import affine_pose_, draw_affine_params
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

    The definition is :func:`slp_mm.functional.affine_pose_`.
    :meth:`transform` draws the parameters from numpy's generator (as
    before the batched path, so seeded runs keep their draws);
    :meth:`transform_batch` draws them per sequence from torch's generator
    of the batch's device and applies the same function to a padded batch
    in the data preprocessor (``SignDataPreprocessor.batch_transforms``).

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
        pose = np.concatenate(
            [results['keypoints'], results['scores'][..., None]],
            -1).astype(np.float32)  # (T, K, 3)
        affine_pose_(torch.from_numpy(pose)[None], **self.numpy_params())
        results['keypoints'] = pose[..., :2]
        return results

    def transform_batch(self, batch: dict) -> dict:
        """The same, in place, on ``pose`` (B, T, K, 3) (x, y, score), one
        draw per sequence on its device; padding (score 0) stays 0."""
        pose = batch['pose']
        affine_pose_(
            pose,
            **draw_affine_params(pose.shape[0], self.max_rotation, self.scale,
                                 self.max_shift, pose.device))
        return batch

    def numpy_params(self) -> dict:
        """One sequence's parameters from numpy's global generator, as
        :func:`slp_mm.functional.draw_affine_params` returns them for a
        batch of one: ``rotation`` (1, ), ``scale`` (1, ), ``shift`` (1, 2)."""
        theta = np.deg2rad(
            np.random.uniform(-self.max_rotation, self.max_rotation))
        s = np.random.uniform(*self.scale)
        shift = np.random.uniform(-self.max_shift, self.max_shift, 2)
        return dict(rotation=torch.tensor([theta], dtype=torch.float64),
                    scale=torch.tensor([s], dtype=torch.float64),
                    shift=torch.from_numpy(shift)[None])

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(max_rotation={self.max_rotation},'
                f' scale={self.scale}, max_shift={self.max_shift})')
