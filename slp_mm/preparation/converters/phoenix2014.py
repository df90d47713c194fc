"""RWTH-PHOENIX-Weather 2014 multi-signer (Koller et al., CVIU 2015): German
weather forecasts signed in DGS with glosses only. Having no translation,
its records are unpaired (``text=None``) and serve pose-only pre-training
and recognition."""
from typing import Optional, Sequence

from .annotation_loader import annotation_loader
from .base import SPLITS, Annotations, load_split_files, make_record, \
    video_folder
from .gloss_characters import ASCII_GLOSS_CHARS

DATASET = 'phoenix2014'
LANGUAGE = 'de'
# the released 210x260 (width x height) frames at 25 fps
VIDEO_INFO = dict(width=210.0, height=260.0, fps=25.0)
CORPUS_FILE = 'phoenix-2014-multisigner.{split}.corpus.csv'
NUM_FRAMES_FILE = 'phoenix-2014-multisigner.{split}.num_frames.csv'
COLUMNS = ('id', 'folder', 'signer', 'annotation')
REQUIRED = COLUMNS


def _record(row: dict, split: str, num_frames: Optional[int]) -> dict:
    return make_record(
        dataset=DATASET,
        language=LANGUAGE,
        split=split,
        id=row['id'],
        signer=row['signer'],
        gloss=row['annotation'],
        text=None,
        video=video_folder(row['folder']),
        num_frames=num_frames)


@annotation_loader(DATASET, VIDEO_INFO)
def load_phoenix2014(ann_dir: str,
                     splits: Sequence[str] = SPLITS) -> Annotations:
    """Records of ``phoenix-2014-multisigner.<split>.corpus.csv`` in
    ``ann_dir``; glosses keep the raw markers (``__ON__``, ``loc-`` ...)."""
    return load_split_files(ann_dir, CORPUS_FILE, NUM_FRAMES_FILE, COLUMNS,
                            REQUIRED, _record, splits,
                            gloss_column='annotation',
                            gloss_script=ASCII_GLOSS_CHARS)
