"""Draw a sample of a sign corpus, or a .pose file, to a PNG frame grid
and / or a GIF or MP4 animation (over the sample's video with --video).

    python tools/analysis/draw_pose.py data/demo_synthetic/corpus --index 3
    python tools/analysis/draw_pose.py clip.pose --out clip.png
    python tools/analysis/draw_pose.py clip.pose --gif clip.gif
    python tools/analysis/draw_pose.py clip.pose --mp4 out.mp4 --video clip.mp4
"""
import argparse
import os.path as osp

import cv2

from slp_mm.corpus import SignCorpus
from slp_mm.preparation.pose_readers import read_pose_file
from slp_mm.visualization import (draw_pose_grid, render_pose_animation,
                                  save_animation)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('source', help='corpus directory or .pose file')
    p.add_argument('--index', type=int, default=0, help='corpus row')
    p.add_argument('--frames', type=int, default=8)
    p.add_argument('--out', help='PNG frame grid (default: pose.png when '
                   'no animation is asked for)')
    p.add_argument('--gif', help='write the animation to this GIF')
    p.add_argument('--mp4', help='write the animation to this MP4')
    p.add_argument('--video', help='draw the animation over this video '
                   '(frame i under pose frame i)')
    p.add_argument('--fps', type=float,
                   help='animation frame rate (default: the sample\'s)')
    args = p.parse_args(argv)
    animations = [a for a in (args.gif, args.mp4) if a]
    if args.video and not animations:
        p.error('--video needs --gif or --mp4')
    for flag, path in (('--gif', args.gif), ('--mp4', args.mp4)):
        if path and not path.lower().endswith('.' + flag[2:]):
            p.error(f'{flag} {path}: expected a .{flag[2:]} file name')
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
    out = args.out or (None if animations else 'pose.png')
    if out:
        img = draw_pose_grid(kpts, sample['scores'], layout, size,
                             args.frames)
        cv2.imwrite(out, img)
        print(f'wrote {out} ({img.shape[1]}x{img.shape[0]})')
    if animations:
        frames = render_pose_animation(kpts, sample['scores'], layout, size,
                                       video=args.video)
        for path in animations:
            save_animation(frames, path, args.fps or sample['fps'] or 25.0)
            print(f'wrote {path} ({len(frames)} frames)')


if __name__ == '__main__':
    main()
