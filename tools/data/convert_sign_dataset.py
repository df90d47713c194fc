"""Convert a sign-language dataset (official annotation files and one pose
file per video) into one sign corpus per split.

    python tools/data/convert_sign_dataset.py phoenix2014t \
        ../shared/data/phoenix-2014t data/poses/phoenix2014t \
        data/phoenix2014t --pose-format mmpose-json

The pose file of a video is POSE_DIR/<split>/<video>.<ext> or
POSE_DIR/<video>.<ext>, <video> being the video folder named by the
annotation. Each split is written to OUT_DIR/<split>/ (docs/data_format.md)
with OUT_DIR/<split>/rejects.json, which lists every dropped row or sample
and why. A split whose corpus is complete (corpus.json written) is kept as
is, so an interrupted run can simply be started again.

Isolated-sign datasets (wlasl100 ... wlasl2000, msasl100 ... msasl1000,
slr500, nmfs-csl) also store each video's class label; each subset is its
own corpus. SLR500 and NMFs-CSL have no dev split: pass --splits train test.
"""
import argparse
import sys
from typing import Optional, Sequence

from slp_mm.preparation.converters import SPLITS
from slp_mm.preparation.dataset_conversion import convert_dataset
from slp_mm.preparation.registered import registered_names
from slp_mm.registry import ANNOTATION_LOADERS, POSE_FORMATS
from slp_mm.utils.cli_errors import HelpFormatter


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0].replace('\n', ' '),
        formatter_class=HelpFormatter)
    parser.add_argument(
        'dataset', choices=registered_names(ANNOTATION_LOADERS),
        help='the dataset whose annotations are read')
    parser.add_argument('ann_dir', help='folder of the annotation files')
    parser.add_argument('pose_dir', help='folder of the per-video pose files')
    parser.add_argument('out_dir', help='output folder, one corpus per split')
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
    for key in ('width', 'height', 'fps'):
        parser.add_argument(
            f'--{key}',
            type=float,
            help=f'video {key} where the pose files do not store it '
            '(default: the dataset\'s)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    try:
        convert_dataset(
            args.dataset, args.ann_dir, args.pose_dir, args.out_dir,
            args.pose_format, args.splits,
            dict(width=args.width, height=args.height, fps=args.fps))
    except ValueError as e:
        sys.exit(str(e))


if __name__ == '__main__':
    main()
