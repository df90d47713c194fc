"""How2Sign (Duarte et al., CVPR 2021): instructional videos in ASL with
English sentences, used for gloss-free translation. The "re-aligned" CSVs
(tab-separated) cut each video into sentences; the released per-sentence
clips are named by ``SENTENCE_NAME``. There are no glosses and no signer
ids in these files."""
import os.path as osp
from typing import Sequence

from .annotation_loader import annotation_loader
from .base import SPLITS, Annotations, check_splits, make_record, read_rows

DATASET = 'how2sign'
LANGUAGE = 'en'
# not verified from the release: pose files must store their video size
VIDEO_INFO = None
CORPUS_FILE = 'how2sign_realigned_{split}.csv'
# the release names the validation split 'val'
FILE_SPLITS = dict(train='train', dev='val', test='test')
COLUMNS = ('VIDEO_ID', 'VIDEO_NAME', 'SENTENCE_ID', 'SENTENCE_NAME',
           'START_REALIGNED', 'END_REALIGNED', 'SENTENCE')
REQUIRED = ('SENTENCE_NAME', 'SENTENCE')


@annotation_loader(DATASET, VIDEO_INFO)
def load_how2sign(ann_dir: str,
                  splits: Sequence[str] = SPLITS) -> Annotations:
    """Records of ``how2sign_realigned_<split>.csv`` in ``ann_dir``; the
    sentence id is the row id (``SENTENCE_NAME``, unique per clip)."""
    check_splits(splits)
    records, rejects = {}, []
    for split in splits:
        path = osp.join(ann_dir,
                        CORPUS_FILE.format(split=FILE_SPLITS[split]))
        rows, bad = read_rows(path, COLUMNS, REQUIRED, split, sep='\t',
                              id_column='SENTENCE_NAME')
        rejects += bad
        records[split] = [
            make_record(
                dataset=DATASET,
                language=LANGUAGE,
                split=split,
                id=row['SENTENCE_NAME'],
                signer=None,
                gloss='',
                text=row['SENTENCE'],
                video=row['SENTENCE_NAME'],
                num_frames=None) for _, row in rows
        ]
    return Annotations(records, rejects)

