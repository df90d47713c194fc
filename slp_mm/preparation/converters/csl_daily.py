"""CSL-Daily (Zhou et al., CVPR 2021): daily-life Chinese Sign Language with
glosses and a Chinese translation, all splits in one annotation file."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from .annotation_loader import annotation_loader
from .base import SPLITS, Annotations, check_splits, make_record, \
    make_reject, parse_frame_count, read_rows
from .gloss_characters import CJK_GLOSS_CHARS, gloss_problem

DATASET = 'csl-daily'
LANGUAGE = 'zh'
# the released sentence-crop videos: 512x512 at 30 fps
VIDEO_INFO = dict(width=512.0, height=512.0, fps=30.0)
CORPUS_FILE = 'csl-daily.corpus.csv'
SPLIT_FILE = 'split_1.txt'
COLUMNS = ('name', 'split', 'signer', 'num_frames', 'gloss', 'text')
REQUIRED = ('name', 'split', 'signer', 'gloss', 'text')


def _read_official_split(path: str) -> Tuple[Dict[str, str], List[dict]]:
    """name -> split from the official ``split_1.txt``; ``({}, [])`` if it
    is absent (the corpus file's own ``split`` column is then used)."""
    if not osp.isfile(path):
        return {}, []
    rows, rejects = read_rows(path, ('name', 'split'), ('name', 'split'))
    official = {}
    for number, row in rows:
        if row['split'] in SPLITS:
            official[row['name']] = row['split']
        else:
            rejects.append(
                make_reject(
                    f"field 'split' is {row['split']!r}, expected one of "
                    f'{list(SPLITS)}',
                    id=row['name'],
                    file=path,
                    line=number))
    return official, rejects


@annotation_loader(DATASET, VIDEO_INFO)
def load_csl_daily(ann_dir: str,
                   splits: Sequence[str] = SPLITS) -> Annotations:
    """Records of ``csl-daily.corpus.csv`` in ``ann_dir``, split as the
    official ``split_1.txt`` says.

    A row whose ``split`` column disagrees with ``split_1.txt``, or that
    ``split_1.txt`` does not list, is rejected: its split is unknown.
    Rejects are assigned the row's official split where it has one. A gloss
    with unknown characters (see ``gloss_characters.py``) is rejected.
    """
    check_splits(splits)
    official, rejects = _read_official_split(osp.join(ann_dir, SPLIT_FILE))
    path = osp.join(ann_dir, CORPUS_FILE)
    rows, bad = read_rows(path, COLUMNS, REQUIRED)
    for reject in bad:
        reject['split'] = official.get(reject['id'])
    rejects += bad
    records = {split: [] for split in splits}
    for number, row in rows:
        split = official.get(row['name'], row['split'])
        problem = _row_problem(row, split, official)
        if problem is not None:
            rejects.append(
                make_reject(
                    problem,
                    id=row['name'],
                    split=split if split in SPLITS else None,
                    file=path,
                    line=number))
        elif split in records:
            records[split].append(
                make_record(
                    dataset=DATASET,
                    language=LANGUAGE,
                    split=split,
                    id=row['name'],
                    signer=row['signer'],
                    gloss=row['gloss'],
                    text=row['text'],
                    video=row['name'],
                    num_frames=parse_frame_count(row['num_frames'])))
    return Annotations(records, rejects)


def _row_problem(row: dict, split: str,
                 official: Dict[str, str]) -> Optional[str]:
    if official and row['name'] not in official:
        return f'is not listed in {SPLIT_FILE}'
    if row['split'] != split:
        return (f"field 'split' is {row['split']!r}, but {SPLIT_FILE} says "
                f'{split!r}')
    if split not in SPLITS:
        return f"field 'split' is {split!r}, expected one of {list(SPLITS)}"
    if row['num_frames'] and parse_frame_count(row['num_frames']) is None:
        return (f"field 'num_frames' is {row['num_frames']!r}, expected a "
                'positive integer')
    return gloss_problem(row['gloss'], 'gloss', CJK_GLOSS_CHARS)
