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
import glob
import inspect
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from mmengine.config import DictAction
from tqdm import tqdm

from slp_mm.preparation.pose_extraction import (POSE_EXTRACTORS,
                                                VIDEO_EXTENSIONS,
                                                build_pose_extractor,
                                                layout_components,
                                                write_pose_file)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('video_dir')
    parser.add_argument('out_dir')
    parser.add_argument(
        '--backend', choices=sorted(POSE_EXTRACTORS), default='mediapipe')
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
    params = inspect.signature(POSE_EXTRACTORS[args.backend]).parameters
    for key in args.options:
        if key not in params or key == 'device':
            parser.error(f'--options {key}: not an option of the '
                         f'{args.backend} backend, which takes '
                         f'{sorted(set(params) - {"device"})}')
    if args.device and 'device' not in params:
        parser.error(f'--device: the {args.backend} backend runs on CPU')
    try:
        args.shard = resolve_shard(args.shard, os.environ)
    except ValueError as e:
        parser.error(str(e))
    return args


def resolve_shard(shard: Optional[str],
                  environ: Mapping[str, str]) -> Tuple[int, int]:
    """(index, count) from ``I/N``, else from torchrun's variables, else
    (0, 1)."""
    if shard is not None:
        index, _, count = shard.partition('/')
        where = f'--shard {shard!r}'
    elif 'RANK' in environ or 'LOCAL_RANK' in environ:
        index = environ.get('RANK', environ.get('LOCAL_RANK'))
        count = environ.get('WORLD_SIZE', environ.get('LOCAL_WORLD_SIZE', 1))
        where = f'RANK/WORLD_SIZE ({index}/{count})'
    else:
        return 0, 1
    try:
        index, count = int(index), int(count)
    except ValueError:
        raise ValueError(f'{where}: expected I/N with integers') from None
    if not 0 <= index < count:
        raise ValueError(f'{where}: expected 0 <= I < N')
    return index, count


def find_videos(video_dir: str, extensions: Sequence[str]) -> List[str]:
    """Paths of the videos under a folder, relative to it, sorted."""
    extensions = tuple(e.lower() for e in extensions)
    return sorted(
        osp.relpath(osp.join(root, name), video_dir)
        for root, _, names in os.walk(video_dir) for name in names
        if name.lower().endswith(extensions))


def pose_path(out_dir: str, video: str) -> str:
    return osp.join(out_dir, osp.splitext(video)[0] + '.pose')


def is_up_to_date(out: str, video_path: str) -> bool:
    return osp.isfile(out) and osp.getmtime(out) >= osp.getmtime(video_path)


def run_file(out_dir: str, name: str, shard: Tuple[int, int]) -> str:
    """OUT_DIR/<name>.json, or a per-shard name when there are shards."""
    index, count = shard
    suffix = f'.shard-{index}-of-{count}' if count > 1 else ''
    return osp.join(out_dir, f'{name}{suffix}.json')


def _settings(backend: str, layout: str, options: Mapping) -> dict:
    """What makes two runs' .pose files alike, as JSON would record it;
    ``device`` is left out (it changes where a model runs, not what it
    is)."""
    options = {k: v for k, v in options.items() if k != 'device'}
    return json.loads(json.dumps(
        dict(backend=backend, layout=layout, options=options)))


def check_previous_runs(out_dir: str, backend: str, layout: str,
                        options: Mapping) -> None:
    """Refuse an OUT_DIR that an earlier run filled with another backend,
    layout or options.

    Up-to-date .pose files are skipped by modification time alone, so such
    a run would keep the old files beside the new ones and then overwrite
    the record of how they were made. Every record in OUT_DIR is checked
    (``extraction.json`` and each ``extraction.shard-I-of-N.json``), since
    another shard count writes other names over the same .pose files.

    Raises:
        ValueError: Naming the record and both settings, or a record that
            cannot be read.
    """
    current = _settings(backend, layout, options)
    pattern = glob.escape(out_dir)
    records = sorted(
        glob.glob(osp.join(pattern, 'extraction.json')) +
        glob.glob(osp.join(pattern, 'extraction.shard-*-of-*.json')))
    remedy = (f'use a new OUT_DIR, or delete {out_dir} to extract into it '
              'again')
    for path in records:
        try:
            with open(path, encoding='utf-8') as f:
                record = json.load(f)
            recorded = _settings(record['backend'], record['layout']['name'],
                                 record['options'])
        except (OSError, ValueError, KeyError, TypeError,
                AttributeError) as e:
            raise ValueError(
                f'{path}: cannot read the record of an earlier extraction '
                f'({type(e).__name__}: {e}); {remedy}') from e
        if recorded != current:
            raise ValueError(
                f'{path}: an earlier extraction into this OUT_DIR used '
                f'{recorded}, this run asks for {current}; its .pose files '
                f'would be kept and mixed with the new ones: {remedy}')


def extract_all(args: argparse.Namespace) -> Dict[str, int]:
    """Extract this shard's videos; return the counts.

    Raises:
        ValueError: Two videos map to one .pose file, or OUT_DIR holds an
            extraction with other settings (:func:`check_previous_runs`).
    """
    videos = find_videos(args.video_dir, args.ext)
    outputs = {}
    for video in videos:
        out = pose_path(args.out_dir, video)
        if out in outputs:
            raise ValueError(f'{outputs[out]} and {video} would both be '
                             f'written to {out}')
        outputs[out] = video
    index, count = args.shard
    mine = videos[index::count]
    options = dict(args.options)
    if args.device:
        local_rank = os.environ.get('LOCAL_RANK')
        options['device'] = (f'cuda:{local_rank}' if args.device == 'cuda'
                             and local_rank is not None else args.device)
    check_previous_runs(args.out_dir, args.backend,
                        POSE_EXTRACTORS[args.backend].layout, options)
    extractor = build_pose_extractor(args.backend, **options)
    counts = dict(
        videos=len(videos), in_shard=len(mine), extracted=0, up_to_date=0,
        failed=0)
    failures = []
    try:
        for video in tqdm(mine, desc=f'{args.backend} {index}/{count}',
                          unit='video'):
            src = osp.join(args.video_dir, video)
            out = pose_path(args.out_dir, video)
            if is_up_to_date(out, src):
                counts['up_to_date'] += 1
                continue
            try:
                pose = extractor.extract(src)
                os.makedirs(osp.dirname(out), exist_ok=True)
                write_pose_file(pose, out)
            except Exception as e:  # one bad video never stops the run
                failures.append(
                    dict(video=video, error=f'{type(e).__name__}: {e}'))
                counts['failed'] += 1
                tqdm.write(f'FAILED {video}: {failures[-1]["error"]}')
                continue
            counts['extracted'] += 1
    finally:
        extractor.close()
    components = layout_components(extractor.layout)
    _write_json(
        run_file(args.out_dir, 'extraction_failures', args.shard), failures)
    _write_json(
        run_file(args.out_dir, 'extraction', args.shard),
        dict(
            backend=args.backend,
            options=options,
            layout=dict(
                name=extractor.layout,
                num_keypoints=sum(len(c.points) for c in components),
                components={c.name: len(c.points)
                            for c in components}),
            video_dir=osp.abspath(args.video_dir),
            extensions=args.ext,
            shard=list(args.shard),
            counts=counts))
    return counts


def _write_json(path: str, obj) -> None:
    """Write ``path`` whole or not at all (via ``<path>.partial``), so a
    shard starting meanwhile never reads half a record."""
    partial = path + '.partial'
    with open(partial, 'w', encoding='utf-8') as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
    os.replace(partial, path)


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, int]:
    args = parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    counts = extract_all(args)
    print(f'{counts["extracted"]} extracted, {counts["up_to_date"]} up to '
          f'date, {counts["failed"]} failed of {counts["in_shard"]} videos '
          f'(shard {args.shard[0]}/{args.shard[1]}) -> {args.out_dir}',
          file=sys.stderr)
    return counts


if __name__ == '__main__':
    main()
