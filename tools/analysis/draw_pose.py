"""Draw a sample of a sign corpus, or a .pose file, to a PNG frame grid.

    python tools/analysis/draw_pose.py data/demo_synthetic/corpus --index 3
    python tools/analysis/draw_pose.py clip.pose --out clip.png
"""
import argparse
import os.path as osp

import cv2

from slp_mm.datasets import SignCorpus, read_pose_file
from slp_mm.visualization import draw_pose_grid


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('source', help='corpus directory or .pose file')
    p.add_argument('--index', type=int, default=0, help='corpus row')
    p.add_argument('--frames', type=int, default=8)
    p.add_argument('--out', default='pose.png')
    args = p.parse_args()
    if osp.isdir(args.source):
        corpus = SignCorpus(args.source)
        sample, layout = corpus[args.index], corpus.layout
        print(f"{sample['id']}: {sample['text']!r} ({sample['language']})")
    else:
        sample, layout = read_pose_file(args.source), 'coco_wholebody_133'
    size = (sample['width'], sample['height'])
    kpts = sample['keypoints']
    if max(size) <= 2:  # coordinates normalised to the image: draw at 480p
        kpts, size = kpts * 480, (size[0] * 480, size[1] * 480)
    img = draw_pose_grid(kpts, sample['scores'], layout, size, args.frames)
    cv2.imwrite(args.out, img)
    print(f'wrote {args.out} ({img.shape[1]}x{img.shape[0]})')


if __name__ == '__main__':
    main()
