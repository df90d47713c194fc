"""Convert BOBSL (BBC-Oxford British Sign Language) into one sign corpus per
split: each subtitle cue of an episode becomes a sign-text pair cut from the
episode's pose sequence by the cue's times.

    python tools/data/bobsl/convert.py /data/bobsl data/poses/bobsl \
        data/bobsl --subtitles manually-aligned --pose-format npz

Why not tools/data/convert_sign_dataset.py: its annotation loaders return
one record per pose file, and it reads that whole file for each record.
A BOBSL episode is one pose file of about an hour holding hundreds of cues,
so here each episode is read once and sliced per cue.

RELEASE_DIR holds ``subset2episode.json`` (or pass --split-file) and
``subtitles/<kind>/<episode>.vtt`` (see
slp_mm/preparation/converters/bobsl.py).
The poses released with BOBSL are OpenPose (137 points, one .tar of
per-frame JSON files per episode): read them as they are with
``--pose-format openpose-json`` (mapped onto COCO-WholeBody 133, the two
pupils, neck and mid-hip dropped), or estimate whole-body poses per episode
(tools/data/extract_pose.py) and store them as
POSE_DIR/<split>/<episode>.<ext> or POSE_DIR/<episode>.<ext> in any pose
format of convert_sign_dataset.py.

Only 55 episodes have subtitles aligned to the signing by hand. To train on
all episodes, convert the training split from the audio-aligned subtitles,
shifted as Bull et al. (ICCV 2021) do (signing lags the audio by about
2.7 s), and evaluate on the manually aligned ones:

    python tools/data/bobsl/convert.py ... --splits train \
        --subtitles audio-aligned-heuristic-correction --shift 2.7
    python tools/data/bobsl/convert.py ... --splits dev test

Each split is written to OUT_DIR/<split>/ with OUT_DIR/<split>/rejects.json,
which lists every dropped cue (and every episode without a subtitle file)
and why. A split whose corpus is complete (corpus.json written) is kept as
is, so an interrupted run can simply be started again.
"""
import argparse
import glob
import os
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence, Tuple

from tqdm import tqdm

from slp_mm.corpus.sign_corpus import MANIFEST, SignCorpusWriter
from slp_mm.preparation.converters import (REJECTS, SPLITS, bobsl, make_reject,
                                           write_rejects)
from slp_mm.preparation.converters.isolated import read_json
from slp_mm.preparation.pose_readers import POSE_FORMATS, find_pose_file


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0].replace('\n', ' '))
    parser.add_argument('release_dir', help='the BOBSL release folder')
    parser.add_argument('pose_dir', help='folder of the per-episode poses')
    parser.add_argument('out_dir', help='output folder, one corpus per split')
    parser.add_argument(
        '--subtitles',
        choices=bobsl.SUBTITLE_KINDS,
        default='manually-aligned',
        help='which subtitles cut the episodes')
    parser.add_argument(
        '--split-file',
        help=f'episodes per split (default: RELEASE_DIR/{bobsl.SPLIT_FILE})')
    parser.add_argument(
        '--pose-format', choices=sorted(POSE_FORMATS), default='npz')
    parser.add_argument(
        '--splits', nargs='+', choices=SPLITS, default=list(SPLITS))
    parser.add_argument(
        '--min-duration',
        type=float,
        help='drop cues shorter than this many seconds')
    parser.add_argument(
        '--max-duration',
        type=float,
        help='drop cues longer than this many seconds')
    parser.add_argument(
        '--padding',
        type=float,
        default=0.0,
        help='seconds of pose kept before and after each cue')
    parser.add_argument(
        '--shift',
        type=float,
        default=0.0,
        help='seconds added to every cue time before cutting')
    parser.add_argument(
        '--signers',
        help='JSON file mapping episode names to signer ids (the release '
        'names none per episode)')
    for key in ('width', 'height', 'fps'):
        parser.add_argument(
            f'--{key}',
            type=float,
            help=f'video {key} where the pose files do not store it '
            f'(default: {bobsl.VIDEO_INFO[key]:g})')
    return parser.parse_args(argv)


def convert_split(split: str, episodes: List[str], args: argparse.Namespace,
                  video_info: dict,
                  signers: Dict[str, str]) -> Tuple[dict, List[dict]]:
    """Write one split's corpus and its rejects.json; returns the corpus
    manifest and the rejects."""
    out = osp.join(args.out_dir, split)
    extensions, read = POSE_FORMATS[args.pose_format]
    for stale in glob.glob(osp.join(out, 'shard-*.arrow')):
        os.remove(stale)  # left by an interrupted run
    writer = SignCorpusWriter(out, on_invalid='skip', split=split)
    rejects = []
    for episode in tqdm(episodes, desc=split, unit='episode'):
        vtt = bobsl.subtitle_file(args.release_dir, args.subtitles, episode)
        if not osp.isfile(vtt):
            rejects.append(
                make_reject(
                    f'episode has no {args.subtitles} subtitle file',
                    id=episode,
                    split=split,
                    file=vtt))
            continue
        try:
            cues = bobsl.read_vtt(vtt)
        except (OSError, ValueError) as e:
            rejects.append(
                make_reject(str(e), id=episode, split=split, file=vtt))
            continue
        cues, bad = bobsl.select_cues(episode, split, cues,
                                      args.min_duration, args.max_duration,
                                      vtt)
        rejects += bad
        if not cues:
            continue
        path, tried = find_pose_file(args.pose_dir, split, episode,
                                     extensions)
        stage, problem = 'missing_pose', f'no pose file; tried {tried}'
        if path is not None:
            try:  # the whole episode, once
                pose = read(path, **video_info)
                problem = None
            except (OSError, ValueError) as e:
                stage, problem = 'unreadable_pose', str(e)
        if problem is not None:
            rejects += [
                make_reject(
                    problem,
                    stage=stage,
                    id=bobsl.cue_id(episode, cue.index),
                    split=split,
                    file=path) for cue in cues
            ]
            continue
        samples, bad = bobsl.cut_episode(episode, split, cues, pose,
                                         args.padding, args.shift,
                                         signers.get(episode), path)
        rejects += bad
        for sample in samples:
            if not writer.write(sample):
                rejects.append(
                    make_reject(
                        writer.skipped[-1],
                        stage='invalid_sample',
                        id=sample['id'],
                        split=split,
                        file=path))
    write_rejects(out, rejects)
    return writer.close(), rejects  # corpus.json last: the split is complete


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    for path in (args.release_dir, args.pose_dir):
        if not osp.isdir(path):
            sys.exit(f'{path} is not a folder')
    video_info = {
        key: value if getattr(args, key) is None else getattr(args, key)
        for key, value in bobsl.VIDEO_INFO.items()
    }
    split_file = args.split_file or osp.join(args.release_dir,
                                             bobsl.SPLIT_FILE)
    try:
        episodes = bobsl.load_episode_splits(split_file, args.splits)
        signers = {}
        if args.signers:
            signers = read_json(args.signers, dict,
                                'episode names to signer ids')
    except (OSError, ValueError) as e:  # a missing or foreign file
        sys.exit(f'Cannot read the BOBSL metadata: {e}')
    for split in args.splits:
        out = osp.join(args.out_dir, split)
        if osp.isfile(osp.join(out, MANIFEST)):
            print(f'{split}: {out} is complete, skipped (delete it to '
                  'rebuild)')
            continue
        manifest, rejects = convert_split(split, episodes[split], args,
                                          video_info, signers)
        print(f'{split}: {manifest["num_samples"]} samples from '
              f'{len(episodes[split])} episodes -> {out}, {len(rejects)} '
              f'cues or episodes rejected (see {osp.join(out, REJECTS)})')


if __name__ == '__main__':
    main()
