"""Convert a registered source dataset (its annotation files and one pose
file per video) into one sign corpus per split."""
from functools import partial
from typing import Callable, Dict, Optional, Sequence

from .converters import SPLITS, get_annotation_loader, make_reject
from .pose_readers import find_pose_file, get_pose_format
from .split_conversion import check_folders, convert_splits, merge_video_info


def convert_dataset(dataset: str,
                    ann_dir: str,
                    pose_dir: str,
                    out_dir: str,
                    pose_format: str = 'npz',
                    splits: Sequence[str] = SPLITS,
                    video_info: Optional[dict] = None) -> Dict[str, dict]:
    """Write OUT_DIR/<split>/ (a corpus and its rejects.json) for each split.

    The pose file of a video is POSE_DIR/<split>/<video>.<ext> or
    POSE_DIR/<video>.<ext>, <video> being the video named by the
    annotation.

    Args:
        dataset (str): A name registered in ``ANNOTATION_LOADERS``.
        ann_dir (str): The folder of the annotation files.
        pose_dir (str): The folder of the per-video pose files.
        out_dir (str): The output folder, one corpus per split.
        pose_format (str): A name registered in ``POSE_FORMATS``.
        splits (Sequence[str]): The splits to convert.
        video_info (dict, optional): Video ``width``, ``height`` and
            ``fps`` overriding the dataset's (``None`` values are ignored).

    Returns:
        dict: Split -> manifest of each split converted by this call.

    Raises:
        ValueError: A folder is missing, the video size or fps is unknown
            for a format that does not store it, an annotation file cannot
            be read, or every input of a split was rejected.
    """
    load = get_annotation_loader(dataset)
    read = get_pose_format(pose_format)
    check_folders(ann_dir, pose_dir)
    info = merge_video_info(load.video_info, video_info)
    unknown = [key for key, value in info.items() if value is None]
    if unknown and not read.stores_video_info:
        raise ValueError(
            f'{dataset} videos differ in {"/".join(unknown)}: pass '
            f'{" ".join("--" + key for key in unknown)} or use a pose '
            'format that stores them (npz, pose)')
    try:
        annotations = load(ann_dir, splits)
    except (OSError, ValueError) as e:  # a missing or foreign file
        raise ValueError(f'Cannot read the {dataset} annotation: {e}') from e
    # a row whose split is unknown may belong to any split
    inputs = {
        split: (annotations.records[split], [
            r for r in annotations.rejects if r['split'] in (split, None)
        ])
        for split in splits
    }
    return convert_splits(out_dir, inputs,
                          partial(read_record, pose_dir, read, info))


def read_record(pose_dir: str, read: Callable, video_info: dict, split: str,
                record: dict) -> tuple:
    """The sample of an annotation record with its video's pose, or its
    reject (``missing_pose``, ``unreadable_pose``); see
    :func:`~.split_conversion.convert_split`."""
    where = dict(id=record['id'], split=split)
    path, tried = find_pose_file(pose_dir, split, record['video'],
                                 read.extensions)
    if path is None:
        return [], [make_reject(f'no pose file; tried {tried}',
                                stage='missing_pose', **where)], None
    try:
        pose = read(path, **video_info)
    except (OSError, ValueError) as e:
        return [], [make_reject(str(e), stage='unreadable_pose', file=path,
                                **where)], path
    sample = dict(
        id=record['id'],
        text=record['text'],
        language=record['language'],
        gloss=record['gloss'],
        label=record.get('label'),  # isolated signs only
        dataset=record['dataset'],
        signer=record['signer'],
        **pose)
    return [sample], [], path
