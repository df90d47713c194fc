"""Convert BOBSL (BBC-Oxford British Sign Language) into one sign corpus per
split: each subtitle cue of an episode becomes a sign-text pair cut from the
episode's pose sequence by the cue's times.

    python tools/data/bobsl/convert.py /data/bobsl data/poses/bobsl \
        data/bobsl --subtitles manually-aligned --pose-format npz

Why not tools/data/convert_sign_dataset.py: a BOBSL episode is one pose
file of about an hour holding hundreds of cues, read once and sliced per
cue (slp_mm/preparation/bobsl_conversion.py).

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
is, so an interrupted run can simply be started again. A run that rejects
every input of a split exits with status 1.
"""
import argparse
import sys
from typing import Optional, Sequence

from slp_mm.preparation.bobsl_conversion import convert_bobsl
from slp_mm.preparation.converters import SPLITS, bobsl
from slp_mm.preparation.registered import registered_names
from slp_mm.registry import POSE_FORMATS
from slp_mm.utils.cli_errors import HelpFormatter


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0].replace('\n', ' '),
        formatter_class=HelpFormatter)
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
        '--pose-format',
        choices=registered_names(POSE_FORMATS),
        default='npz',
        help='format of the pose files (default: npz)')
    parser.add_argument(
        '--splits',
        nargs='+',
        choices=SPLITS,
        default=list(SPLITS),
        help='splits to convert (default: all)')
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


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    try:
        convert_bobsl(
            args.release_dir, args.pose_dir, args.out_dir, args.subtitles,
            args.split_file, args.pose_format, args.splits,
            args.min_duration, args.max_duration, args.padding, args.shift,
            args.signers,
            dict(width=args.width, height=args.height, fps=args.fps))
    except ValueError as e:
        sys.exit(str(e))


if __name__ == '__main__':
    main()
