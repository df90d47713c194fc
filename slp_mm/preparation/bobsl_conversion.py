"""Convert BOBSL into one sign corpus per split: each subtitle cue of an
episode becomes a sign-text pair cut from the episode's pose sequence.

Not :func:`~.dataset_conversion.convert_dataset`: its annotation loaders
give one record per pose file, and it reads that whole file per record. A
BOBSL episode is one pose file of about an hour holding hundreds of cues,
so here each episode is read once and sliced per cue.
"""
import os.path as osp
from functools import partial
from typing import Callable, Dict, Optional, Sequence

from .converters import SPLITS, bobsl, make_reject
from .converters.isolated import read_json
from .pose_readers import find_pose_file, get_pose_format
from .split_conversion import check_folders, convert_splits, merge_video_info


def convert_bobsl(release_dir: str,
                  pose_dir: str,
                  out_dir: str,
                  subtitles: str = 'manually-aligned',
                  split_file: Optional[str] = None,
                  pose_format: str = 'npz',
                  splits: Sequence[str] = SPLITS,
                  min_duration: Optional[float] = None,
                  max_duration: Optional[float] = None,
                  padding: float = 0.0,
                  shift: float = 0.0,
                  signers_file: Optional[str] = None,
                  video_info: Optional[dict] = None) -> Dict[str, dict]:
    """Write OUT_DIR/<split>/ (a corpus and its rejects.json) for each split.

    Args:
        release_dir (str): The BOBSL release folder, holding
            ``subtitles/<kind>/<episode>.vtt``.
        pose_dir (str): Poses as POSE_DIR/[<split>/]<episode>.<ext>.
        out_dir (str): The output folder, one corpus per split.
        subtitles (str): Which subtitles cut the episodes
            (``bobsl.SUBTITLE_KINDS``).
        split_file (str, optional): Episodes per split (default:
            RELEASE_DIR/subset2episode.json).
        pose_format (str): A name registered in ``POSE_FORMATS``.
        splits (Sequence[str]): The splits to convert.
        min_duration, max_duration (float, optional): Cue durations kept,
            in seconds.
        padding (float): Seconds of pose kept before and after each cue.
        shift (float): Seconds added to every cue time before cutting.
        signers_file (str, optional): JSON mapping episodes to signer ids.
        video_info (dict, optional): Video ``width``, ``height`` and
            ``fps`` overriding BOBSL's (``None`` values are ignored).

    Returns:
        dict: Split -> manifest of each split converted by this call.

    Raises:
        ValueError: A folder or metadata file is missing or unreadable, or
            every input of a split was rejected.
    """
    read = get_pose_format(pose_format)
    check_folders(release_dir, pose_dir)
    info = merge_video_info(bobsl.VIDEO_INFO, video_info)
    split_file = split_file or osp.join(release_dir, bobsl.SPLIT_FILE)
    try:
        episodes = bobsl.load_episode_splits(split_file, splits)
        signers = {}
        if signers_file:
            signers = read_json(signers_file, dict,
                                'episode names to signer ids')
    except (OSError, ValueError) as e:  # a missing or foreign file
        raise ValueError(f'Cannot read the BOBSL metadata: {e}') from e
    read_episode = partial(
        read_episode_cues, release_dir, subtitles, pose_dir, read, info,
        dict(min_duration=min_duration, max_duration=max_duration,
             padding=padding, shift=shift), signers)
    return convert_splits(out_dir,
                          {split: (episodes[split], []) for split in splits},
                          read_episode, unit='episode')


def read_episode_cues(release_dir: str, subtitles: str, pose_dir: str,
                      read: Callable, video_info: dict, cutting: dict,
                      signers: Dict[str, str], split: str,
                      episode: str) -> tuple:
    """The samples cut from one episode by its subtitle cues, the rejected
    cues (or the episode) and the pose file; see
    :func:`~.split_conversion.convert_split`."""
    vtt = bobsl.subtitle_file(release_dir, subtitles, episode)
    if not osp.isfile(vtt):
        return [], [make_reject(f'episode has no {subtitles} subtitle file',
                                id=episode, split=split, file=vtt)], None
    try:
        cues = bobsl.read_vtt(vtt)
    except (OSError, ValueError) as e:
        return [], [make_reject(str(e), id=episode, split=split,
                                file=vtt)], None
    cues, rejects = bobsl.select_cues(episode, split, cues,
                                      cutting['min_duration'],
                                      cutting['max_duration'], vtt)
    if not cues:
        return [], rejects, None
    path, tried = find_pose_file(pose_dir, split, episode, read.extensions)
    stage, problem = 'missing_pose', f'no pose file; tried {tried}'
    if path is not None:
        try:  # the whole episode, once
            pose = read(path, **video_info)
            problem = None
        except (OSError, ValueError) as e:
            stage, problem = 'unreadable_pose', str(e)
    if problem is not None:
        return [], rejects + [
            make_reject(problem, stage=stage,
                        id=bobsl.cue_id(episode, cue.index), split=split,
                        file=path) for cue in cues
        ], path
    samples, bad = bobsl.cut_episode(episode, split, cues, pose,
                                     cutting['padding'], cutting['shift'],
                                     signers.get(episode), path)
    return samples, rejects + bad, path
