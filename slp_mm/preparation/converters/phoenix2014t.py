"""RWTH-PHOENIX-Weather 2014 T (Camgöz et al., CVPR 2018): German weather
forecasts signed in DGS, with glosses and a German translation; the
standard sign-language translation benchmark."""
from typing import Optional, Sequence

from .annotation_loader import annotation_loader
from .base import SPLITS, Annotations, load_split_files, make_record, \
    video_folder
from .gloss_characters import ASCII_GLOSS_CHARS

DATASET = 'phoenix2014t'
LANGUAGE = 'de'
# the released 210x260 (width x height) frames at 25 fps
VIDEO_INFO = dict(width=210.0, height=260.0, fps=25.0)
CORPUS_FILE = 'PHOENIX-2014-T.{split}.corpus.csv'
NUM_FRAMES_FILE = 'PHOENIX-2014-T.{split}.num_frames.csv'
COLUMNS = ('name', 'video', 'start', 'end', 'speaker', 'orth', 'translation')
REQUIRED = ('name', 'video', 'speaker', 'orth', 'translation')


def _record(row: dict, split: str, num_frames: Optional[int]) -> dict:
    return make_record(
        dataset=DATASET,
        language=LANGUAGE,
        split=split,
        id=row['name'],
        signer=row['speaker'],
        gloss=row['orth'],
        text=row['translation'],
        video=video_folder(row['video']),
        num_frames=num_frames)


@annotation_loader(DATASET, VIDEO_INFO)
def load_phoenix2014t(ann_dir: str,
                      splits: Sequence[str] = SPLITS) -> Annotations:
    """Records of ``PHOENIX-2014-T.<split>.corpus.csv`` in ``ann_dir``.

    ``text`` is the official translation as written (lower-cased, tokenised,
    without the final `` .`` some SLT setups append).
    """
    return load_split_files(ann_dir, CORPUS_FILE, NUM_FRAMES_FILE, COLUMNS,
                            REQUIRED, _record, splits,
                            gloss_column='orth',
                            gloss_script=ASCII_GLOSS_CHARS)
