"""NMFs-CSL (Hu et al., ACM TOMM 2021; USTC): 1,067 Chinese Sign Language
words, many told apart only by non-manual features (face, mouth), with
25,608 training and 6,402 test videos.

Supported layout: UCF101-style lists, as USTC's public code reads them
(MASA's ``feeder/single_dataset/NMFs_CSL.py``; not checked against the
release itself)::

    ann_dir/
      traintestlist/trainlist01.txt  # '<class>/<video>[.ext] [label]' a line
      traintestlist/testlist01.txt
      gloss_label.txt                # line i + 1: the gloss of class i

The class folder is the 0-based label; a label column, where a list has
one, must agree with it. ``gloss_label.txt`` is not known to ship with the
release: write it from the dataset's word list. The lists name no signers,
so ``signer`` is ``None``. The "Confusing" and "Normal" class subsets are a
config input (configs/islr/nmfs_csl.py).
"""
import os.path as osp
from typing import Dict, Optional, Sequence

from .annotation_loader import annotation_loader
from .base import SPLITS, Annotations, check_splits, make_reject
from .isolated import class_folder_label, make_sign_record, \
    read_gloss_list, strip_extension

DATASET = 'nmfs-csl'
LANGUAGE = 'zh'
# two recording setups of different frame sizes (not checked against the
# release): store the size in the pose files
VIDEO_INFO = dict(width=None, height=None, fps=None)
GLOSS_FILE = 'gloss_label.txt'
SPLIT_FILES = dict(
    train='traintestlist/trainlist01.txt', test='traintestlist/testlist01.txt')
NUM_CLASSES = 1067


@annotation_loader(DATASET, VIDEO_INFO)
def load_nmfs_csl(ann_dir: str,
                  splits: Sequence[str] = SPLITS,
                  templates: Optional[Dict[str, str]] = None) -> Annotations:
    """Records of the train and test lists in ``ann_dir``; NMFs-CSL has no
    dev split, so ``'dev'`` gets no records."""
    check_splits(splits)
    glosses = read_gloss_list(osp.join(ann_dir, GLOSS_FILE), NUM_CLASSES)
    records, rejects, first_seen = {}, [], {}
    for split in splits:
        records[split] = []
        if split not in SPLIT_FILES:
            continue
        path = osp.join(ann_dir, SPLIT_FILES[split])
        with open(path, encoding='utf-8-sig') as f:
            lines = f.read().splitlines()
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            fields = line.split()
            video = strip_extension(fields[0])
            problem = _line_problem(fields, video, len(glosses))
            if problem is None and video in first_seen:
                problem = f'duplicate video {video!r}, first seen in ' \
                          f'{first_seen[video]}'
            if problem is not None:
                rejects.append(
                    make_reject(
                        problem, id=video, split=split, file=path,
                        line=number))
                continue
            first_seen[video] = f'{path}, line {number}'
            label = class_folder_label(video)
            records[split].append(
                make_sign_record(
                    dataset=DATASET,
                    language=LANGUAGE,
                    split=split,
                    id=video,
                    signer=None,
                    label=label,
                    gloss=glosses[label],
                    video=video,
                    templates=templates))
    return Annotations(records, rejects)


def _line_problem(fields, video: str, num_classes: int) -> Optional[str]:
    if len(fields) > 2:
        return (f'has {len(fields)} fields, expected <class>/<video> and '
                'an optional label')
    label = class_folder_label(video)
    if label is None or label >= num_classes:
        return (f'folder of {video!r} is not a class index 0 to '
                f'{num_classes - 1}')
    if len(fields) == 2 and not (fields[1].isdigit()
                                 and int(fields[1]) == label):
        return f'label is {fields[1]!r}, but the folder says {label}'
    return None
