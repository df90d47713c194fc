"""What the DataLoader runs: the datasets over a corpus, their transforms
and samplers. The corpus itself is ``slp_mm.corpus``; converters, pose
readers and pose extraction are the offline ``slp_mm.preparation``."""
from .padded_sign_batch import PaddedSignBatch, collate_sign_batch
from .samplers import LengthBucketSampler  # noqa: F401
from .sign_pose_dataset import SignPoseDataset
from .synthetic_sign_pose_dataset import SyntheticSignPoseDataset
from .transforms import *  # noqa: F401,F403

__all__ = [
    'PaddedSignBatch', 'SignPoseDataset', 'SyntheticSignPoseDataset',
    'collate_sign_batch'
]
