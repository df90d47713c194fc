"""WLASL (Li et al., WACV 2020): American Sign Language words signed in web
videos by over 100 signers, annotated in ``WLASL_v0.3.json`` (2,000 glosses,
21,083 videos).

The file is a list of glosses, each with its ``instances`` (videos). The
class ``label`` of a gloss is its position in the file, and the benchmark
subsets WLASL100/300/1000 are the first 100/300/1000 glosses: the official
``asl100.json`` ... ``asl2000.json`` are exactly these prefixes (checked in
tests/test_preparation/test_isolated_converters.py), so WLASL100 keeps the
labels 0-99 of WLASL2000. The official ``val`` split is this toolkit's
``dev``.

The pose file of an instance is named by its ``video_id`` and must cover
the instance alone, as the clips ``videos/<video_id>.mp4`` that the
official start kit's ``preprocess.py`` cuts to ``frame_start..frame_end``.
"""
import os.path as osp
from functools import partial
from typing import Dict, Optional, Sequence

from .annotation_loader import annotation_loader
from .base import SPLITS, Annotations, check_splits, make_reject
from .isolated import OFFICIAL_SPLITS, entry_problem, make_sign_record, \
    read_json

DATASET = 'wlasl'
LANGUAGE = 'en'
# web videos of many sizes (the pose files must store theirs), all 25 fps
VIDEO_INFO = dict(width=None, height=None, fps=25.0)
ANNOTATION_FILE = 'WLASL_v0.3.json'
GLOSS_FIELDS = dict(gloss=str, instances=list)
INSTANCE_FIELDS = dict(video_id=str, split=str, signer_id=int)
SUBSETS = (100, 300, 1000, 2000)


def load_wlasl(ann_dir: str,
               splits: Sequence[str] = SPLITS,
               num_classes: Optional[int] = None,
               templates: Optional[Dict[str, str]] = None) -> Annotations:
    """Records of ``WLASL_v0.3.json`` in ``ann_dir``.

    Args:
        num_classes (int, optional): Keep the first ``num_classes`` glosses
            (the WLASL100/300/1000/2000 subsets); all if not given.
        templates (dict, optional): Gloss templates (gloss_templates.py).

    A rejected gloss entry keeps its place: the labels after it do not
    shift.
    """
    check_splits(splits)
    path = osp.join(ann_dir, ANNOTATION_FILE)
    glosses = read_json(path, list, 'gloss entries')
    if num_classes is not None and len(glosses) < num_classes:
        raise ValueError(f'{path}: has {len(glosses)} gloss entries, '
                         f'expected at least {num_classes}')
    records = {split: [] for split in splits}
    rejects, first_seen = [], {}
    for label, entry in enumerate(glosses[:num_classes]):
        problem = entry_problem(entry, GLOSS_FIELDS)
        if problem is not None:
            rejects.append(
                make_reject(f'gloss entry {label}: {problem}', file=path))
            continue
        for index, instance in enumerate(entry['instances']):
            where = f'gloss entry {label} ({entry["gloss"]!r}), instance ' \
                    f'{index}'
            problem = entry_problem(instance, INSTANCE_FIELDS)
            official = instance.get('split') \
                if isinstance(instance, dict) else None
            split = OFFICIAL_SPLITS.get(official) \
                if isinstance(official, str) else None
            video_id = instance.get('video_id') \
                if isinstance(instance, dict) else None
            if problem is None and split is None:
                problem = (f'field \'split\' is {official!r}, expected one '
                           f'of {list(OFFICIAL_SPLITS)}')
            if problem is None and video_id in first_seen:
                problem = (f'duplicate video_id {video_id!r}, first seen in '
                           f'{first_seen[video_id]}')
            if problem is not None:
                rejects.append(
                    make_reject(
                        f'{where}: {problem}',
                        id=video_id if isinstance(video_id, str) else None,
                        split=split,
                        file=path))
                continue
            first_seen[video_id] = where
            if split in records:
                records[split].append(
                    make_sign_record(
                        dataset=DATASET,
                        language=LANGUAGE,
                        split=split,
                        id=video_id,
                        signer=str(instance['signer_id']),
                        label=label,
                        gloss=entry['gloss'],
                        video=video_id,
                        templates=templates))
    return Annotations(records, rejects)


# 'wlasl100' ... 'wlasl2000': the loader of each subset
for num_classes in SUBSETS:
    annotation_loader(f'{DATASET}{num_classes}', VIDEO_INFO)(
        partial(load_wlasl, num_classes=num_classes))
