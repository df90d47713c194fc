import os.path as osp

from slp_mm.corpus.synthetic_sign_corpus import build_synthetic_corpus
from slp_mm.registry import DATASETS
from .sign_pose_dataset import SignPoseDataset


@DATASETS.register_module()
class SyntheticSignPoseDataset(SignPoseDataset):
    """:class:`SignPoseDataset` over the SYNTHETIC demo corpus, which it
    writes (with its tokenizer, at ``<ann_file>/tokenizer``) on first use.

    Used by ``configs/pretrain/demo.py`` so the demo needs no download and no
    real data. See :mod:`slp_mm.corpus.synthetic_sign_corpus`.

    Args:
        num_samples (int): Sequences to generate.
        seed (int): Generator seed (the corpus is deterministic).
        **kwargs: :class:`SignPoseDataset` arguments.
    """

    def __init__(self, ann_file: str, num_samples: int = 400, seed: int = 0,
                 data_root: str = '', **kwargs) -> None:
        path = ann_file if osp.isabs(ann_file) else osp.join(
            data_root, ann_file)
        build_synthetic_corpus(path, num_samples=num_samples, seed=seed)
        super().__init__(ann_file=ann_file, data_root=data_root, **kwargs)
