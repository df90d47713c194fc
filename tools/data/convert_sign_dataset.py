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
import glob
import os
import os.path as osp
import sys
from typing import List, Optional, Sequence

from tqdm import tqdm

from slp_mm.corpus.sign_corpus import MANIFEST, SignCorpusWriter
from slp_mm.preparation.converters import (ANNOTATION_LOADERS, REJECTS, SPLITS,
                                           VIDEO_INFO, make_reject,
                                           write_rejects)
from slp_mm.preparation.pose_readers import POSE_FORMATS, find_pose_file


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0].replace('\n', ' '))
    parser.add_argument('dataset', choices=sorted(ANNOTATION_LOADERS))
    parser.add_argument('ann_dir', help='folder of the annotation files')
    parser.add_argument('pose_dir', help='folder of the per-video pose files')
    parser.add_argument('out_dir', help='output folder, one corpus per split')
    parser.add_argument(
        '--pose-format', choices=sorted(POSE_FORMATS), default='npz')
    parser.add_argument(
        '--splits', nargs='+', choices=SPLITS, default=list(SPLITS))
    for key in ('width', 'height', 'fps'):
        parser.add_argument(
            f'--{key}',
            type=float,
            help=f'video {key} where the pose files do not store it '
            '(default: the dataset\'s)')
    return parser.parse_args(argv)


def convert_split(split: str, records: List[dict], rejects: List[dict],
                  pose_dir: str, out: str, pose_format: str,
                  video_info: dict) -> dict:
    """Write one split's corpus and its rejects.json; returns the corpus
    manifest. ``rejects`` are the split's annotation rejects."""
    extensions, read = POSE_FORMATS[pose_format]
    rejects = list(rejects)
    for stale in glob.glob(osp.join(out, 'shard-*.arrow')):
        os.remove(stale)  # left by an interrupted run
    writer = SignCorpusWriter(out, on_invalid='skip', split=split)
    for record in tqdm(records, desc=split, unit='video'):
        where = dict(id=record['id'], split=split)
        path, tried = find_pose_file(pose_dir, split, record['video'],
                                     extensions)
        if path is None:
            rejects.append(
                make_reject(
                    f'no pose file; tried {tried}',
                    stage='missing_pose',
                    **where))
            continue
        try:
            pose = read(path, **video_info)
        except (OSError, ValueError) as e:
            rejects.append(
                make_reject(
                    str(e), stage='unreadable_pose', file=path, **where))
            continue
        sample = dict(
            id=record['id'],
            text=record['text'],
            language=record['language'],
            gloss=record['gloss'],
            label=record.get('label'),  # isolated signs only
            dataset=record['dataset'],
            signer=record['signer'],
            **pose)
        if not writer.write(sample):
            rejects.append(
                make_reject(
                    writer.skipped[-1],
                    stage='invalid_sample',
                    file=path,
                    **where))
    write_rejects(out, rejects)
    return writer.close()  # writes corpus.json last: the split is complete


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    for path in (args.ann_dir, args.pose_dir):
        if not osp.isdir(path):
            sys.exit(f'{path} is not a folder')
    video_info = dict(VIDEO_INFO[args.dataset])
    video_info.update({
        key: getattr(args, key)
        for key in video_info if getattr(args, key) is not None
    })
    unknown = [key for key, value in video_info.items() if value is None]
    # per-frame JSON (MMPose, OpenPose) stores no video size or fps
    if unknown and args.pose_format in ('mmpose-json', 'openpose-json'):
        sys.exit(f'{args.dataset} videos differ in {"/".join(unknown)}: '
                 f'pass {" ".join("--" + key for key in unknown)} or use a '
                 'pose format that stores them (npz, pose)')
    try:
        annotations = ANNOTATION_LOADERS[args.dataset](args.ann_dir,
                                                       args.splits)
    except (OSError, ValueError) as e:  # a missing or foreign file
        sys.exit(f'Cannot read the {args.dataset} annotation: {e}')
    all_rejected = []
    for split in args.splits:
        out = osp.join(args.out_dir, split)
        if osp.isfile(osp.join(out, MANIFEST)):
            print(f'{split}: {out} is complete, skipped (delete it to '
                  'rebuild)')
            continue
        # a row whose split is unknown may belong to any split
        rejects = [
            r for r in annotations.rejects if r['split'] in (split, None)
        ]
        manifest = convert_split(split, annotations.records[split], rejects,
                                 args.pose_dir, out, args.pose_format,
                                 video_info)
        print(f'{split}: {manifest["num_samples"]} samples -> {out}, '
              f'{len(rejects)} annotation rows and '
              f'{len(annotations.records[split]) - manifest["num_samples"]} '
              f'videos rejected (see {osp.join(out, REJECTS)})')
        if not manifest['num_samples'] and (rejects
                                            or annotations.records[split]):
            all_rejected.append(osp.join(out, REJECTS))
    if all_rejected:  # a wrong folder or format, not a finished conversion
        sys.exit(f'Every input of {len(all_rejected)} split(s) was '
                 f'rejected: see {", ".join(all_rejected)}')


if __name__ == '__main__':
    main()
