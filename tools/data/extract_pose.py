r"""Extract pose keypoints from every video under a folder into .pose files.

    python tools/data/extract_pose.py videos/ poses/ --backend mediapipe
    python tools/data/extract_pose.py videos/ poses/ --backend rtmlib \
        --device cuda:0 --options det=yolox_m.onnx pose=rtmw-x.onnx
    torchrun --nproc_per_node=8 tools/data/extract_pose.py videos/ poses/ \
        --backend mmpose --device cuda \
        --options pose2d=td-hm_hrnet-w48_dark-8xb32-210e_coco-wholebody-384x288

VIDEO_DIR/<path>/<name>.<ext> is written to OUT_DIR/<path>/<name>.pose, in
the backend's native layout (docs/data_format.md, "Pose extraction").
Videos are taken in sorted order; ``--shard I/N`` (or RANK/WORLD_SIZE, or
LOCAL_RANK/LOCAL_WORLD_SIZE, under torchrun) keeps every N-th video from
the I-th, one process per GPU, and ``--device cuda`` then means
``cuda:LOCAL_RANK``. A video whose .pose file exists and is newer is
skipped, so an interrupted run is simply started again. A video that fails
is recorded with the reason in OUT_DIR/extraction_failures.json and the run
goes on; OUT_DIR/extraction.json records the backend, options, layout and
counts (with N > 1 shards, both files are named per shard, e.g.
extraction.shard-0-of-8.json). A run refuses an OUT_DIR whose extraction
record (of any shard) names another backend, layout or options, since its
.pose files would be kept and mixed with the new ones: use a new OUT_DIR,
or delete the old one.
"""
import argparse
import os
import sys
from typing import Dict, Optional, Sequence

from mmengine.config import DictAction

from slp_mm.preparation.pose_extraction import (VIDEO_EXTENSIONS,
                                                check_backend_options,
                                                extract_videos, resolve_shard)
from slp_mm.preparation.registered import registered_names
from slp_mm.registry import POSE_EXTRACTORS
from slp_mm.utils.cli_errors import HelpFormatter


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('video_dir', help='folder searched for videos')
    parser.add_argument('out_dir', help='output folder of the .pose files')
    parser.add_argument(
        '--backend',
        choices=registered_names(POSE_EXTRACTORS),
        default='mediapipe',
        help='pose estimator (default: mediapipe)')
    parser.add_argument(
        '--ext',
        nargs='+',
        default=list(VIDEO_EXTENSIONS),
        help='video file extensions (case-insensitive)')
    parser.add_argument(
        '--shard', help='I/N: process every N-th video from the I-th')
    parser.add_argument(
        '--device', help='rtmlib/mmpose device, e.g. cuda:0 or cpu')
    parser.add_argument(
        '--options',
        nargs='+',
        action=DictAction,
        default={},
        help='backend options as key=value, e.g. model_complexity=1 '
        '(mediapipe), det=X.onnx pose=Y.onnx (rtmlib), pose2d=NAME '
        'pose2d_weights=Z.pth (mmpose)')
    args = parser.parse_args(argv)
    try:
        check_backend_options(args.backend, args.options, args.device)
        args.shard = resolve_shard(args.shard, os.environ)
    except ValueError as e:
        parser.error(str(e))
    return args


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, int]:
    args = parse_args(argv)
    counts = extract_videos(args.video_dir, args.out_dir, args.backend,
                            args.ext, args.shard, args.device, args.options)
    print(f'{counts["extracted"]} extracted, {counts["up_to_date"]} up to '
          f'date, {counts["failed"]} failed of {counts["in_shard"]} videos '
          f'(shard {args.shard[0]}/{args.shard[1]}) -> {args.out_dir}',
          file=sys.stderr)
    return counts


if __name__ == '__main__':
    main()
