from .pose_readers import read_pose_file
from .pose_sample_check import InvalidSampleError, find_sample_problem
from .samplers import LengthBucketSampler  # noqa: F401
from .sign_corpus import SignCorpus, SignCorpusWriter
from .sign_pose_dataset import SignPoseDataset
from .synthetic_sign_pose_dataset import SyntheticSignPoseDataset
from .tokenizer import MBART_LANGUAGE_TOKENS, load_tokenizer, train_tokenizer
from .transforms import *  # noqa: F401,F403

__all__ = [
    'SignCorpus', 'SignCorpusWriter', 'SignPoseDataset',
    'SyntheticSignPoseDataset', 'InvalidSampleError', 'find_sample_problem',
    'MBART_LANGUAGE_TOKENS', 'load_tokenizer', 'train_tokenizer',
    'read_pose_file'
]
