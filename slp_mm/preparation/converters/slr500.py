"""SLR500, the isolated part of USTC's CSL (Huang et al., TCSVT 2019): 500
Chinese Sign Language words, each signed 5 times by 50 signers (125,000
videos) in the lab.

The annotation is the folder structure. Supported layout::

    ann_dir/
      gloss_label.txt             # line i + 1: the gloss of class i
      000000/P01_01_00_0_color.avi
      ...                         # one folder per class, named by its
      000499/P50_25_19_4_color.avi  # 0-based label (any zero padding)

A video name starts with ``P<signer>_<a>_<b>_<repetition>``, and the
release's readme gives the label as ``(a - 1) * 20 + b``, which must equal
the folder's. ``gloss_label.txt`` is the class list openhands ships with
that readme (``openhands/datasets/assets/csl_metadata/CSL``).

Split by signer: P01-P36 train, P37-P50 test (90,000 / 35,000 videos).
The readme writes it as "train set: signer ID [0, 1, ..., 34, 35], test
set: signer ID [36, 37, ..., 48, 49]", 0-based ids of the 50 signers
P01-P50, and USTC's later papers report these sizes (e.g. MASA by Zhao et
al.). openhands' ``split.{train,test}.csv`` read the ids as P numbers
instead and put P36 in the test set (87,445 / 37,500 videos listed).
"""
import os
import os.path as osp
import re
from typing import Dict, Iterable, List, Optional, Sequence

from .annotation_loader import annotation_loader
from .base import SPLITS, Annotations, check_splits, make_reject
from .isolated import class_folder_label, make_sign_record, \
    read_gloss_list, strip_extension

DATASET = 'slr500'
LANGUAGE = 'zh'
# not checked against the release: give the size and fps on the command
# line or store them in the pose files
VIDEO_INFO = dict(width=None, height=None, fps=None)
GLOSS_FILE = 'gloss_label.txt'
NUM_CLASSES = 500
NUM_SIGNERS = 50
LAST_TRAIN_SIGNER = 36  # P36
NAME = re.compile(r'P(\d+)_(\d+)_(\d+)_(\d+)')


@annotation_loader(DATASET, VIDEO_INFO)
def load_slr500(ann_dir: str,
                splits: Sequence[str] = SPLITS,
                templates: Optional[Dict[str, str]] = None) -> Annotations:
    """Records of the class folders in ``ann_dir`` (hidden files are
    ignored); SLR500 has no dev split, so ``'dev'`` gets no records."""
    glosses = read_gloss_list(osp.join(ann_dir, GLOSS_FILE), NUM_CLASSES)
    videos = sorted(
        f'{folder}/{name}' for folder in os.listdir(ann_dir)
        if not folder.startswith('.') and osp.isdir(osp.join(ann_dir, folder))
        for name in os.listdir(osp.join(ann_dir, folder))
        if not name.startswith('.'))
    return split_slr500_videos(videos, glosses, splits, templates, ann_dir)


def split_slr500_videos(videos: Iterable[str],
                        glosses: List[str],
                        splits: Sequence[str] = SPLITS,
                        templates: Optional[Dict[str, str]] = None,
                        root: str = '') -> Annotations:
    """Records of ``'<class folder>/<file>'`` video paths by the signer
    split; rejects name ``root/<path>``."""
    check_splits(splits)
    records = {split: [] for split in splits}
    rejects, first_seen = [], {}
    for path in videos:
        video = strip_extension(path)
        name = video.split('/')[-1]
        problem, split, signer = _video_problem(video, len(glosses))
        if problem is None and name in first_seen:
            problem = f'duplicate video {name!r}, first seen as ' \
                      f'{first_seen[name]!r}'
        if problem is not None:
            rejects.append(
                make_reject(
                    problem, id=name, split=split, file=osp.join(root, path)))
            continue
        first_seen[name] = path
        if split in records:
            label = class_folder_label(video)
            records[split].append(
                make_sign_record(
                    dataset=DATASET,
                    language=LANGUAGE,
                    split=split,
                    id=name,
                    signer=f'P{signer:02d}',
                    label=label,
                    gloss=glosses[label],
                    video=video,
                    templates=templates))
    return Annotations(records, rejects)


def _video_problem(video: str, num_classes: int):
    """``(problem or None, split, signer number)`` of a video path."""
    label = class_folder_label(video)
    if label is None or label >= num_classes:
        return (f'folder of {video!r} is not a class index 0 to '
                f'{num_classes - 1}', None, None)
    match = NAME.match(video.split('/')[-1])
    if match is None:
        return (f'name of {video!r} does not start with '
                'P<signer>_<a>_<b>_<repetition>', None, None)
    signer, a, b, _ = map(int, match.groups())
    split = 'train' if signer <= LAST_TRAIN_SIGNER else 'test'
    if not 1 <= signer <= NUM_SIGNERS:
        return (f'signer P{signer:02d} of {video!r} is not one of P01 to '
                f'P{NUM_SIGNERS}', None, signer)
    if (a - 1) * 20 + b != label:
        return (f'name of {video!r} gives label ({a} - 1) * 20 + {b} = '
                f'{(a - 1) * 20 + b}, but its folder says {label}', split,
                signer)
    return None, split, signer
