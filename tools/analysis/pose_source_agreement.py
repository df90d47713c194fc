"""Print how closely two pose files of the same clip agree, per body region
(median and 95th percentile pixel distance), as a Markdown table.

    python tools/analysis/pose_source_agreement.py \
        ../shared/data/slp-pose-wholebody133/FOOTBALL.mmposewholebody.pose \
        ../shared/data/slp-pose-wholebody133/FOOTBALL.mediapipe-holistic.pose

Both files are read into COCO-WholeBody 133 (any supported layout); joints
either estimator scores below --min-score are left out.
"""
import argparse
from typing import Optional, Sequence

from slp_mm.preparation.pose_readers import read_pose_file
from slp_mm.preparation.pose_readers.pose_source_agreement import \
    pose_source_agreement
from slp_mm.utils.cli_errors import HelpFormatter


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0].replace('\n', ' '),
        formatter_class=HelpFormatter)
    parser.add_argument('reference', help='.pose file taken as reference')
    parser.add_argument('other', help='.pose file of the same clip')
    parser.add_argument(
        '--min-score',
        type=float,
        default=0.5,
        help='lowest score of a compared joint (default: 0.5)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    agreement = pose_source_agreement(
        read_pose_file(args.reference), read_pose_file(args.other),
        min_score=args.min_score)
    print('| region | joints compared | median px | p95 px |')
    print('|---|---|---|---|')
    for region, row in agreement.items():
        print(f'| {region} | {row["count"]} | {row["median"]:.1f} | '
              f'{row["p95"]:.1f} |')


if __name__ == '__main__':
    main()
