"""MS-ASL (Joze and Koller, BMVC 2019): 1,000 American Sign Language words
in YouTube clips, signer-independent splits of 16,054 / 5,287 / 4,172
clips (train / val / test) in ``MSASL_{train,val,test}.json``, class names
in ``MSASL_classes.json``.

A clip's ``label`` indexes ``MSASL_classes.json`` and the benchmark subsets
MS-ASL100/200/500 are the clips with ``label < N`` (the subset files that
openhands ships equal this filter, checked in
tests/test_preparation/test_isolated_converters.py). The official ``val``
split is this toolkit's ``dev``.

The clips have no official id, so a clip is named by its position in its
split file, ``msasl_<split>_<index:05d>`` (``msasl_val_00012`` is entry 12
of ``MSASL_val.json``): that is the record's id and the name of its pose
file, which must cover the clip's ``start_time..end_time`` alone.
"""
import os.path as osp
from functools import partial
from typing import Dict, Optional, Sequence

from .annotation_loader import annotation_loader
from .base import SPLITS, Annotations, check_splits, make_reject
from .isolated import OFFICIAL_SPLITS, entry_problem, make_sign_record, \
    read_json

DATASET = 'msasl'
LANGUAGE = 'en'
# YouTube clips of many sizes and frame rates: the pose files store theirs
VIDEO_INFO = dict(width=None, height=None, fps=None)
CLASSES_FILE = 'MSASL_classes.json'
SPLIT_FILE = 'MSASL_{split}.json'
ENTRY_FIELDS = dict(label=int, signer_id=int)
SUBSETS = (100, 200, 500, 1000)


def load_msasl(ann_dir: str,
               splits: Sequence[str] = SPLITS,
               num_classes: Optional[int] = None,
               templates: Optional[Dict[str, str]] = None) -> Annotations:
    """Records of the MS-ASL split files in ``ann_dir``.

    Args:
        num_classes (int, optional): Keep the clips with ``label <
            num_classes`` (the MS-ASL100/200/500/1000 subsets); all if not
            given.
        templates (dict, optional): Gloss templates (gloss_templates.py).

    A clip whose ``text`` (its class name) differs from
    ``MSASL_classes.json`` is rejected: the class list is not the one the
    labels index.
    """
    check_splits(splits)
    classes_path = osp.join(ann_dir, CLASSES_FILE)
    classes = read_json(classes_path, list, 'class names')
    bad = [
        i for i, c in enumerate(classes)
        if not (isinstance(c, str) and c.strip())
    ]
    if bad:
        raise ValueError(f'{classes_path}: entry {bad[0]} is '
                         f'{classes[bad[0]]!r}, expected a class name')
    if num_classes is not None and len(classes) < num_classes:
        raise ValueError(f'{classes_path}: has {len(classes)} classes, '
                         f'expected at least {num_classes}')
    keep = len(classes) if num_classes is None else num_classes
    official_names = {v: k for k, v in OFFICIAL_SPLITS.items()}
    records, rejects = {}, []
    for split in splits:
        official = official_names[split]
        path = osp.join(ann_dir, SPLIT_FILE.format(split=official))
        records[split] = []
        for index, entry in enumerate(read_json(path, list, 'clips')):
            clip = f'{DATASET}_{official}_{index:05d}'
            problem = _entry_problem(entry, classes)
            if problem is not None:
                rejects.append(
                    make_reject(
                        f'entry {index}: {problem}',
                        id=clip,
                        split=split,
                        file=path))
            elif entry['label'] < keep:
                records[split].append(
                    make_sign_record(
                        dataset=DATASET,
                        language=LANGUAGE,
                        split=split,
                        id=clip,
                        signer=str(entry['signer_id']),
                        label=entry['label'],
                        gloss=classes[entry['label']],
                        video=clip,
                        templates=templates))
    return Annotations(records, rejects)


def _entry_problem(entry, classes) -> Optional[str]:
    problem = entry_problem(entry, ENTRY_FIELDS)
    if problem is not None:
        return problem
    label = entry['label']
    if not 0 <= label < len(classes):
        return (f"field 'label' is {label}, expected 0 to "
                f'{len(classes) - 1} ({CLASSES_FILE} has {len(classes)})')
    if 'text' in entry and entry['text'] != classes[label]:
        return (f"field 'text' is {entry['text']!r}, but {CLASSES_FILE} "
                f'names class {label} {classes[label]!r}')
    return None


# 'msasl100' ... 'msasl1000': the loader of each subset
for num_classes in SUBSETS:
    annotation_loader(f'{DATASET}{num_classes}', VIDEO_INFO)(
        partial(load_msasl, num_classes=num_classes))
